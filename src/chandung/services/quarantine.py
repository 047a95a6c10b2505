"""Rows that imports could not load, kept with their reason in the workspace's quarantine."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..ingest.pipeline import PROBLEM_SCHEMA
from ..workspace import Workspace
from .audit import record_in_workspace
from .stores import read_private_parquet

#: Columns of a quarantine file: the import batch, whether the row was quarantined
#: (``quarantine``) or only a value refused (``issue``), then row, column, value, reason and
#: the whole source record as JSON.
QUARANTINE_SCHEMA = pa.schema(
    [pa.field("import_batch", pa.string()), pa.field("kind", pa.string()), *PROBLEM_SCHEMA]
)


def quarantine_rows(
    workspace: Workspace, *, batch: str | None = None, kind: str | None = "quarantine"
) -> pa.Table:
    """Quarantined rows (``kind="quarantine"``) or refused values (``"issue"``), newest first."""
    files = sorted(workspace.quarantine_dir.glob("*.parquet"), reverse=True)
    if batch is not None:
        files = [f for f in files if f.stem == batch]
    # Quarantined rows hold personal data: the files are encrypted like the warehouse.
    tables = [read_private_parquet(workspace, f) for f in files]
    if not tables:
        return QUARANTINE_SCHEMA.empty_table()
    rows = pa.concat_tables(tables)
    if kind is not None:
        rows = rows.filter(pc.equal(rows.column("kind"), kind))
    return rows


def export_quarantine(workspace: Workspace, output: Path, *, batch: str | None = None) -> int:
    """Write quarantined rows to ``output`` (Parquet by its suffix, else CSV), atomically."""
    rows = quarantine_rows(workspace, batch=batch, kind="quarantine")
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        if output.suffix.lower() == ".parquet":
            pq.write_table(rows, tmp)
        else:
            pacsv.write_csv(rows, tmp)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    record_in_workspace(workspace, "export", target=f"quarantine:{batch or 'all'}",
                        rows=rows.num_rows, details={"file": str(output)})  # fmt: skip
    return int(rows.num_rows)
