"""Reviewing the quarantine: a page of rows, a download to correct in a spreadsheet, and the
correction of one value, imported again.

Values are masked for a person without ``personal_data.read`` (see
:mod:`chandung.services.import_review`). A download is safe to open in a spreadsheet (no cell
is read as a formula) and recorded in the audit log. A correction rebuilds the quarantined
row from the source record kept with it, with the corrected value, as a one-row file imported
with the mapping of the original import; once imported, the row leaves the quarantine.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import select

from ..errors import InputError, NotFoundError
from ..i18n import reason_text
from ..privacy.exports import neutralise_table
from ..privacy.roles import Principal
from ..store.app_models import ImportBatch
from . import audit, uploads
from .import_review import field_choices, mask_problems
from .quarantine import quarantine_rows
from .stores import Stores
from .uploads import Upload

PAGE = 50
KINDS = ("quarantine", "issue")
_COLUMNS = ("import_batch", "kind", "row", "column", "value", "reason")


@dataclass(frozen=True)
class QuarantinePage:
    """One page of quarantined rows (or refused values), newest import first."""

    total: int
    offset: int
    rows: list[dict[str, Any]]
    batches: list[str]
    masked: bool


def batches(stores: Stores) -> list[str]:
    """The imports that have a quarantine file, newest first."""
    folder = stores.workspace.quarantine_dir
    if not folder.is_dir():
        return []
    names = [p.stem for p in folder.glob("*.parquet") if not p.name.startswith(".")]
    return sorted(names, reverse=True)


def _imports(stores: Stores, ids: set[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Kind and mapping of each import of ``ids``."""
    if not ids:
        return {}
    query = select(ImportBatch).where(ImportBatch.id.in_(sorted(ids)))
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    with stores.app_db.session() as session:
        for batch in session.scalars(query):
            report = batch.details.get("report") if isinstance(batch.details, dict) else None
            if isinstance(report, dict):
                out[batch.id] = (str(report.get("kind") or ""), dict(report.get("mapping") or {}))
    return out


def _problems(stores: Stores, batch: str | None, kind: str) -> pa.Table:
    if batch is not None and batch not in batches(stores):
        raise NotFoundError("web_data.no_import", batch=batch[:80])
    return quarantine_rows(stores.workspace, batch=batch, kind=kind)


def _masked(
    stores: Stores, rows: list[dict[str, Any]], principal: Principal
) -> list[dict[str, Any]]:
    imports = _imports(stores, {r["import_batch"] for r in rows})
    out = []
    for r in rows:
        kind, mapping = imports.get(r["import_batch"], ("", {}))
        record = r.get("record")
        correctable = (
            r["kind"] == "quarantine" and bool(kind) and isinstance(record, str)
            and record.startswith("{") and r.get("column") is not None
        )  # fmt: skip
        out.append({**mask_problems([r], mapping, principal)[0], "correctable": correctable})
    return out


def quarantine_page(
    stores: Stores,
    principal: Principal,
    *,
    batch: str | None = None,
    kind: str = "quarantine",
    offset: int = 0,
    limit: int = PAGE,
) -> QuarantinePage:
    """Rows of the quarantine (``kind="quarantine"``) or refused values (``"issue"``)."""
    if kind not in KINDS:
        raise InputError("web_data.quarantine_kind", kinds=", ".join(KINDS))
    rows = _problems(stores, batch, kind)
    page = rows.slice(offset, limit).to_pylist()
    masked = not principal.can("personal_data.read")
    return QuarantinePage(
        rows.num_rows, offset, _masked(stores, page, principal), batches(stores), masked
    )


def quarantine_csv(
    stores: Stores, principal: Principal, *, batch: str | None = None, language: str = "vi"
) -> tuple[bytes, int]:
    """The quarantined rows as CSV (UTF-8 with a byte-order mark, for spreadsheets), masked for
    ``principal`` and safe to open; the download is recorded in the audit log."""
    rows = _problems(stores, batch, "quarantine").to_pylist()
    imports = _imports(stores, {r["import_batch"] for r in rows})
    unmasked = principal.can("personal_data.read")
    records: dict[str, list[Any]] = {name: [] for name in (*_COLUMNS, "reason_text")}
    if unmasked:
        records["record"] = []
    for r in rows:
        shown = mask_problems([r], imports.get(r["import_batch"], ("", {}))[1], principal)[0]
        for name in _COLUMNS:
            value = shown.get(name)
            records[name].append(None if value is None else str(value))
        records["reason_text"].append(reason_text(r["reason"] or "", language))
        if unmasked:
            records["record"].append(r.get("record"))
    table = pa.table({k: pa.array(v, pa.string()) for k, v in records.items()})
    out = io.BytesIO()
    out.write(b"\xef\xbb\xbf")
    pacsv.write_csv(neutralise_table(table), out)
    audit.record(
        stores, "export", target=f"quarantine:{batch or 'all'}", rows=len(rows),
        details={"format": "csv", "masked": not unmasked},
    )  # fmt: skip
    return out.getvalue(), len(rows)


def correct_row(
    stores: Stores, principal: Principal, batch: str, row: int, column: str, value: str
) -> Upload:
    """An upload of the quarantined row ``row`` of import ``batch``, with ``column`` set to
    ``value``, ready to import with the original mapping.

    Raises
    ------
    NotFoundError
        ``web_data.no_quarantined_row``: no such row in the quarantine.
    InputError
        ``web_data.cannot_correct``: the row cannot be rebuilt (the file could not be split
        into fields there, or the import left no mapping); download it, correct the file and
        upload it again instead.
    """
    rows = _problems(stores, batch, "quarantine")
    match = pc.and_(pc.equal(rows.column("row"), row), pc.equal(rows.column("column"), column))
    found = rows.filter(pc.fill_null(match, False)).to_pylist()
    if not found:
        raise NotFoundError("web_data.no_quarantined_row", row=row)
    try:
        record = json.loads(found[0].get("record") or "")
    except ValueError:
        record = None
    kind, mapping = _imports(stores, {batch}).get(batch, ("", {}))
    if not isinstance(record, dict) or not kind:
        raise InputError("web_data.cannot_correct", row=row)
    record[column] = value
    overrides: dict[str, str | None] = {}
    for name in record:
        target = mapping.get(name)
        overrides[name] = target.rsplit(".", 1)[-1] if isinstance(target, str) and target else None
    if column not in mapping and column in field_choices(kind):
        overrides[column] = column
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(list(record))
    writer.writerow(["" if v is None else str(v) for v in record.values()])
    return uploads.store_bytes(
        stores, principal.username, f"{batch}-row-{row}.csv", kind, text.getvalue().encode(),
        columns=list(record), mapping=overrides, corrects={"batch": batch, "row": row},
    )  # fmt: skip


__all__ = ["KINDS", "PAGE", "QuarantinePage", "batches", "correct_row", "quarantine_csv",
           "quarantine_page"]  # fmt: skip
