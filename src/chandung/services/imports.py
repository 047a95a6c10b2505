"""Importing a source file into the customer file: read, map, normalise, validate, load.

An import is all or nothing. Loadable rows go to a work table and quarantined rows to a file
beside it; only when the whole file has been read are the rows published into the canonical
table (in one transaction on DuckDB), the quarantine file moved into place and the batch
recorded. A killed import leaves the customer file as it was. Importing the same file again
with the same mapping changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select

from ..errors import InputError, Where
from ..ingest.mapping import ColumnMapping, load_mapping_file, map_columns
from ..ingest.pipeline import PROBLEM_SCHEMA, derivable_fields, prepare
from ..ingest.readers import ROW_COLUMN, RejectedRow, SourceFile, open_source
from ..schema import TABLES_BY_NAME, Table
from ..store.app_models import ImportBatch
from ..store.loads import Load
from . import audit, order_lines
from ._prefetch import prefetch
from .choices import KINDS
from .identity import PEOPLE_TABLE, resolve_identities
from .quarantine import QUARANTINE_SCHEMA
from .stores import Stores, warehouse_step

SCRATCH_PREFIX = "_import_"
#: How many problems an import report lists (all are kept in the quarantine file).
REPORTED_ERRORS = 100
SAMPLE_ROWS = 10


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    kind: str
    file: str
    import_batch: str
    dry_run: bool
    already_imported: bool
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_new: int = 0
    rows_already_present: int = 0
    customers_created: int = 0
    customers_matched: int = 0
    issues: int = 0
    mapping: dict[str, str] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    unmapped_columns: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    sample: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@warehouse_step("import")
def import_file(
    stores: Stores,
    kind: str,
    path: str | Path,
    *,
    mapping_file: str | Path | None = None,
    dry_run: bool = False,
    sheet: str | None = None,
) -> ImportReport:
    """Import ``path`` into the canonical table ``kind``; see the module docstring."""
    if kind not in KINDS:
        raise InputError("input.kind", value=kind, kinds=", ".join(KINDS))
    spec = TABLES_BY_NAME.get(kind, TABLES_BY_NAME["order_items"])
    path = Path(path)
    overrides = load_mapping_file(mapping_file) if mapping_file else {}
    digest = _digest(path, kind, overrides, sheet)
    batch_id = f"import-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"

    if not dry_run:
        previous = _previous_import(stores, digest)
        if previous is not None:
            report = ImportReport(**{**previous, "dry_run": False, "already_imported": True})
            report.rows_loaded = report.rows_new = 0
            return report

    if not dry_run:
        discard_unfinished(stores)
    rejected: list[RejectedRow] = []
    source = open_source(path, sheet=sheet, rejected=rejected)
    if kind == order_lines.KIND:
        return _import_order_lines(stores, source, rejected, overrides, dry_run, digest, batch_id)
    mapping = map_columns(source.columns, spec, overrides, derivable_fields(spec))
    if mapping.missing_required:
        raise InputError(
            "input.mapping.missing_required",
            where=Where(file=str(path)),
            fields=", ".join(mapping.missing_required),
            columns=", ".join(source.columns),
        )
    report = ImportReport(
        kind,
        str(path),
        batch_id,
        dry_run,
        False,
        mapping=mapping.fields,
        unmapped_columns=mapping.unmapped,
    )
    scratch = SCRATCH_PREFIX + uuid.uuid4().hex[:12]
    quarantine_tmp = stores.workspace.quarantine_dir / f".{batch_id}.parquet.tmp"
    quarantine_final = stores.workspace.quarantine_dir / f"{batch_id}.parquet"
    writer = (
        stores.private_parquet_writer(quarantine_tmp, QUARANTINE_SCHEMA) if not dry_run else None
    )
    wh = stores.warehouse
    load: Load | None = None
    # Counted before any row goes in: a direct load's rows are visible to this connection.
    people_before = _people_count(stores) if kind == "customers" and not dry_run else 0
    try:
        if not dry_run:
            load = wh.open_load(spec, ROW_COLUMN, batch_id, scratch, source.rows_hint)
        batches = prefetch(
            prepare(
                source,
                spec,
                mapping,
                source_name=_source_name(path, sheet),
                import_batch=batch_id,
                file_key=digest[:12],
            )
        )
        for prepared in batches:
            report.rows_read += prepared.read
            _note_problems(report, prepared.quarantine, writer, batch_id, "quarantine")
            report.rows_quarantined += prepared.quarantine.num_rows
            report.issues += prepared.issues.num_rows
            _note_problems(report, prepared.issues, writer, batch_id, "issue")
            if len(report.sample) < SAMPLE_ROWS:
                report.sample += _plain_rows(
                    prepared.rows.slice(0, SAMPLE_ROWS - len(report.sample))
                )
            if load is not None and prepared.rows.num_rows:
                load.append(prepared.rows.append_column(ROW_COLUMN, prepared.row_numbers))
        reader_rejects = _reader_rejects(rejected)
        report.rows_read += reader_rejects.num_rows
        report.rows_quarantined += reader_rejects.num_rows
        _note_problems(report, reader_rejects, writer, batch_id, "quarantine")
        if load is None:
            report.rows_loaded = report.rows_read - report.rows_quarantined
            return report
        result = load.publish()
        load = None
        duplicates = _duplicate_problems(result.duplicates, spec)
        _note_problems(report, duplicates, writer, batch_id, "quarantine")
        report.rows_quarantined += duplicates.num_rows
        report.rows_new = result.inserted
        report.rows_already_present = result.already_present
        report.rows_loaded = result.inserted + result.already_present
        if kind == "customers":
            # New records either are new people or join people already in the file.
            _count_people(stores, report, people_before, result.inserted)
    except BaseException:
        if not dry_run:
            if load is not None:
                load.abandon()
            _abandon(stores, [], writer, quarantine_tmp)
            writer = None
        raise
    finally:
        if writer is not None:
            writer.close()
    os.replace(quarantine_tmp, quarantine_final)
    _record(stores, report, digest, spec)
    return report


def _note_problems(
    report: ImportReport,
    problems: pa.Table,
    writer: pq.ParquetWriter | None,
    batch_id: str,
    kind: str,
) -> None:
    if not problems.num_rows:
        return
    room = REPORTED_ERRORS - len(report.errors)
    if room > 0:
        for row in problems.slice(0, room).to_pylist():
            report.errors.append(
                {
                    "row": row["row"],
                    "column": row["column"],
                    "value": row["value"],
                    "reason": row["reason"],
                    "kind": kind,
                }
            )
    if writer is not None:
        n = problems.num_rows
        writer.write_table(pa.table({
            "import_batch": pa.repeat(pa.scalar(batch_id, pa.string()), n),
            "kind": pa.repeat(pa.scalar(kind, pa.string()), n),
            **{c: problems.column(c) for c in PROBLEM_SCHEMA.names},
        }, schema=QUARANTINE_SCHEMA))  # fmt: skip


def _reader_rejects(rejected: list[RejectedRow]) -> pa.Table:
    return pa.table({
        "row": pa.array([r.row for r in rejected], pa.int64()),
        "column": pa.array([r.column for r in rejected], pa.string()),
        "value": pa.array([r.value for r in rejected], pa.string()),
        "reason": pa.array([r.reason for r in rejected], pa.string()),
        "record": pa.array([r.value for r in rejected], pa.string()),
    }, schema=PROBLEM_SCHEMA)  # fmt: skip


def _duplicate_problems(duplicates: pa.Table, spec: Table) -> pa.Table:
    key = spec.primary_key[0]
    n = duplicates.num_rows
    return pa.table({
        "row": duplicates.column(ROW_COLUMN),
        "column": pa.repeat(pa.scalar(key, pa.string()), n),
        "value": pa.array([str(v) for v in duplicates.column(key).to_pylist()], pa.string()),
        "reason": pa.repeat(pa.scalar("key.duplicate", pa.string()), n),
        "record": pa.nulls(n, pa.string()),
    }, schema=PROBLEM_SCHEMA)  # fmt: skip


def _plain_rows(rows: pa.Table) -> list[dict[str, Any]]:
    return json.loads(json.dumps(rows.to_pylist(), default=str, ensure_ascii=False))  # type: ignore[no-any-return]


def _import_order_lines(
    stores: Stores,
    source: SourceFile,
    rejected: list[RejectedRow],
    overrides: dict[str, str | None],
    dry_run: bool,
    digest: str,
    batch_id: str,
) -> ImportReport:
    """Load customers, orders and order lines from one export of order lines, all or nothing."""
    mappings = order_lines.plan(source.columns, overrides)
    order_lines.check_plan(mappings, source.path, source.columns)
    report = ImportReport(
        order_lines.KIND, str(source.path), batch_id, dry_run, False,
        mapping={c: f"{t}.{f}" for t, m in mappings.items() for c, f in m.fields.items()},
        unmapped_columns=[c for c in source.columns
                          if all(c not in m.fields for m in mappings.values())],
    )  # fmt: skip
    wh = stores.warehouse
    scratch = {name: SCRATCH_PREFIX + uuid.uuid4().hex[:12] for name in mappings}
    quarantine_tmp = stores.workspace.quarantine_dir / f".{batch_id}.parquet.tmp"
    writer = None if dry_run else stores.private_parquet_writer(quarantine_tmp, QUARANTINE_SCHEMA)
    try:
        if not dry_run:
            for name, table_name in scratch.items():
                wh.create_scratch(table_name, TABLES_BY_NAME[name], {ROW_COLUMN: "int64"})
        id_key = stores.workspace.secret("identity")
        prepared_lines = (
            (batch, order_lines.prepare_lines(
                batch, mappings, source_name=source.path.name, import_batch=batch_id,
                file_key=digest[:12], id_key=id_key,
            ))
            for batch in source.batches
        )  # fmt: skip
        for batch, parts in prefetch(prepared_lines):
            report.rows_read += batch.num_rows
            lines = parts["order_items"]
            report.rows_loaded += lines.rows.num_rows
            for prepared in parts.values():
                _note_problems(report, prepared.quarantine, writer, batch_id, "quarantine")
                _note_problems(report, prepared.issues, writer, batch_id, "issue")
                report.issues += prepared.issues.num_rows
            if len(report.sample) < SAMPLE_ROWS:
                report.sample += _plain_rows(lines.rows.slice(0, SAMPLE_ROWS - len(report.sample)))
            if not dry_run:
                for name, prepared in parts.items():
                    if prepared.rows.num_rows:
                        wh.append_scratch(
                            scratch[name],
                            prepared.rows.append_column(ROW_COLUMN, prepared.row_numbers),
                        )
        reader_rejects = _reader_rejects(rejected)
        report.rows_read += reader_rejects.num_rows
        _note_problems(report, reader_rejects, writer, batch_id, "quarantine")
        report.rows_quarantined = report.rows_read - report.rows_loaded
        if dry_run:
            return report
        people_before = _people_count(stores)
        with wh.transaction():
            published = {
                "customers": wh.publish(scratch["customers"], TABLES_BY_NAME["customers"],
                                        ROW_COLUMN, repeats_expected=True),
                "orders": wh.publish(scratch["orders"], TABLES_BY_NAME["orders"], ROW_COLUMN,
                                     repeats_expected=True, sums=_summed(mappings)),
                "order_items": wh.publish(scratch["order_items"],
                                          TABLES_BY_NAME["order_items"], ROW_COLUMN),
            }  # fmt: skip
        duplicates = _duplicate_problems(
            published["order_items"].duplicates, TABLES_BY_NAME["order_items"]
        )
        _note_problems(report, duplicates, writer, batch_id, "quarantine")
        report.rows_quarantined += duplicates.num_rows
        report.rows_loaded -= duplicates.num_rows
        report.rows_new = published["order_items"].inserted
        report.rows_already_present = published["order_items"].already_present
        report.tables = {name: r.inserted for name, r in published.items()}
        _count_people(stores, report, people_before, published["customers"].inserted)
    except BaseException:
        if not dry_run:
            _abandon(stores, list(scratch.values()), writer, quarantine_tmp)
            writer = None
        raise
    finally:
        if writer is not None:
            writer.close()
    os.replace(quarantine_tmp, stores.workspace.quarantine_dir / f"{batch_id}.parquet")
    _record(stores, report, digest, TABLES_BY_NAME["order_items"])
    return report


def _abandon(
    stores: Stores, scratch: list[str], writer: pq.ParquetWriter | None, quarantine_tmp: Path
) -> None:
    """Undo what a failed or killed load wrote: work tables and the partial quarantine file."""
    for name in scratch:
        stores.warehouse.drop_scratch(name)
    if writer is not None:
        writer.close()
    quarantine_tmp.unlink(missing_ok=True)


def _count_people(
    stores: Stores, report: ImportReport, people_before: int, new_records: int
) -> None:
    """Resolve identities; new records are either new people or join people already known."""
    resolved = resolve_identities(stores)
    report.customers_created = max(0, resolved.people - people_before)
    report.customers_matched = new_records - report.customers_created


def _summed(mappings: dict[str, ColumnMapping]) -> tuple[str, ...]:
    # Without an order total in the file, an order's total is the sum of its lines.
    return () if "total_vnd" in mappings["orders"].fields.values() else ("total_vnd",)


def _people_count(stores: Stores) -> int:
    if stores.warehouse.has_table(PEOPLE_TABLE):
        return int(stores.warehouse.table(PEOPLE_TABLE).count().to_pyarrow().as_py())
    return int(stores.warehouse.table("customers").count().to_pyarrow().as_py())


def _digest(path: Path, kind: str, overrides: dict[str, str | None], sheet: str | None) -> str:
    if not path.is_file():
        raise InputError("input.file.missing", where=Where(file=str(path)))
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    digest.update(json.dumps([kind, sorted(overrides.items()), sheet]).encode())
    return digest.hexdigest()


def _source_name(path: Path, sheet: str | None) -> str:
    return f"{path.name}#{sheet}" if sheet else path.name


def _previous_import(stores: Stores, digest: str) -> dict[str, Any] | None:
    with stores.app_db.session() as session:
        for batch in session.scalars(select(ImportBatch).where(ImportBatch.status == "loaded")):
            if batch.details.get("digest") == digest:
                report = batch.details.get("report")
                return dict(report) if isinstance(report, dict) else None
    return None


def _record(stores: Stores, report: ImportReport, digest: str, spec: Table) -> None:
    now = datetime.now(UTC)
    summary = {k: v for k, v in report.as_dict().items() if k != "sample"}
    summary["errors"] = summary["errors"][:20]
    with stores.app_db.session() as session:
        session.add(ImportBatch(
            id=report.import_batch, source=report.file, started_at=now, finished_at=now,
            status="loaded", rows_loaded=report.rows_loaded,
            details={"digest": digest, "table": spec.name, "report": summary},
        ))  # fmt: skip
    audit.record(stores, "import", target=report.import_batch, rows=report.rows_loaded, details={
        "kind": report.kind, "file": Path(report.file).name, "rows_new": report.rows_new,
        "rows_quarantined": report.rows_quarantined,
    })  # fmt: skip
    # A person erased before may come back in an old export: erase them again at once.
    if report.rows_new:
        from .subjects import apply_erasures

        apply_erasures(stores, import_batch=report.import_batch)


#: Prefixes of the work tables loads create; a killed process can leave the persistent ones.
WORK_PREFIXES = (SCRATCH_PREFIX, "_identity_", "_retention_", "_staging_", "_derived_")


def discard_unfinished(stores: Stores) -> int:
    """Remove what killed loads left behind (work tables, partial quarantine files).

    Only one process can write a DuckDB warehouse, so nothing else is using them.
    """
    scratch = [t for p in WORK_PREFIXES for t in stores.warehouse.scratch_tables(p)]
    for name in scratch:
        stores.warehouse.drop_scratch(name)
    for leftover in stores.workspace.quarantine_dir.glob(".*.parquet.tmp"):
        leftover.unlink()
    return len(scratch)


__all__ = ["KINDS", "ColumnMapping", "ImportReport", "discard_unfinished", "import_file"]
