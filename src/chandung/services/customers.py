"""Reading the customer file person by person: list, one person's records, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ..errors import NotFoundError
from ..ingest.normalize.name_vn import name_key
from ..ingest.normalize.phone import normalize_phone_one
from ..privacy.context import current_principal, require
from ..privacy.masking import mask_record, mask_table
from ._export import ExportFormat, write_batches
from .identity import LINKS_TABLE, PEOPLE_TABLE, resolve_identities
from .stores import Stores

#: Export columns, in order: canonical field names (``customer_id`` is the person's id, ``phone``
#: the E.164 number), then the ids of the source records behind each person.
EXPORT_COLUMNS = (
    "customer_id", "full_name", "phone", "email", "gender", "gender_inferred", "birth_date",
    "birth_year", "marital_status", "children_count", "occupation", "monthly_income_vnd",
    "education", "address", "province", "province_former", "preferred_contact_channel",
    "primary_device", "platform", "account_id", "acquisition_channel", "first_seen_at",
    "records", "source_record_ids",
)  # fmt: skip


def people(stores: Stores) -> ir.Table:
    """One row per person, with the export columns; identities are resolved if never done."""
    wh = stores.warehouse
    if not (wh.has_table(PEOPLE_TABLE) and wh.has_table(LINKS_TABLE)):
        resolve_identities(stores)
    golden = wh.table(PEOPLE_TABLE)
    links = wh.table(LINKS_TABLE)
    sources = links.group_by("person_id").aggregate(
        source_record_ids=links.customer_id.group_concat(",", order_by=links.customer_id)
    )
    joined = golden.left_join(sources, "person_id")
    renamed = {"customer_id": joined.person_id, "phone": joined.phone_e164}
    return joined.select(**{c: renamed[c] if c in renamed else joined[c] for c in EXPORT_COLUMNS})


def list_people(
    stores: Stores, *, search: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, pa.Table]:
    """How many people match ``search`` (name without diacritics, phone or e-mail), and a page.

    The filter and the count run on the golden records alone; the ids of the source records
    are gathered for the page's people only, so a page costs the same at any size.
    """
    wh = stores.warehouse
    if not (wh.has_table(PEOPLE_TABLE) and wh.has_table(LINKS_TABLE)):
        resolve_identities(stores)
    golden = wh.table(PEOPLE_TABLE)
    if search:
        key = name_key([search]).to_pylist()[0] or ""
        phone = normalize_phone_one(search)
        condition = golden.name_key.contains(key) if key else ibis.literal(False)
        condition |= golden.email.lower().contains(search.strip().lower())
        if phone:
            condition |= golden.phone_e164 == phone
        golden = golden.filter(condition)
    total = int(golden.count().to_pyarrow().as_py())
    page = golden.order_by("person_id").limit(limit, offset=offset)
    links = wh.table(LINKS_TABLE)
    ids = page.select("person_id")
    mine = links.filter(links.person_id.isin(ids.person_id))
    sources = mine.group_by("person_id").aggregate(
        source_record_ids=mine.customer_id.group_concat(",", order_by=mine.customer_id)
    )
    joined = page.left_join(sources, "person_id")
    renamed = {"customer_id": joined.person_id, "phone": joined.phone_e164}
    columns = {c: renamed[c] if c in renamed else joined[c] for c in EXPORT_COLUMNS}
    return total, joined.select(**columns).order_by("customer_id").to_pyarrow()


def _sees_personal_data() -> bool:
    return current_principal().can("personal_data.read")


def _audit(stores: Stores, action: str, **kwargs: Any) -> None:
    from .audit import record

    record(stores, action, **kwargs)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def list_people_for(
    stores: Stores, *, search: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    """A page of people as the current principal may see them: personal data masked unless
    they hold ``personal_data.read``, and every unmasked view recorded in the audit log."""
    require("customers.read")
    total, page = list_people(stores, search=search, limit=limit, offset=offset)
    rows = [{k: _jsonable(v) for k, v in r.items()} for r in page.to_pylist()]
    if not _sees_personal_data():
        return total, [mask_record(r) for r in rows]
    if rows:
        ids = [str(r["customer_id"]) for r in rows]
        _audit(
            stores, "personal_data.view", target="customers",
            rows=len(rows), details={"ids": ids[:500], "search": bool(search)},
        )  # fmt: skip
    return total, rows


def show_person(stores: Stores, customer_id: str) -> dict[str, Any]:
    """A person found by any of their record ids: the golden record and every source record
    (masked unless the principal may see personal data; an unmasked view is audited)."""
    require("customers.read")
    found = _show_person(stores, customer_id)
    if not _sees_personal_data():
        return {
            "person": mask_record(found["person"]),
            "records": [mask_record(r) for r in found["records"]],
        }
    _audit(stores, "personal_data.view", target=str(found["person"]["customer_id"]), rows=1)
    return found


def _show_person(stores: Stores, customer_id: str) -> dict[str, Any]:
    wh = stores.warehouse
    everyone = people(stores)
    links = wh.table(LINKS_TABLE)
    hit = links.filter(links.customer_id == customer_id).to_pyarrow().to_pylist()
    if not hit:
        raise NotFoundError("customer.not_found", customer_id=customer_id)
    person_id = hit[0]["person_id"]
    golden = everyone.filter(everyone.customer_id == person_id).to_pyarrow().to_pylist()[0]
    member_links = links.filter(links.person_id == person_id)
    customers = wh.table("customers")
    records = customers.inner_join(member_links, "customer_id").order_by("customer_id")
    return {"person": golden, "records": records.to_pyarrow().to_pylist()}


def export_people(stores: Stores, output: Path, fmt: ExportFormat) -> int:
    """Write every person to ``output`` (atomically), streaming; returns the number of rows.

    Personal data is masked unless the principal may see it; the export is audited."""
    require("data.export")
    batches = people(stores).order_by("customer_id").to_pyarrow_batches(chunk_size=50_000)
    masked = not _sees_personal_data()
    if masked:
        schema = mask_table(batches.schema.empty_table()).schema
        batches = pa.RecordBatchReader.from_batches(
            schema,
            (
                batch
                for b in batches
                if b.num_rows
                for batch in mask_table(pa.Table.from_batches([b])).to_batches()
            ),
        )
    written = write_batches(batches, output, fmt)
    _audit(
        stores, "export", target=str(output) if str(output) != "-" else "stdout", rows=written,
        purpose="customer file", details={"format": fmt, "masked": masked},
    )  # fmt: skip
    return written
