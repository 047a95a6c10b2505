"""The result every normaliser returns."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Normalized:
    """Canonical values of a column, with the reason each unreadable value was refused.

    Attributes
    ----------
    values
        Canonical values, one per input value; null where the input was empty or unreadable.
    reasons
        Reason codes (e.g. ``phone.too_short``), one per input value; null where the value was
        read (or was empty). Codes are stable and translated under ``errors.input.<code>``.
    extra
        Further columns some normalisers produce (e.g. ``province_former`` beside
        ``province``, ``currency`` beside an amount), each aligned with ``values``.
    """

    values: pa.Array
    reasons: pa.Array
    extra: dict[str, pa.Array] | None = None

    def __post_init__(self) -> None:
        if len(self.values) != len(self.reasons):
            raise ValueError("values and reasons must have the same length")

    @property
    def invalid_count(self) -> int:
        """How many values could not be read."""
        return len(self.reasons) - int(self.reasons.null_count)

    def valid_mask(self) -> pa.Array:
        """True where the value was read or was empty."""
        return pc.is_null(self.reasons)


def as_array(values: pa.Array | pa.ChunkedArray | list[object]) -> pa.Array:
    """``values`` as one Arrow array (chunks combined, lists converted)."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    return pa.array(values)


def blank_to_null(values: pa.Array) -> pa.Array:
    """Strings trimmed of surrounding whitespace, with empty strings made null."""
    text = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def composed(values: pa.Array) -> pa.Array:
    """``values`` in composed Unicode form (NFC), without work when they already are.

    Most files are already composed, and Arrow's normaliser rewrites every string regardless;
    Python's quick check over the whole text buffer at once tells in one pass whether
    anything needs composing.

    >>> composed(pa.array(["Nguye\u0302\u0303n", "Lan", None])).to_pylist()
    ['Nguyễn', 'Lan', None]
    """
    if len(values) == 0 or values.null_count == len(values):
        return values
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_string(values.type) and pc.all(pc.string_is_ascii(values)).as_py():
        return values  # plain ASCII is composed; checked far faster than decoding the text
    if pa.types.is_string(values.type):
        offsets = values.buffers()[1]
        data = values.buffers()[2]
        if offsets is not None and data is not None:
            bounds = np.frombuffer(offsets, dtype=np.int32)[
                values.offset : values.offset + len(values) + 1
            ]
            text = memoryview(data)[int(bounds[0]) : int(bounds[-1])]
            try:
                if unicodedata.is_normalized("NFC", bytes(text).decode("utf-8")):
                    return values
            except UnicodeDecodeError:  # pragma: no cover - Arrow strings are valid UTF-8
                pass
    return pc.utf8_normalize(values, "NFC")
