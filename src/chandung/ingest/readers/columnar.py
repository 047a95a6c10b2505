"""Parquet and JSON Lines files, streamed in record batches with their own types."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ...errors import InputError, Where
from ._source import ROW_COLUMN, ReadLimits, SourceFile


def read_parquet(path: Path, limits: ReadLimits) -> SourceFile:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            "input.file.not_what_it_claims", where=Where(file=str(path)), kind="parquet"
        ) from exc
    batches = parquet.iter_batches(batch_size=limits.batch_rows)
    return SourceFile(
        path,
        "parquet",
        list(parquet.schema_arrow.names),
        _numbered(batches, 1),
        rows_hint=parquet.metadata.num_rows,
    )


def read_jsonl(path: Path) -> SourceFile:
    where = Where(file=str(path))
    try:
        reader = pajson.open_json(path, read_options=pajson.ReadOptions(block_size=8 * 1024**2))
        first = reader.read_next_batch()
    except StopIteration:
        raise InputError("input.file.empty", where=where) from None
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            "input.file.bad_json", where=where, reason=str(exc).splitlines()[0]
        ) from exc
    batches = itertools.chain([first], reader)
    return SourceFile(
        path,
        "jsonl",
        list(first.schema.names),
        _numbered(batches, 1),
        rows_hint=rows_from_size(path, first.nbytes, first.num_rows),
    )


def rows_from_size(path: Path, sample_bytes: int, sample_rows: int) -> int | None:
    """Records a file of text records probably holds, from a sample of its first ones."""
    if sample_rows < 1 or sample_bytes < 1:
        return None
    return int(path.stat().st_size / (sample_bytes / sample_rows)) + 1


def _numbered(batches: Iterator[pa.RecordBatch], start: int) -> Iterator[pa.RecordBatch]:
    row = start
    for batch in batches:
        # numpy builds the numbers without a Python object per row.
        numbers = np.arange(row, row + batch.num_rows, dtype=np.int64)
        yield batch.append_column(ROW_COLUMN, pa.array(numbers))
        row += batch.num_rows
