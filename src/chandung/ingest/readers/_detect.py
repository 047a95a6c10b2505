"""Recognising what a file is: its format, text encoding and delimiter."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from ...errors import InputError, Where
from ._source import ReadLimits, SourceKind

_SAMPLE_BYTES = 256 * 1024
_EXTENSIONS: dict[str, SourceKind] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}  # fmt: skip
#: Letters that only Vietnamese text decoded as Windows-1258 produces (ă â đ ê ô ơ ư and the
#: combining tone marks the code page uses), so a file rich in them is Windows-1258, not Latin-1.
_VIETNAMESE_CP1258 = set("ăâđêôơưĂÂĐÊÔƠƯ\u0300\u0301\u0303\u0309\u0323")


def sniff_kind(path: Path, head: bytes) -> SourceKind:
    """The format of ``path`` from its first bytes, checked against its extension."""
    where = Where(file=str(path))
    if not head:
        raise InputError("input.file.empty", where=where)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return "xlsx"
        raise InputError("input.file.zip", where=where)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("input.file.xls", where=where)
    kind = _EXTENSIONS.get(path.suffix.lower(), "csv")
    if kind in ("parquet", "xlsx"):
        raise InputError("input.file.not_what_it_claims", where=where, kind=kind)
    if kind == "csv" and head.lstrip(codecs.BOM_UTF8)[:1] in (b"{", b"["):
        return "jsonl"
    return kind


def detect_encoding(head: bytes) -> str:
    """The text encoding of a file starting with ``head``.

    A byte-order mark decides first (UTF-8, UTF-16); then UTF-8 if the bytes are valid UTF-8;
    then Windows-1258 when the text reads as Vietnamese in it, else Latin-1.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    text = head.decode("cp1258", errors="replace")
    vietnamese = sum(ch in _VIETNAMESE_CP1258 for ch in text)
    return "cp1258" if vietnamese else "latin-1"


def looks_binary(head: bytes, encoding: str) -> bool:
    """Whether text that should be readable holds NUL bytes or control junk."""
    if encoding.startswith("utf-16"):
        return False
    sample = head[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(b < 9 or 13 < b < 32 for b in sample)
    return controls > len(sample) * 0.01


def detect_delimiter(text: str) -> str:
    """The field delimiter of CSV ``text``: comma, semicolon, tab or pipe."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        # The sniffer gives up on files with one column or ragged rows: count in the header.
        header = lines[0]
        return max(",;\t|", key=header.count) if any(d in header for d in ",;\t|") else ","


def read_head(path: Path, limits: ReadLimits) -> bytes:
    """The first bytes of ``path``, after checking it exists and is not too large."""
    where = Where(file=str(path))
    if not path.is_file():
        raise InputError("input.file.missing", where=where)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise InputError("input.file.too_large", where=where, size=size, limit=limits.max_bytes)
    with open(path, "rb") as fh:
        return fh.read(_SAMPLE_BYTES)
