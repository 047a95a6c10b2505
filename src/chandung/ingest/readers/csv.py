"""CSV files: any common delimiter and encoding, read as text, streamed in record batches."""

from __future__ import annotations

import csv as pycsv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ...errors import InputError, Where
from ._detect import detect_delimiter, detect_encoding, looks_binary
from ._headers import nfc, unique_headers
from ._source import ROW_COLUMN, SourceFile
from .columnar import rows_from_size
from .rejects import RejectedRow


def read_csv(path: Path, head: bytes, rejected: list[RejectedRow]) -> SourceFile:
    """Open the CSV file ``path`` (whose first bytes are ``head``).

    Every column is read as text: normalisers decide what the text means. Records with the
    wrong number of fields are not dropped: they go to ``rejected`` with their row number.
    """
    where = Where(file=str(path))
    encoding = detect_encoding(head)
    if looks_binary(head, encoding):
        raise InputError("input.file.binary", where=where)
    text = head.decode(encoding, errors="replace")
    delimiter = detect_delimiter(text)
    header_row = next(pycsv.reader(text.splitlines()[:1], delimiter=delimiter), [])
    if not any(h.strip() for h in header_row):
        raise InputError("input.file.no_header", where=where)
    columns = unique_headers(header_row)

    def on_invalid(row: pacsv.InvalidRow) -> str:
        rejected.append(
            RejectedRow(
                row=row.number if row.number and row.number > 0 else None,
                column=None,
                value=row.text[:500],
                reason="row.field_count",
                detail=f"{row.actual_columns}/{row.expected_columns}",
            )
        )
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=columns,
            skip_rows=1,
            # One thread, so that the rows a parser refuses come with their line number.
            use_threads=False,
            block_size=8 * 1024 * 1024,
            encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(columns, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    lines = text.splitlines()
    return SourceFile(
        path,
        "csv",
        columns,
        _numbered(reader, rejected),
        encoding=encoding,
        delimiter=delimiter,
        # The last line of the sample may be cut: the lines before it give the row length.
        rows_hint=rows_from_size(path, len("\n".join(lines[1:-1]).encode()), len(lines) - 2),
    )


def _numbered(
    reader: pacsv.CSVStreamingReader, rejected: list[RejectedRow]
) -> Iterator[pa.RecordBatch]:
    """Batches with the row number of each record (the header is row 1)."""
    next_row = 2
    for batch in reader:
        skipped = {r.row for r in rejected if r.row is not None and r.row >= next_row}
        numbers = np.arange(next_row, next_row + batch.num_rows + len(skipped), dtype=np.int64)
        if skipped:
            numbers = numbers[~np.isin(numbers, list(skipped))]
        numbers = numbers[: batch.num_rows]
        next_row = int(numbers[-1]) + 1 if len(numbers) else next_row
        yield nfc(batch).append_column(ROW_COLUMN, pa.array(numbers))
