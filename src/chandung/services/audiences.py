"""Audiences: the people of a segment or persona who may be contacted, ready for a campaign.

An audience is the members of a saved segment (by its rule, now) or of a persona (the
segment it was made from), kept to those whose latest marketing consent for the channel is
given (:func:`~chandung.services.consents.consented_people`) and who have a contact for it.
Each row has the person id, their name and their contact for the channel: the phone for Zalo,
SMS, calls and in-store, the e-mail for e-mail, both for the social networks (whose custom
audiences match on either). A person without any contact for the channel is left out.

Names and contacts are masked unless the person exporting may read personal data
(``personal_data.read``); every text cell is made safe to open in a spreadsheet
(:mod:`chandung.privacy.exports`). The purpose of the export is required and kept in the
audit log with the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ..errors import InputError, Where
from ..privacy.context import require
from ..privacy.exports import neutralise_table
from ..privacy.masking import mask_email, mask_name, mask_phone
from ..segments.auto import SEGMENT
from . import audit
from ._export import FORMATS, write_batches
from .auto_segments import ASSIGNMENTS_TABLE
from .consents import check_channel, consented_people
from .identity import PEOPLE_TABLE
from .personas import get_persona
from .segments import segment_members
from .stores import Stores

#: The consent an audience needs.
PURPOSE = "marketing"
#: The contacts exported for each channel.
CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "zalo": ("phone",), "sms": ("phone",), "phone": ("phone",), "in_store": ("phone",),
    "email": ("email",), "facebook": ("phone", "email"), "instagram": ("phone", "email"),
    "tiktok": ("phone", "email"),
}  # fmt: skip
_MASKERS = {"display_name": mask_name, "phone": mask_phone, "email": mask_email}


@dataclass(frozen=True)
class AudienceReport:
    """What an audience export wrote."""

    source: str
    name: str
    channel: str
    purpose: str
    format: str
    path: str | None
    members: int
    consented: int
    rows: int
    masked: bool
    columns: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _persona_members(stores: Stores, persona_id: str) -> ir.Table:
    persona = get_persona(stores, persona_id)
    segment = persona.segment
    source = segment.get("source")
    if source == "auto":
        wh = stores.warehouse
        if not wh.has_table(ASSIGNMENTS_TABLE):
            raise InputError("audience.persona_segment", id=persona.id)
        rows = wh.table(ASSIGNMENTS_TABLE)
        chosen = rows.filter(
            (rows.segmentation_id == str(segment.get("segmentation_id")))
            & (rows[SEGMENT] == int(segment.get("id", 0)))
        )
        return chosen.select(person_id=chosen.customer_id)
    if source == "segments":
        names = list(segment.get("segments") or [])
        index = int(segment.get("id", 0))
        if not 1 <= index <= len(names):
            raise InputError("audience.persona_segment", id=persona.id)
        members = segment_members(stores, str(names[index - 1]))
        return members.select(person_id=members.customer_id)
    raise InputError("audience.persona_segment", id=persona.id)


def audience_members(
    stores: Stores, *, segment: str | None = None, persona: str | None = None
) -> ir.Table:
    """Person ids (column ``person_id``) of a saved segment or of a persona, now."""
    if (segment is None) == (persona is None):
        raise InputError("audience.source")
    if segment is not None:
        members = segment_members(stores, segment)
        return members.select(person_id=members.customer_id).distinct()
    assert persona is not None
    return _persona_members(stores, persona).distinct()


def export_audience(
    stores: Stores,
    *,
    segment: str | None = None,
    persona: str | None = None,
    channel: str,
    purpose: str,
    path: Path | None,
    fmt: str = "csv",
) -> AudienceReport:
    """Write the consented audience of a segment or persona for ``channel`` to ``path``
    (atomically; standard output when ``None``), in ``fmt`` (csv, parquet or json)."""
    require("audiences.export")
    members = audience_members(stores, segment=segment, persona=persona)
    source, name = ("segment", segment) if segment is not None else ("persona", persona)
    assert name is not None
    return export_members(
        stores, members, source=source, name=name, channel=channel, purpose=purpose,
        path=path, fmt=fmt,
    )  # fmt: skip


def export_members(
    stores: Stores,
    members: ir.Table,
    *,
    source: str,
    name: str,
    channel: str,
    purpose: str,
    path: Path | None,
    fmt: str = "csv",
) -> AudienceReport:
    """Write the consented audience among ``members`` (a table of ``person_id``) for
    ``channel``: contacts only of people who consented to marketing on it, masked unless the
    principal may see personal data, spreadsheet formulas neutralised, audited with the
    purpose as ``audience:{source}:{name}``."""
    principal = require("audiences.export")
    purpose = purpose.strip()
    if not purpose:
        raise InputError("audience.purpose", where=Where(field="--purpose"))
    checked = check_channel(channel, required=True)
    assert checked is not None
    if fmt not in FORMATS:
        raise InputError("input.export_format", where=Where(field="--format"), value=fmt)
    consented = consented_people(stores, PURPOSE, checked)
    reachable = members.inner_join(consented, "person_id").select("person_id")
    people = stores.warehouse.table(PEOPLE_TABLE)
    contacts = CONTACT_COLUMNS[checked]
    details = people.select(
        person_id=people.person_id,
        display_name=people.full_name,
        phone=people.phone_e164,
        email=people.email,
    )
    joined = reachable.inner_join(details, "person_id")
    columns = ["person_id", "display_name", *contacts]
    has_contact = ibis.or_(*[joined[c].notnull() for c in contacts])
    audience = joined.filter(has_contact).select(*columns).order_by("person_id")
    counts = (
        members.aggregate(n=members.count()).to_pyarrow().to_pylist()[0]["n"],
        reachable.aggregate(n=reachable.count()).to_pyarrow().to_pylist()[0]["n"],
    )
    masked = not principal.can("personal_data.read")
    schema = pa.schema([pa.field(c, pa.string()) for c in columns])

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in audience.to_pyarrow_batches(chunk_size=50_000):
            table = pa.Table.from_batches([batch]).cast(schema)
            if masked:
                table = _mask(table)
            yield from neutralise_table(table).to_batches()

    reader = pa.RecordBatchReader.from_batches(schema, batches())
    rows = write_batches(reader, path, fmt)
    audit.record(
        stores,
        "export",
        target=f"audience:{source}:{name}",
        rows=rows,
        purpose=purpose,
        details={
            "channel": checked,
            "format": fmt,
            "masked": masked,
            "file": path.name if path is not None else "",
        },
    )
    return AudienceReport(
        source=source,
        name=name,
        channel=checked,
        purpose=purpose,
        format=fmt,
        path=str(path) if path is not None else None,
        members=int(counts[0] or 0),
        consented=int(counts[1] or 0),
        rows=rows,
        masked=masked,
        columns=columns,
    )


def _mask(table: pa.Table) -> pa.Table:
    for index, name in enumerate(table.column_names):
        masker = _MASKERS.get(name)
        if masker is not None:
            values = [masker(v) for v in table.column(index).to_pylist()]
            table = table.set_column(index, name, pa.array(values, pa.string()))
    return table


__all__ = ["CONTACT_COLUMNS", "AudienceReport", "audience_members", "export_audience"]
