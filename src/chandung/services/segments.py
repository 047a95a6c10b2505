"""Saved segments: rules kept in the app database, members computed live in the warehouse.

A segment is a name, a description, an owner and a rule in the segment language
(:mod:`chandung.segments.rules`). Its members are never stored with it: each count or list
evaluates the rule over :func:`~chandung.services.segment_base.segment_base` at that moment.
A snapshot keeps the members of one moment (ids in the warehouse, the count in the app
database), so a campaign can later be checked against who was in the segment then.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import ibis
import ibis.expr.types as ir
from sqlalchemy import select

from ..errors import InputError, NotFoundError
from ..i18n import LANGUAGES, catalogue, translate
from ..ingest.normalize import vocabulary as synonyms
from ..ingest.normalize.gender import GENDER_WORDS
from ..metrics.rfm import RFM_SEGMENTS
from ..privacy.context import require
from ..schema.vocab import (
    CHANNEL_GROUP_NAMES,
    CONTACT_CHANNELS,
    DEVICES,
    EDUCATION_LEVELS,
    GENDERS,
    MARITAL_STATUSES,
    OCCUPATIONS,
    PLATFORMS,
    SALES_CHANNELS,
)
from ..segments._rule_compile import FOLDED_SUFFIX
from ..segments._rule_parser import loose_name
from ..segments.profiles import (
    AttributeKind,
    Labels,
    SegmentComparison,
    SegmentProfile,
    attribute_label,
    compare_segments,
    profile_segment,
)
from ..segments.rules import (
    FieldInfo,
    compile_rule,
    level_key,
    parse_rule,
    rule_fields,
    rule_to_text,
)
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


#: The fixed vocabulary of the fields that have one (their levels are codes).
FIELD_LEVELS: dict[str, tuple[str, ...]] = {
    "gender": GENDERS,
    "gender_inferred": GENDERS,
    "marital_status": MARITAL_STATUSES,
    "occupation": OCCUPATIONS,
    "education": EDUCATION_LEVELS,
    "preferred_contact_channel": CONTACT_CHANNELS,
    "primary_device": DEVICES,
    "platform": PLATFORMS,
    "acquisition_channel": SALES_CHANNELS,
    "channels_used": SALES_CHANNELS,
    "main_channel_group": CHANNEL_GROUP_NAMES,
    "rfm_segment": RFM_SEGMENTS,
}

#: Catalogue tables naming the levels of the fields with a fixed vocabulary, in each language.
LEVEL_TABLES: dict[str, str] = {
    "gender": "gender",
    "gender_inferred": "gender",
    "rfm_segment": "rfm.segments",
    "main_channel_group": "channel_group",
    "primary_device": "device",
    "occupation": "level.occupation",
    "education": "level.education",
    "marital_status": "level.marital_status",
    "acquisition_channel": "level.channel",
    "channels_used": "level.channel",
    "platform": "level.platform",
    "preferred_contact_channel": "level.contact_channel",
}

#: How sources write the levels of some fields (the importer's synonyms, reused in rules).
_LEVEL_SYNONYMS: dict[str, Mapping[str, tuple[str, ...]]] = {
    "gender": GENDER_WORDS,
    "gender_inferred": GENDER_WORDS,
    "occupation": synonyms.OCCUPATION_SYNONYMS,
    "education": synonyms.EDUCATION_SYNONYMS,
    "marital_status": synonyms.MARITAL_SYNONYMS,
    "preferred_contact_channel": synonyms.CONTACT_SYNONYMS,
    "primary_device": synonyms.DEVICE_SYNONYMS,
    "platform": synonyms.PLATFORM_SYNONYMS,
    "acquisition_channel": synonyms.CHANNEL_SYNONYMS,
    "channels_used": synonyms.CHANNEL_SYNONYMS,
}

#: Short names people use for some fields in rules, besides their labels.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("tỉnh thành", "tỉnh", "thành phố", "tỉnh/thành phố", "city"),
    "orders": ("đơn hàng", "số đơn", "đơn", "order count", "number of orders"),
    "occupation": ("nghề", "công việc", "job"),
    "monthly_income_vnd": ("thu nhập", "income"),
    "children_count": ("con", "children"),
    "total_revenue": ("tổng doanh thu", "total revenue"),
    "predicted_clv_vnd": ("clv",),
    "marital_status": ("hôn nhân",),
    "age": ("độ tuổi",),
}


def level_names(field: str, language: str) -> dict[str, str]:
    """What people call each level of ``field`` in ``language`` (empty when it has no fixed
    vocabulary)."""
    table = LEVEL_TABLES.get(field)
    if table is None:
        return {}
    prefix = f"{table}."
    return {k[len(prefix) :]: v for k, v in catalogue(language).items() if k.startswith(prefix)}


@cache
def _field_words(name: str) -> tuple[str, str, tuple[str, ...]]:
    """``(label_en, label_vi, aliases)`` of a field of the segment base."""
    labels = {lang: translate(f"web_segments.field.{name}", lang, default="") for lang in LANGUAGES}
    aliases: list[str] = list(FIELD_ALIASES.get(name, ()))
    for lang in LANGUAGES:
        aliases.append(attribute_label(name, lang))
        # "doanh thu (VND)" is also "doanh thu".
        bare = re.sub(r"\s*\([^)]*\)\s*", " ", labels[lang]).strip()
        if bare and bare != labels[lang]:
            aliases.append(bare)
    return labels["en"], labels["vi"], tuple(dict.fromkeys(a for a in aliases if a != name))


@cache
def _level_words(name: str) -> tuple[tuple[str, str], ...]:
    """``(key, code)``: the ways of writing each level of ``name`` a rule accepts."""
    levels = FIELD_LEVELS.get(name, ())
    if not levels:
        return ()
    words: dict[str, str] = {}
    taken: set[str] = set()

    def add(word: str, code: str) -> None:
        key = level_key(word)
        if not key or key in taken:
            return
        if key in words and words[key] != code:
            # Two levels written alike: neither may claim the word.
            del words[key]
            taken.add(key)
            return
        words[key] = code

    for code in levels:
        words[level_key(code)] = code
    codes = set(words)
    for lang in LANGUAGES:
        for code, label in level_names(name, lang).items():
            if code in levels and level_key(label) not in codes:
                add(label, code)
    for code, group in _LEVEL_SYNONYMS.get(name, {}).items():
        for word in group:
            if code in levels and level_key(word) not in codes:
                add(word, code)
    return tuple(sorted(words.items()))


def field_catalogue(base: ir.Table) -> dict[str, FieldInfo]:
    """The fields a rule may use: every column of the segment base but the person id.

    Each field is named in rules by its column name, its labels in either language or one of
    its aliases; a field with a fixed vocabulary (:data:`FIELD_LEVELS`) takes its levels by
    code, label or synonym.
    """
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
        label_en, label_vi, aliases = _field_words(name)
        levels = FIELD_LEVELS.get(name, ()) if kind in ("text", "list") else ()
        catalogue[name] = FieldInfo(
            name=name, type=kind, label_en=label_en, label_vi=label_vi,  # type: ignore[arg-type]
            aliases=aliases, levels=levels, level_words=_level_words(name) if levels else (),
        )  # fmt: skip
    return _unambiguous(catalogue)


def _unambiguous(fields: dict[str, FieldInfo]) -> dict[str, FieldInfo]:
    """``fields`` without the aliases that name another field too, or another's name or
    label: a shared alias would only make a rule ambiguous, unless :data:`FIELD_ALIASES`
    gives it to one of them."""
    owners: dict[str, set[str]] = {}
    names: set[str] = set()
    for info in fields.values():
        for text in (info.name, info.label_en, info.label_vi):
            if text:
                names.add(loose_name(text))
        for alias in info.aliases:
            owners.setdefault(loose_name(alias), set()).add(info.name)
    chosen = {
        loose_name(a): name for name, group in FIELD_ALIASES.items() for a in group
    }  # fmt: skip

    def keeps(info: FieldInfo, alias: str, own: set[str]) -> bool:
        key = loose_name(alias)
        if key in names - own:
            return False
        return chosen.get(key, info.name) == info.name and (len(owners[key]) == 1 or key in chosen)

    out = {}
    for key, info in fields.items():
        own = {loose_name(t) for t in (info.name, info.label_en, info.label_vi) if t}
        kept = tuple(a for a in info.aliases if keeps(info, a, own))
        out[key] = info if kept == info.aliases else _with_aliases(info, kept)
    return out


def _with_aliases(info: FieldInfo, aliases: tuple[str, ...]) -> FieldInfo:
    return replace(info, aliases=aliases)


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

#: Attributes whose level names do not say what they are about on their own ("Shopee",
#: "Android"): a trait names the attribute too ("first channel Shopee").
_NAMED_WITH_ATTRIBUTE = frozenset({
    "acquisition_channel", "channels_used", "main_channel_group", "primary_device", "platform",
    "preferred_contact_channel",
})  # fmt: skip


def level_labels(language: str) -> dict[str, dict[str, str]]:
    """What people call the levels of every attribute with a fixed vocabulary, in
    ``language``: ``labels[attribute][code]`` (for lift charts and tables, where the
    attribute is named beside them)."""
    return {attribute: level_names(attribute, language) for attribute in LEVEL_TABLES}


def trait_labels(language: str) -> Labels:
    """Level names for the traits' sentences, where a level stands alone: as
    :func:`level_labels`, with the attribute named where the level alone would not say what
    it is about ("kênh đầu tiên Shopee")."""
    names = level_labels(language)

    def label(attribute: str, level: str | None) -> str | None:
        if level is None:
            return None
        name = names.get(attribute, {}).get(level)
        if name is None or attribute not in _NAMED_WITH_ATTRIBUTE:
            return name
        return translate(
            "segment.traits.level", language,
            attribute=attribute_label(attribute, language), value=name,
        )  # fmt: skip

    return label


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
