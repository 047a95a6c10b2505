"""Writing the canonical tables out as Parquet: the folder a Spark warehouse reads.

A business keeps its customer file in a DuckDB or PostgreSQL workspace (where imports,
corrections and erasures happen) and runs the analysis on Spark over the tables this writes:
one ``<table>.parquet`` file per canonical table, with the canonical columns and types, empty
tables included (see ``[spark] tables_dir`` and docs/scaling.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError, Where
from ..privacy.context import require
from ..schema import TABLES
from .stores import Stores

#: Rows read from the warehouse at a time: memory holds one batch, whatever the table's size.
EXPORT_BATCH = 100_000


def export_canonical_tables(stores: Stores, folder: Path) -> dict[str, int]:
    """Write every canonical table of the warehouse to ``folder`` as ``<table>.parquet``.

    Each file is written beside its final name and put in place once whole. The files hold
    personal data in clear (Spark must read them): the export needs the ``data.export`` and
    ``personal_data.read`` permissions and is recorded in the audit log. Returns the rows
    written per table.

    Raises
    ------
    InputError
        ``folder`` exists and is not a folder, or cannot be created.
    """
    require("data.export")
    require("personal_data.read")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            "input.export_folder", where=Where(file=str(folder)), reason=exc.strerror or str(exc)
        ) from exc
    counts = {spec.name: _write_table(stores, spec.name, folder) for spec in TABLES}
    from .audit import record

    record(
        stores, "export", target=str(folder), rows=sum(counts.values()),
        purpose="canonical tables for a Spark warehouse", details={"tables": counts},
    )  # fmt: skip
    return counts


def _write_table(stores: Stores, name: str, folder: Path) -> int:
    spec = next(t for t in TABLES if t.name == name)
    schema = spec.arrow_schema()
    final = folder / f"{name}.parquet"
    partial = folder / f".{name}.parquet.tmp"
    rows = 0
    table = stores.warehouse.table(name).select(*spec.column_names)
    try:
        with pq.ParquetWriter(partial, schema) as writer:
            for batch in table.to_pyarrow_batches(chunk_size=EXPORT_BATCH):
                writer.write_table(pa.Table.from_batches([batch]).cast(schema))
                rows += batch.num_rows
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return rows
