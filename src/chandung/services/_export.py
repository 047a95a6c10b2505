"""Writing a stream of rows to CSV, Parquet or JSON, atomically and without holding it all."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError, Where

ExportFormat = Literal["csv", "parquet", "json"]
FORMATS = ("csv", "parquet", "json")


def write_batches(batches: pa.RecordBatchReader, output: Path | None, fmt: str) -> int:
    """Write ``batches`` to ``output`` (atomically) or, when ``None``, to standard output.

    Returns the number of rows written.
    """
    if fmt not in FORMATS:
        raise InputError("input.export_format", where=Where(field="--format"), value=fmt)
    if output is None:
        if fmt == "parquet":
            raise InputError("input.export_stdout", where=Where(field="--format"))
        return _write(batches, None, fmt)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        count = _write(batches, tmp, fmt)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _write(batches: Any, path: Path | None, fmt: str) -> int:
    count = 0
    schema = batches.schema
    if fmt == "parquet":
        with pq.ParquetWriter(path, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
                count += batch.num_rows
    elif fmt == "csv":
        sink: Any = path if path is not None else sys.stdout.buffer
        with pacsv.CSVWriter(sink, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
                count += batch.num_rows
        if path is None:
            sys.stdout.buffer.flush()
    else:
        with open(path, "w", encoding="utf-8") if path else _stdout() as fh:
            fh.write("[")
            for row in _rows(batches):
                fh.write(
                    ("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False, default=str)
                )
                count += 1
            fh.write("\n]\n")
    return count


class _stdout:
    def __enter__(self) -> Any:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


def _rows(batches: Any) -> Iterator[dict[str, Any]]:
    for batch in batches:
        yield from batch.to_pylist()


def write_file(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, then a rename);
    ``private`` makes it readable by the owner only (files holding personal data)."""
    path = path.expanduser()
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
