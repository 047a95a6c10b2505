"""Column headers as a file has them, made usable: non-empty and unique."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import pyarrow as pa

from ..normalize._result import composed


def unique_headers(raw: Sequence[object]) -> list[str]:
    """``raw`` headers trimmed, blanks named ``column_N`` and repeats suffixed ``_2``, ``_3``."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(raw, start=1):
        name = " ".join(str(value).split()) if value is not None else ""
        name = unicodedata.normalize("NFC", name)
        name = name or f"column_{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def nfc(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Text columns in composed Unicode form (NFC).

    Vietnamese text often arrives decomposed: Windows-1258 files carry tone marks as separate
    characters, and so do files typed with "Unicode tổ hợp" input methods. Composing them
    makes "Nguyễn" one string however it was typed.
    """
    columns = [composed(col) if pa.types.is_string(col.type) else col for col in batch.columns]
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)
