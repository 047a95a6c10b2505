"""Readers: open a source file of any supported kind as a stream of record batches.

CSV (delimiter and encoding detected: UTF-8 with or without BOM, UTF-16, Windows-1258,
Latin-1), Excel ``.xlsx`` (any sheet), Parquet and JSON Lines. Files that are empty, binary,
too large or not what their name claims get one clear error naming the file.
"""

from __future__ import annotations

from pathlib import Path

from ._detect import read_head, sniff_kind
from ._source import ROW_COLUMN, ReadLimits, SourceFile, SourceKind
from .columnar import read_jsonl, read_parquet
from .csv import read_csv
from .excel import read_excel
from .rejects import RejectedRow

__all__ = ["ROW_COLUMN", "ReadLimits", "RejectedRow", "SourceFile", "SourceKind", "open_source"]


def open_source(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    limits: ReadLimits | None = None,
    rejected: list[RejectedRow] | None = None,
) -> SourceFile:
    """Open ``path`` for reading; rows a reader cannot parse are appended to ``rejected``."""
    path = Path(path)
    limits = limits or ReadLimits()
    head = read_head(path, limits)
    kind = sniff_kind(path, head)
    rejected = rejected if rejected is not None else []
    if kind == "xlsx":
        return read_excel(path, limits, sheet, rejected)
    if kind == "parquet":
        return read_parquet(path, limits)
    if kind == "jsonl":
        return read_jsonl(path)
    return read_csv(path, head, rejected)
