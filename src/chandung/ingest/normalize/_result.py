"""The result every normaliser returns."""

from __future__ import annotations

from dataclasses import dataclass

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
