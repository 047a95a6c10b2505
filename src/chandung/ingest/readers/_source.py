"""What every reader returns: a description of the file and a stream of record batches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa

SourceKind = Literal["csv", "xlsx", "parquet", "jsonl"]

#: Name of the column every reader adds: the row number a person sees in the file (a CSV's
#: header is row 1, so its first record is row 2; a sheet's rows are numbered as in Excel).
ROW_COLUMN = "_row"


@dataclass(frozen=True)
class ReadLimits:
    """Limits that keep a wrong or hostile file from exhausting the machine."""

    max_bytes: int = 20 * 1024**3
    #: Largest total uncompressed size of a workbook's parts (an .xlsx is a zip archive).
    max_unzipped_bytes: int = 2 * 1024**3
    #: Largest ratio of uncompressed to compressed size before a workbook counts as a zip bomb.
    max_zip_ratio: float = 200.0
    batch_rows: int = 65_536


@dataclass
class SourceFile:
    """An opened source file: what it is and its rows, as record batches."""

    path: Path
    kind: SourceKind
    columns: list[str]
    batches: Iterator[pa.RecordBatch]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    #: About how many records the file holds (exact for Parquet, estimated from the first
    #: bytes for text files), or ``None`` when unknown; loads use it to bound their memory.
    rows_hint: int | None = None
