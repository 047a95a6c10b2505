"""Excel workbooks (.xlsx): any sheet, read as text, streamed in record batches."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from ...errors import InputError, Where
from ._headers import nfc, unique_headers
from ._source import ROW_COLUMN, ReadLimits, SourceFile
from .rejects import RejectedRow

if TYPE_CHECKING:
    import openpyxl


def check_zip(path: Path, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts would unpack to too much (a zip bomb) or cannot be read."""
    where = Where(file=str(path))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise InputError("input.file.not_what_it_claims", where=where, kind="xlsx") from exc
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > limits.max_unzipped_bytes or unpacked / packed > limits.max_zip_ratio:
        raise InputError("input.file.zip_bomb", where=where, size=unpacked)


def read_excel(
    path: Path,
    limits: ReadLimits,
    sheet: str | int | None = None,
    rejected: list[RejectedRow] | None = None,
) -> SourceFile:
    """Open sheet ``sheet`` (a name or a 1-based index; default the first) of ``path``."""
    where = Where(file=str(path))
    check_zip(path, limits)
    try:
        # Loaded here: most files are not workbooks, and openpyxl brings Pillow with it.
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError("input.file.not_what_it_claims", where=where, kind="xlsx") from exc
    names = list(book.sheetnames)
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int) or sheet.isdigit():
        index = int(sheet)
        if not 1 <= index <= len(names):
            raise InputError(
                "input.sheet.missing", where=where, sheet=sheet, sheets=", ".join(names)
            )
        chosen = names[index - 1]
    elif sheet in names:
        chosen = sheet
    else:
        raise InputError("input.sheet.missing", where=where, sheet=sheet, sheets=", ".join(names))
    rows = book[chosen].iter_rows(values_only=True)
    header: list[object] | None = None
    header_row = 0
    for number, values in enumerate(rows, start=1):
        if any(v not in (None, "") for v in values):
            header, header_row = list(values), number
            break
    if header is None:
        book.close()
        raise InputError("input.file.no_header", where=Where(file=str(path), field=chosen))
    while header and header[-1] in (None, ""):
        header.pop()
    columns = unique_headers(header)
    return SourceFile(
        path,
        "xlsx",
        columns,
        _batches(
            book,
            rows,
            columns,
            header_row,
            limits.batch_rows,
            rejected if rejected is not None else [],
        ),
        sheet=chosen,
        sheets=names,
    )


def cell_text(value: object) -> str | None:
    """A cell as the text a person reads in it (dates in ISO form, whole numbers without .0)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _batches(
    book: openpyxl.Workbook,
    rows: Iterator[tuple[object, ...]],
    columns: list[str],
    header_row: int,
    size: int,
    rejected: list[RejectedRow],
) -> Iterator[pa.RecordBatch]:
    width = len(columns)
    buffer: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []

    def flush() -> pa.RecordBatch:
        arrays = [pa.array(col, pa.string()) for col in buffer]
        batch = pa.RecordBatch.from_arrays(
            [*arrays, pa.array(numbers, pa.int64())], names=[*columns, ROW_COLUMN]
        )
        for col in buffer:
            col.clear()
        numbers.clear()
        return nfc(batch)

    try:
        for number, values in enumerate(rows, start=header_row + 1):
            if not any(v not in (None, "") for v in values):
                continue
            if any(v not in (None, "") for v in values[width:]):
                # Cells under no header have no column to go to: the row is kept as a reject.
                text = "\t".join(cell_text(v) or "" for v in values).rstrip("\t")
                rejected.append(
                    RejectedRow(
                        number, None, text[:500], "row.field_count", f"{len(values)}/{width}"
                    )
                )
                continue
            for i in range(width):
                buffer[i].append(cell_text(values[i]) if i < len(values) else None)
            numbers.append(number)
            if len(numbers) >= size:
                yield flush()
        if numbers:
            yield flush()
    finally:
        book.close()
