"""Rows a source holds that cannot be loaded: kept, with where they are and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RejectedRow:
    """One row that cannot be loaded.

    Attributes
    ----------
    row
        Row number as a person sees it in the file (None when the reader cannot tell).
    column
        The column at fault, when one is.
    value
        The value at fault, or the raw text of the row.
    reason
        Stable reason code (translated under ``errors.input.<reason>``).
    detail
        Further facts for the message (e.g. ``3/5`` fields).
    """

    row: int | None
    column: str | None
    value: str | None
    reason: str
    detail: str | None = None
