"""Saved segments: rules kept in the app database, members computed live in the warehouse.

A segment is a name, a description, an owner and a rule in the segment language
(:mod:`chandung.segments.rules`). Its members are never stored with it: each count or list
evaluates the rule over :func:`~chandung.services.segment_base.segment_base` at that moment.
A snapshot keeps the members of one moment (ids in the warehouse, the count in the app
database), so a campaign can later be checked against who was in the segment then.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
from sqlalchemy import select

from ..errors import InputError, NotFoundError
from ..i18n import catalogue
from ..privacy.context import require
from ..schema.vocab import CONTACT_CHANNELS
from ..segments._rule_compile import FOLDED_SUFFIX
from ..segments.profiles import (
    AttributeKind,
    SegmentComparison,
    SegmentProfile,
    compare_segments,
    profile_segment,
)
from ..segments.rules import FieldInfo, compile_rule, parse_rule, rule_fields, rule_to_text
from ..store.app_models import SavedSegment, SegmentSnapshot
from . import audit
from .segment_base import segment_base
from .stores import Stores

SNAPSHOT_TABLE = "segment_snapshot_members"
#: A segment smaller than this, or with less than this share of revenue, is not substantial.
MIN_MEMBERS = 100
MIN_REVENUE_SHARE = 0.01
#: Share of members with the defining fields filled in for a segment to count as measurable.
MIN_MEASURABLE_SHARE = 0.8

_TYPES = {
    "string": "text",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "array": "list",
}


def field_catalogue(base: ir.Table) -> dict[str, FieldInfo]:
    """The fields a rule may use: every column of the segment base but the person id."""
    catalogue: dict[str, FieldInfo] = {}
    for name, dtype in base.schema().items():
        if name == "customer_id" or name.endswith(FOLDED_SUFFIX):
            continue
        if dtype.is_numeric():
            kind = "number"
        elif dtype.is_array():
            kind = "list"
        else:
            kind = _TYPES.get(str(dtype).split("(")[0].split("<")[0].rstrip("!"), "text")
        catalogue[name] = FieldInfo(name=name, type=kind)  # type: ignore[arg-type]
    return catalogue


@dataclass(frozen=True)
class SegmentInfo:
    """A saved segment and how many customers it has now."""

    name: str
    description: str
    rule: str
    owner: str
    members: int
    share: float
    created_at: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SegmentCheck:
    """Whether a segment is worth acting on: substantial, measurable, reachable."""

    name: str
    members: int
    share: float
    revenue_share: float
    substantial: bool
    measurable: bool
    reachable_share: float
    field_completeness: dict[str, float] = field(default_factory=dict)
    reachable_by_channel: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def members_of(
    stores: Stores, rule_text: str, *, today: date | None = None
) -> tuple[ir.Table, ir.Table]:
    """``(base, members)``: the segment base and the rows of it the rule selects."""
    today = today or date.today()
    base = segment_base(stores, today=today)
    rule = parse_rule(rule_text, field_catalogue(base))
    return base, base.filter(compile_rule(rule, base, today=today))


def count_rule(stores: Stores, rule_text: str, *, today: date | None = None) -> tuple[int, int]:
    """``(members, everyone)`` for a rule, counted in the warehouse in one query."""
    today = today or date.today()
    base = segment_base(stores, today=today)
    rule = parse_rule(rule_text, field_catalogue(base))
    inside = compile_rule(rule, base, today=today)
    row = (
        base.aggregate(members=inside.ifelse(1, 0).sum(), everyone=base.count())
        .to_pyarrow()
        .to_pylist()[0]
    )
    return int(row["members"] or 0), int(row["everyone"] or 0)


def create_segment(
    stores: Stores, name: str, rule_text: str, *, description: str = "", owner: str = ""
) -> SegmentInfo:
    """Save a segment; the rule is checked (and kept in canonical form) first."""
    require("segments.write")
    name = name.strip()
    if not name:
        raise InputError("segment.name_empty")
    base = segment_base(stores)
    canonical = rule_to_text(parse_rule(rule_text, field_catalogue(base)))
    now = datetime.now(UTC)
    with stores.app_db.session() as session:
        exists = session.scalars(select(SavedSegment).where(SavedSegment.name == name)).first()
        if exists is not None:
            raise InputError("segment.exists", name=name)
        session.add(
            SavedSegment(
                name=name, description=description, rule=canonical, owner=owner,
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
    audit.record(stores, "segment.create", target=name)
    return show_segment(stores, name)


def _saved(stores: Stores, name: str) -> SavedSegment:
    with stores.app_db.session() as session:
        found = session.scalars(select(SavedSegment).where(SavedSegment.name == name)).first()
        if found is None:
            raise NotFoundError("segment.not_found", name=name)
        session.expunge(found)
        return found


def _info(stores: Stores, saved: SavedSegment) -> SegmentInfo:
    members, everyone = count_rule(stores, saved.rule)
    return SegmentInfo(
        name=saved.name,
        description=saved.description,
        rule=saved.rule,
        owner=saved.owner,
        members=members,
        share=members / everyone if everyone else 0.0,
        created_at=saved.created_at.isoformat(),
        updated_at=saved.updated_at.isoformat(),
    )


def show_segment(stores: Stores, name: str) -> SegmentInfo:
    """A saved segment with its live count."""
    require("segments.read")
    return _info(stores, _saved(stores, name))


def list_segments(stores: Stores) -> list[SegmentInfo]:
    """Every saved segment with its live count, by name."""
    require("segments.read")
    with stores.app_db.session() as session:
        saved = list(session.scalars(select(SavedSegment).order_by(SavedSegment.name)))
        for s in saved:
            session.expunge(s)
    return [_info(stores, s) for s in saved]


def delete_segment(stores: Stores, name: str) -> None:
    """Forget a saved segment and its snapshots."""
    require("segments.write")
    saved = _saved(stores, name)
    with stores.app_db.session() as session:
        snapshots = list(
            session.scalars(select(SegmentSnapshot).where(SegmentSnapshot.segment_id == saved.id))
        )
        gone = [int(s.id) for s in snapshots]
        for snapshot in snapshots:
            session.delete(snapshot)
        session.delete(session.get(SavedSegment, saved.id))
    wh = stores.warehouse
    if gone and wh.has_table(SNAPSHOT_TABLE):
        kept = wh.table(SNAPSHOT_TABLE)
        kept = kept.filter(~kept.snapshot_id.isin(gone))
        work = f"_derived_snapshots_{saved.id}"
        wh.backend.create_table(work, kept, overwrite=True)
        wh.swap_in({SNAPSHOT_TABLE: work})
    audit.record(stores, "segment.delete", target=name, details={"snapshots": len(gone)})


def segment_members(stores: Stores, name: str) -> ir.Table:
    """The members of a saved segment now: ``customer_id`` (the person id) and the base
    (profile fields, never contact details)."""
    require("segments.read")
    _, members = members_of(stores, _saved(stores, name).rule)
    return members.drop(*[c for c in members.columns if c.endswith(FOLDED_SUFFIX)])


def snapshot_segment(stores: Stores, name: str) -> int:
    """Keep the members of a segment as they are now; returns the snapshot id."""
    require("segments.write")
    saved = _saved(stores, name)
    _, members = members_of(stores, saved.rule)
    ids = members.select("customer_id")
    count = int(ids.count().to_pyarrow().as_py())
    with stores.app_db.session() as session:
        snapshot = SegmentSnapshot(
            segment_id=saved.id, taken_at=datetime.now(UTC), rule=saved.rule, members=count
        )
        session.add(snapshot)
        session.flush()
        snapshot_id = int(snapshot.id)
    rows = ids.mutate(snapshot_id=ibis.literal(snapshot_id, "int64"))
    wh = stores.warehouse
    if wh.has_table(SNAPSHOT_TABLE):
        wh.backend.insert(SNAPSHOT_TABLE, rows)
    else:
        wh.backend.create_table(SNAPSHOT_TABLE, rows)
    audit.record(
        stores, "segment.snapshot", target=name, rows=count, details={"snapshot_id": snapshot_id}
    )
    return snapshot_id


def check_segment(stores: Stores, name: str) -> SegmentCheck:
    """Substantial (size, revenue), measurable (defining fields filled), reachable (consent)."""
    require("segments.read")
    saved = _saved(stores, name)
    base, members = members_of(stores, saved.rule)
    catalogue = field_catalogue(base)
    used = sorted(rule_fields(parse_rule(saved.rule, catalogue)))
    revenue = base.total_revenue.fill_null(0) if "total_revenue" in base.columns else None
    totals = base.aggregate(
        everyone=base.count(),
        revenue=revenue.sum() if revenue is not None else ibis.literal(0.0),
    ).to_pyarrow().to_pylist()[0]  # fmt: skip
    aggregates: dict[str, Any] = {
        "members": members.count(),
        "revenue": members.total_revenue.fill_null(0).sum()
        if revenue is not None
        else ibis.literal(0.0),
        "reachable": members.consent_marketing.ifelse(1, 0).sum(),
    }
    for f in used:
        aggregates[f"filled_{f}"] = members[f].notnull().ifelse(1, 0).sum()
    for channel in CONTACT_CHANNELS:
        aggregates[f"channel_{channel}"] = members[f"consent_{channel}"].ifelse(1, 0).sum()
    row = members.aggregate(**aggregates).to_pyarrow().to_pylist()[0]
    n = int(row["members"] or 0)
    everyone = int(totals["everyone"] or 0)
    revenue_share = (
        float(row["revenue"] or 0) / float(totals["revenue"]) if totals["revenue"] else 0.0
    )
    completeness = {f: (int(row[f"filled_{f}"] or 0) / n if n else 0.0) for f in used}
    return SegmentCheck(
        name=name,
        members=n,
        share=n / everyone if everyone else 0.0,
        revenue_share=revenue_share,
        substantial=n >= MIN_MEMBERS and revenue_share >= MIN_REVENUE_SHARE,
        measurable=all(v >= MIN_MEASURABLE_SHARE for v in completeness.values()),
        reachable_share=int(row["reachable"] or 0) / n if n else 0.0,
        field_completeness=completeness,
        reachable_by_channel={
            c: (int(row[f"channel_{c}"] or 0) / n if n else 0.0) for c in CONTACT_CHANNELS
        },
    )


def catalogue_for(stores: Stores) -> Mapping[str, FieldInfo]:
    """The field catalogue of the workspace (for autocompletion and error suggestions)."""
    return field_catalogue(segment_base(stores))


#: What a profile describes, and how (attributes missing from the base are skipped).
PROFILE_ATTRIBUTES: dict[str, AttributeKind] = {
    "gender": "categorical", "age_band": "categorical", "province": "categorical",
    "occupation": "categorical", "education": "categorical", "marital_status": "categorical",
    "rfm_segment": "categorical", "main_channel_group": "categorical",
    "primary_device": "categorical", "platform": "categorical",
    "acquisition_channel": "categorical", "consent_marketing": "boolean",
    "has_email": "boolean", "predicted_clv_vnd": "numeric", "probability_alive": "numeric",
    "total_revenue": "numeric", "orders": "numeric", "average_order_value": "numeric",
    "monthly_income_vnd": "numeric", "children_count": "numeric",
}  # fmt: skip

#: Catalogue tables naming the levels of some attributes in each language.
_LEVEL_TABLES = {
    "rfm_segment": "rfm.segments",
    "main_channel_group": "channel_group",
    "primary_device": "device",
    "gender": "gender",
}


def level_labels(language: str) -> dict[str, dict[str, str]]:
    """Translated names of attribute levels, for the traits' sentences."""
    out: dict[str, dict[str, str]] = {}
    for attribute, table in _LEVEL_TABLES.items():
        entries = catalogue(language).items()
        prefix = f"{table}."
        out[attribute] = {k[len(prefix) :]: v for k, v in entries if k.startswith(prefix)}
    return out


def _attributes(base: ir.Table) -> dict[str, AttributeKind]:
    return {k: v for k, v in PROFILE_ATTRIBUTES.items() if k in base.columns}


def profile_saved_segment(stores: Stores, name: str) -> SegmentProfile:
    """What sets a saved segment apart from the whole customer base."""
    require("segments.read")
    saved = _saved(stores, name)
    today = date.today()
    base = segment_base(stores, today=today)
    inside = compile_rule(parse_rule(saved.rule, field_catalogue(base)), base, today=today)
    return profile_segment(
        base, inside, attributes=_attributes(base), combinations=[("gender", "age_band")]
    )


def compare_saved_segments(stores: Stores, first: str, second: str) -> SegmentComparison:
    """Two saved segments side by side, each attribute tested between them."""
    require("segments.read")
    today = date.today()
    base = segment_base(stores, today=today)
    catalogue_ = field_catalogue(base)
    a, b = (
        compile_rule(parse_rule(_saved(stores, n).rule, catalogue_), base, today=today)
        for n in (first, second)
    )
    return compare_segments(base, a, b, attributes=_attributes(base))
