"""Importing an uploaded file from the web app: the mapping preview, the import itself, the
history of imports, and the masking of what their reports quote.

The preview is a dry run of :func:`~chandung.services.imports.import_file` over a working copy
of the upload (for a large text file, over its first :data:`PREVIEW_BYTES`, so that the page
stays quick; the import then reads it all). A dry run reads the file only and never the
warehouse. The mapping a person corrects is kept with the upload and handed to the import as a
mapping file, so the web import and ``chandung import --mapping`` do the same thing.

Reports quote rejected values (phones, names...): for a person without
``personal_data.read`` they are masked like the customer file is.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from ..errors import ChandungError, InputError, Where
from ..ingest.mapping import map_columns
from ..ingest.pipeline import derivable_fields
from ..ingest.readers import open_source
from ..privacy.masking import MASK, mask_email, mask_name, mask_phone
from ..privacy.roles import Principal
from ..schema import TABLES_BY_NAME
from ..store.app_models import ImportBatch
from . import order_lines, uploads
from .imports import import_file
from .quarantine import QUARANTINE_SCHEMA
from .stores import Stores, read_private_parquet
from .uploads import Upload

logger = logging.getLogger(__name__)

#: How much of a large text file the preview reads.
PREVIEW_BYTES = 2 * 1024 * 1024
#: Problems a report page lists.
SHOWN_ERRORS = 20
_NOT_FIELDS = frozenset({"source", "import_batch", "extra_attributes"})
_FIELDS = {c.name for t in TABLES_BY_NAME.values() for c in t.columns}
# The matching key of a name spells the name out: masked like it.
_PERSONAL = {c.name for t in TABLES_BY_NAME.values() for c in t.columns if c.personal} | {
    "name_key"
}
_RAW_MASKERS = {
    "full_name": mask_name, "name_key": mask_name, "phone": mask_phone,
    "phone_e164": mask_phone, "email": mask_email,
}  # fmt: skip


# --- mapping ----------------------------------------------------------------------------


def _tables(kind: str) -> list[str]:
    return ["order_items", "orders", "customers"] if kind == order_lines.KIND else [kind]


def field_choices(kind: str) -> list[str]:
    """The fields a column of a file of ``kind`` may be mapped to."""
    out: list[str] = []
    for name in _tables(kind):
        out += [c for c in TABLES_BY_NAME[name].column_names if c not in _NOT_FIELDS]
    return list(dict.fromkeys(out))


def required_fields(kind: str) -> list[str]:
    """Fields some column must give (the import cannot make them itself)."""
    # An export of order lines gives line numbers and totals, order totals and customer ids
    # by itself (see services.order_lines).
    made = {"line_number", "line_total_vnd", "total_vnd", "customer_id"}
    out: list[str] = []
    for name in _tables(kind):
        spec = TABLES_BY_NAME[name]
        derived = set(derivable_fields(spec)) | _NOT_FIELDS
        if kind == order_lines.KIND:
            derived |= made
        out += [c.name for c in spec.columns if c.required and c.name not in derived]
    return list(dict.fromkeys(out))


def automatic_mapping(
    kind: str, columns: Sequence[str], overrides: Mapping[str, str | None] | None = None
) -> dict[str, str | None]:
    """Column → field as the import maps them (None: kept as an extra attribute), by itself
    or with ``overrides`` of some columns (as a mapping file gives them)."""
    given = {c: t for c, t in (overrides or {}).items() if c in columns}
    if kind == order_lines.KIND:
        found: dict[str, str] = {}
        for plan in order_lines.plan(list(columns), given).values():
            for column, target in plan.fields.items():
                found.setdefault(column, target)
        return {c: found.get(c) for c in columns}
    spec = TABLES_BY_NAME[kind]
    fields = map_columns(columns, spec, given, derivable_fields(spec)).fields
    return {c: fields.get(c) for c in columns}


def current_mapping(upload: Upload) -> dict[str, str | None]:
    """The mapping the import of ``upload`` would use now."""
    try:
        return automatic_mapping(upload.kind, upload.columns or [], upload.mapping)
    except InputError:  # a mapping naming a field the kind lacks: show the automatic one
        return automatic_mapping(upload.kind, upload.columns or [])


def check_targets(kind: str, mapping: Mapping[str, str | None]) -> None:
    """Check that each field of ``mapping`` is one of ``kind`` and given to one column only.

    Raises
    ------
    InputError
        ``web_data.mapping_field`` or ``web_data.mapping_duplicate``.
    """
    allowed = set(field_choices(kind))
    for target in mapping.values():
        if target is not None and target not in allowed:
            raise InputError("web_data.mapping_field", field=target[:60])
    targets = [t for t in mapping.values() if t]
    twice = sorted({t for t in targets if targets.count(t) > 1})
    if twice:
        raise InputError("web_data.mapping_duplicate", fields=", ".join(twice))


def choose_mapping(
    kind: str, columns: Sequence[str], chosen: Sequence[str]
) -> dict[str, str | None] | None:
    """The mapping a person chose (one field or "" per column, in order), checked; None when
    it is the automatic one.

    Raises
    ------
    InputError
        ``web_data.mapping_stale`` (not one choice per column), ``web_data.mapping_field`` (a
        field the file's kind does not have), ``web_data.mapping_duplicate`` (two columns
        for one field).
    """
    if len(chosen) != len(columns):
        raise InputError("web_data.mapping_stale")
    mapping = {c: v.strip() or None for c, v in zip(columns, chosen, strict=True)}
    check_targets(kind, mapping)
    return None if mapping == automatic_mapping(kind, columns) else mapping


# --- masking ----------------------------------------------------------------------------


def mask_value(value: Any, field: str | None) -> Any:
    """A value a file held in ``field`` (a canonical field, or None when unknown), masked."""
    if value is None:
        return None
    if field in _FIELDS and field not in _PERSONAL:
        return value
    masker = _RAW_MASKERS.get(field or "")
    return masker(str(value)) if masker else MASK


def _field_of(column: str | None, mapping: Mapping[str, Any]) -> str | None:
    if column is None:
        return None
    target = mapping.get(column)
    if isinstance(target, str) and target:
        return target.rsplit(".", 1)[-1]
    # A required field no column gave is reported under its own name.
    return column if column in _FIELDS and column not in mapping else None


def mask_problems(
    problems: Sequence[Mapping[str, Any]], mapping: Mapping[str, Any], principal: Principal
) -> list[dict[str, Any]]:
    """Problems (row, column, value, reason...) with their values masked unless
    ``principal`` may read personal data; the whole source ``record`` is dropped then."""
    if principal.can("personal_data.read"):
        return [dict(p) for p in problems]
    return [
        {
            **{k: v for k, v in p.items() if k != "record"},
            "value": mask_value(p.get("value"), _field_of(p.get("column"), mapping)),
        }
        for p in problems
    ]


def mask_rows(rows: Sequence[Mapping[str, Any]], principal: Principal) -> list[dict[str, Any]]:
    """Canonical rows with their personal fields (and extra attributes) masked."""
    if principal.can("personal_data.read"):
        return [dict(r) for r in rows]
    return [
        {
            k: (MASK if v is not None else None) if k == "extra_attributes" else mask_value(v, k)
            for k, v in r.items()
        }
        for r in rows
    ]


def mask_report(report: Mapping[str, Any], principal: Principal) -> dict[str, Any]:
    """An import report (as a dict) fit for ``principal``."""
    out = dict(report)
    mapping = report.get("mapping") or {}
    out["errors"] = mask_problems(report.get("errors") or [], mapping, principal)
    out["sample"] = mask_rows(report.get("sample") or [], principal)
    return out


# --- preview and import -----------------------------------------------------------------


def for_person(exc: ChandungError, upload: Upload, working: Path | None) -> ChandungError:
    """``exc`` naming the file as the person knows it, never by its path on the server."""
    params = dict(exc.params)
    if working is not None:
        for name, value in params.items():
            if isinstance(value, str) and str(working.parent) in value:
                params[name] = value.replace(str(working), upload.name).replace(
                    str(working.parent), ""
                )
    where = replace(exc.where, file=upload.name) if exc.where and exc.where.file else exc.where
    return type(exc)(exc.code, where=where, **params)


@dataclass(frozen=True)
class Preview:
    """What importing an upload would do, for the mapping page."""

    upload: Upload
    mapping: dict[str, str | None]
    #: The dry run's report (masked), or None when the mapping does not allow an import.
    report: dict[str, Any] | None
    #: Why the file cannot be imported with this mapping (e.g. a required field is missing).
    problem: ChandungError | None
    #: Whether only the first part of a large file was read.
    sampled: bool
    #: Fields the sample rows have values in.
    sample_fields: list[str]


def preview(stores: Stores, upload: Upload, principal: Principal) -> Preview:
    """Dry-run the import of ``upload``; the file's columns are kept with it.

    Raises
    ------
    InputError
        The file cannot be read (the upload is deleted then, unless only its sheet is wrong).
    """
    with uploads.working_copy(stores, upload, head_bytes=PREVIEW_BYTES) as copy:
        try:
            source = open_source(copy.path, sheet=upload.sheet)
            columns = list(source.columns)
            closing = getattr(source.batches, "close", None)
            if closing is not None:
                closing()
            if columns != upload.columns:
                stale = upload.columns is not None and upload.mapping is not None
                upload = replace(upload, columns=columns, mapping=None if stale else upload.mapping)
                uploads.save(stores.workspace, upload)
            problem: ChandungError | None = None
            report = None
            try:
                report = import_file(
                    stores, upload.kind, copy.path, mapping_file=copy.mapping_file,
                    dry_run=True, sheet=upload.sheet,
                ).as_dict()  # fmt: skip
            except InputError as exc:
                if not exc.code.startswith("input.mapping."):
                    raise
                problem = for_person(exc, upload, copy.path)
        except ChandungError as exc:
            if exc.code != "input.sheet.missing":
                uploads.delete(stores.workspace, upload.id)
            raise for_person(exc, upload, copy.path) from None
        except Exception as exc:  # a hostile file can break a reader in any way
            logger.warning("upload %s cannot be read", upload.id, exc_info=exc)
            uploads.delete(stores.workspace, upload.id)
            raise InputError("web_data.unreadable", where=Where(file=upload.name)) from None
    masked = mask_report(report, principal) if report is not None else None
    sample = masked["sample"] if masked else []
    shown = [
        f
        for f in (sample[0] if sample else {})
        if f not in ("source", "import_batch") and any(r.get(f) is not None for r in sample)
    ]
    return Preview(upload, current_mapping(upload), masked, problem, copy.sampled, shown)


def run_import(stores: Stores, upload_id: str, principal: Principal) -> dict[str, Any]:
    """Import the upload ``upload_id`` (the task of a background job); the upload is deleted
    once imported. Returns ``{"upload": name, "report": the report, masked}``."""
    upload = uploads.get(stores.workspace, upload_id, principal)
    with uploads.working_copy(stores, upload) as copy:
        try:
            report = import_file(
                stores, upload.kind, copy.path, mapping_file=copy.mapping_file,
                sheet=upload.sheet,
            )  # fmt: skip
        except ChandungError as exc:
            raise for_person(exc, upload, copy.path) from None
        except pa.ArrowException as exc:  # a reader stumbled over the file's content
            logger.warning("upload %s cannot be read", upload.id, exc_info=exc)
            raise InputError("web_data.unreadable", where=Where(file=upload.name)) from None
    if upload.corrects:
        resolve_quarantined(stores, str(upload.corrects["batch"]), int(str(upload.corrects["row"])))
    uploads.delete(stores.workspace, upload.id)
    result = report.as_dict()
    result.pop("sample", None)
    result["file"] = upload.name
    return {"upload": upload.name, "report": mask_report(result, principal)}


def resolve_quarantined(stores: Stores, batch: str, row: int) -> int:
    """Take row ``row`` of import ``batch`` out of the quarantine (it was corrected and
    imported again); returns how many entries went."""
    path = stores.workspace.quarantine_dir / f"{batch}.parquet"
    if not path.is_file() or "/" in batch or batch.startswith("."):
        return 0
    rows = read_private_parquet(stores.workspace, path)
    kept = rows.filter(pc.fill_null(pc.not_equal(rows.column("row"), row), True))
    gone = int(rows.num_rows - kept.num_rows)
    if gone:
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            with stores.private_parquet_writer(tmp, QUARANTINE_SCHEMA) as writer:
                writer.write_table(kept.cast(QUARANTINE_SCHEMA))
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return gone


# --- history ----------------------------------------------------------------------------

_SUMMARY = (
    "rows_read", "rows_loaded", "rows_quarantined", "rows_new", "rows_already_present",
    "customers_created", "customers_matched", "issues",
)  # fmt: skip


def _summary(batch: ImportBatch) -> dict[str, Any]:
    report = batch.details.get("report") if isinstance(batch.details, dict) else None
    report = report if isinstance(report, dict) else {}
    return {
        "id": batch.id,
        "file": Path(batch.source).name,
        "kind": report.get("kind") or batch.details.get("table") or "",
        "started_at": batch.started_at.isoformat() if batch.started_at else None,
        "status": batch.status,
        **{k: int(report.get(k) or 0) for k in _SUMMARY},
        "rows_loaded": int(report.get("rows_loaded") or batch.rows_loaded or 0),
    }


def recent_imports(stores: Stores, limit: int = 20) -> list[dict[str, Any]]:
    """The latest imports, newest first: file name, kind and counts (no values quoted)."""
    query = select(ImportBatch).order_by(ImportBatch.started_at.desc()).limit(limit)
    with stores.app_db.session() as session:
        return [_summary(b) for b in session.scalars(query)]


def saved_report(stores: Stores, batch_id: str, principal: Principal) -> dict[str, Any] | None:
    """The report an import recorded (its first problems only), masked for ``principal``."""
    with stores.app_db.session() as session:
        batch = session.get(ImportBatch, batch_id[:64])
        if batch is None:
            return None
        report = batch.details.get("report") if isinstance(batch.details, dict) else None
        summary = _summary(batch)
    if not isinstance(report, dict):
        return {**summary, "errors": [], "mapping": {}, "tables": {}, "unmapped_columns": []}
    masked = mask_report({**report, "file": summary["file"]}, principal)
    return {**summary, **masked, "file": summary["file"]}


__all__ = [
    "PREVIEW_BYTES",
    "Preview",
    "automatic_mapping",
    "check_targets",
    "choose_mapping",
    "current_mapping",
    "field_choices",
    "for_person",
    "mask_problems",
    "mask_report",
    "mask_rows",
    "mask_value",
    "preview",
    "recent_imports",
    "required_fields",
    "resolve_quarantined",
    "run_import",
    "saved_report",
]
