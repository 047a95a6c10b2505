"""Audiences for the workbench: where one can come from, its size before it is exported, and
exporting it from any source.

A source is named ``kind:key``:

* ``segment:<name>``: a saved segment;
* ``auto:<segmentation id>:<number>``: a segment found by automatic segmentation;
* ``persona:<id>``: a persona of the latest version (the segment it was made from).

Saved segments and personas are exported by
:func:`~chandung.services.audiences.export_audience`. Automatic segments are exported here by
the same rules (consent for the channel, a contact for it, masking unless the exporter may
read personal data, cells made safe for spreadsheets, the purpose and row count kept in the
audit log), since that service takes saved segments and personas only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
from sqlalchemy import select

from ..errors import InputError, NotFoundError, Where
from ..privacy.context import require
from ..segments.auto import SEGMENT
from ..store.app_models import SavedSegment, Segmentation
from .audiences import (
    CONTACT_COLUMNS,
    PURPOSE,
    AudienceReport,
    audience_members,
    export_audience,
    export_members,
)
from .auto_segments import ASSIGNMENTS_TABLE
from .consents import LEDGER, check_channel, consented_people
from .identity import PEOPLE_TABLE
from .personas import load_personas
from .stores import Stores

#: The kinds of source, in the order they are offered.
SOURCE_KINDS = ("segment", "auto", "persona")
#: Longest source name accepted.
MAX_SOURCE = 300


@dataclass(frozen=True)
class AudienceSource:
    """Something an audience can be made from; ``size`` is None when not known cheaply."""

    kind: str
    key: str
    label: str
    size: int | None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.key}"

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.ref, **asdict(self)}


@dataclass(frozen=True)
class AudiencePreview:
    """How many people an export would hold, counted without exporting."""

    source: str
    channel: str
    members: int
    consented: int
    rows: int
    masked: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_source(ref: str) -> tuple[str, str]:
    """``(kind, key)`` of a source name (see the module docstring)."""
    kind, sep, key = ref.partition(":")
    key = key.strip()
    if not sep or kind not in SOURCE_KINDS or not key or len(ref) > MAX_SOURCE:
        raise InputError(
            "web_exports.source", where=Where(field="source"), value=ref[:100],
            kinds=", ".join(SOURCE_KINDS),
        )  # fmt: skip
    return kind, key


def _auto_key(key: str) -> tuple[str, int]:
    run, sep, number = key.rpartition(":")
    if not sep or not run or not number.isdigit() or len(number) > 6:
        raise InputError(
            "web_exports.source", where=Where(field="source"), value=f"auto:{key}"[:100],
            kinds=", ".join(SOURCE_KINDS),
        )  # fmt: skip
    return run, int(number)


def audience_sources(stores: Stores) -> list[AudienceSource]:
    """Saved segments (by name), the segments of the latest automatic segmentation and the
    personas of the latest version, read from the app database only."""
    require("audiences.export")
    out: list[AudienceSource] = []
    with stores.app_db.session() as session:
        names = session.scalars(select(SavedSegment.name).order_by(SavedSegment.name))
        out.extend(AudienceSource("segment", str(n), str(n), None) for n in names)
        run = session.scalars(
            select(Segmentation).order_by(Segmentation.created_at.desc()).limit(1)
        ).first()
        summary: dict[str, Any] = dict(run.summary or {}) if run is not None else {}
        if run is not None:
            for segment in summary.get("segments") or []:
                number = int(segment.get("id", 0))
                key = f"{run.id}:{number}"
                out.append(AudienceSource("auto", key, str(number), int(segment.get("size", 0))))
    try:
        personas = load_personas(stores)
    except NotFoundError:
        personas = []
    out.extend(
        AudienceSource("persona", p.id, f"{p.id} · {p.identity.full_name}", int(p.size))
        for p in personas
    )
    return out


def auto_members(stores: Stores, segmentation_id: str, number: int) -> ir.Table:
    """Person ids (column ``person_id``) of segment ``number`` of an automatic segmentation."""
    require("segments.read")
    with stores.app_db.session() as session:
        run = session.get(Segmentation, segmentation_id)
        summary: dict[str, Any] = dict(run.summary or {}) if run is not None else {}
        k = int(summary.get("k", 0))
    wh = stores.warehouse
    if run is None or not wh.has_table(ASSIGNMENTS_TABLE):
        raise NotFoundError("segment.segmentation_not_found", id=segmentation_id)
    if not 1 <= number <= k:
        raise NotFoundError("web_exports.no_auto_segment", id=number, k=k)
    rows = wh.table(ASSIGNMENTS_TABLE)
    chosen = rows.filter((rows.segmentation_id == segmentation_id) & (rows[SEGMENT] == number))
    return chosen.select(person_id=chosen.customer_id).distinct()


def source_members(stores: Stores, ref: str) -> ir.Table:
    """Person ids (column ``person_id``) of the source ``ref``, now."""
    kind, key = parse_source(ref)
    if kind == "segment":
        return audience_members(stores, segment=key)
    if kind == "persona":
        return audience_members(stores, persona=key)
    return auto_members(stores, *_auto_key(key))


def preview_audience(stores: Stores, ref: str, channel: str) -> AudiencePreview:
    """How many people the source holds, how many of them consented to marketing on
    ``channel``, and how many of those have a contact for it (the rows of the export)."""
    principal = require("audiences.export")
    checked = check_channel(channel, required=True)
    assert checked is not None
    members = source_members(stores, ref)
    wh = stores.warehouse
    masked = not principal.can("personal_data.read")
    if not (wh.has_table(PEOPLE_TABLE) and wh.has_table(LEDGER)):
        total = int(members.count().to_pyarrow().as_py() or 0)
        return AudiencePreview(ref, checked, total, 0, 0, masked)
    consented = consented_people(stores, PURPOSE, checked)
    consented = consented.select(c_id=consented.person_id, c_ok=ibis.literal(1))
    people = wh.table(PEOPLE_TABLE)
    contacts = CONTACT_COLUMNS[checked]
    reach = people.select(
        p_id=people.person_id,
        p_ok=ibis.or_(*[people[_column(c)].notnull() for c in contacts]),
    )
    joined = members.left_join(consented, members.person_id == consented.c_id)
    joined = joined.left_join(reach, joined.person_id == reach.p_id)
    given = joined.c_ok.notnull()
    row = (
        joined.aggregate(
            members=joined.count(),
            consented=given.ifelse(1, 0).sum(),
            rows=(given & joined.p_ok.fill_null(False)).ifelse(1, 0).sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return AudiencePreview(
        ref,
        checked,
        int(row["members"] or 0),
        int(row["consented"] or 0),
        int(row["rows"] or 0),
        masked,
    )


def _column(contact: str) -> str:
    return "phone_e164" if contact == "phone" else contact


def export_source(
    stores: Stores, ref: str, *, channel: str, purpose: str, path: Path, fmt: str = "csv"
) -> AudienceReport:
    """Write the consented audience of the source ``ref`` for ``channel`` to ``path``."""
    kind, key = parse_source(ref)
    if kind == "segment":
        return export_audience(
            stores, segment=key, channel=channel, purpose=purpose, path=path, fmt=fmt
        )
    if kind == "persona":
        return export_audience(
            stores, persona=key, channel=channel, purpose=purpose, path=path, fmt=fmt
        )
    return _export_auto(stores, key, channel=channel, purpose=purpose, path=path, fmt=fmt)


def _export_auto(
    stores: Stores, key: str, *, channel: str, purpose: str, path: Path, fmt: str
) -> AudienceReport:
    """:func:`~chandung.services.audiences.export_audience` for an automatic segment."""
    require("audiences.export")
    members = auto_members(stores, *_auto_key(key))
    return export_members(
        stores, members, source="auto", name=key, channel=channel, purpose=purpose,
        path=path, fmt=fmt,
    )  # fmt: skip


__all__ = [
    "SOURCE_KINDS",
    "AudiencePreview",
    "AudienceSource",
    "audience_sources",
    "auto_members",
    "export_source",
    "parse_source",
    "preview_audience",
    "source_members",
]
