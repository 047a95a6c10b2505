"""Vietnamese mobile numbers, written the many ways real files write them.

Since 2018 mobiles have 10 digits; the old 11-digit prefixes (0162 ... 0169, 0120 ...) moved to
new 3-digit ones (032 ... 039, 070 ...). The same person turns up in both forms, with or
without +84, with spaces or dots.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from chandung.schema.phones_vn import OLD_MOBILE_PREFIXES

from . import _arrow as A
from ._arrow import BoolArray, ByteMatrix, IntArray
from ._random import choice

#: Old 11-digit prefix (after the 0) → new 10-digit prefix (after the 0).
OLD_TO_NEW: dict[str, str] = OLD_MOBILE_PREFIXES
_NEW_TO_OLD = {new: old for old, new in OLD_TO_NEW.items()}

#: Two-digit network codes (after the 0) with a rough market share: Viettel, Mobifone,
#: Vinaphone, Vietnamobile, Gmobile.
NETWORK_CODES: dict[str, float] = {
    **dict.fromkeys(("32", "33", "34", "35", "36", "37", "38", "39"), 3.5),
    "86": 4.0,
    "96": 6.0,
    "97": 6.0,
    "98": 6.0,
    **dict.fromkeys(("70", "76", "77", "78", "79"), 2.0),
    "89": 2.0,
    "90": 4.0,
    "93": 4.0,
    **dict.fromkeys(("81", "82", "83", "84", "85"), 2.5),
    "88": 2.0,
    "91": 5.0,
    "94": 4.0,
    "92": 1.2,
    "56": 0.6,
    "58": 0.6,
    "99": 0.5,
    "59": 0.4,
}
_CODES = tuple(NETWORK_CODES)
_CONVERTIBLE = np.array([c in _NEW_TO_OLD for c in _CODES])
_OLD_PREFIX = np.array([int(_NEW_TO_OLD.get(c, "0")) for c in _CODES], dtype=np.int64)

#: How numbers are written: name, share among numbers written in the new form.
FORMATS: dict[str, float] = {
    "plain": 0.55,  # 0912345678
    "plus84": 0.14,  # +84912345678
    "spaced84": 0.08,  # 84 912 345 678
    "dotted": 0.1,  # 091.234.5678
    "spaced": 0.13,  # 0912 345 678
}
OLD = len(FORMATS)  # 01623456789
_WIDTH = 14


def _render_all(national: IntArray, code: IntArray) -> tuple[ByteMatrix, IntArray]:
    """Every written form of each number, stacked as (format, row, byte), and their lengths."""
    n = len(national)
    d = A.digit_matrix(national, 9)
    pad = np.full((n, _WIDTH), 32, dtype=np.uint8)

    def lay(*pieces: ByteMatrix) -> ByteMatrix:
        out = pad.copy()
        pos = 0
        for piece in pieces:
            width = piece.shape[1]
            out[:, pos : pos + width] = piece
            pos += width
        return out

    def text(s: str) -> ByteMatrix:
        return np.broadcast_to(A.byte_row(s), (n, len(s)))

    old = A.digit_matrix(_OLD_PREFIX[code], 3)
    forms = np.stack(
        [
            lay(text("0"), d),
            lay(text("+84"), d),
            lay(text("84 "), d[:, :3], text(" "), d[:, 3:6], text(" "), d[:, 6:]),
            lay(text("0"), d[:, :2], text("."), d[:, 2:5], text("."), d[:, 5:]),
            lay(text("0"), d[:, :3], text(" "), d[:, 3:6], text(" "), d[:, 6:]),
            lay(text("0"), old, d[:, 2:]),
        ]
    )
    lengths = np.array([10, 12, 14, 12, 12, 11], dtype=np.int64)
    return forms, lengths


class Phones:
    """Mobile numbers of a batch of people: the true number and the form it is written in."""

    def __init__(self, code: IntArray, subscriber: IntArray, written_form: IntArray) -> None:
        self.code = code
        self.subscriber = subscriber
        self.form = written_form

    @property
    def national(self) -> IntArray:
        """The 9 digits after the leading 0 of the 10-digit form."""
        prefix = np.array([int(c) for c in _CODES], dtype=np.int64)[self.code]
        result: IntArray = prefix * 10_000_000 + self.subscriber
        return result

    @property
    def convertible(self) -> BoolArray:
        """Whether the number had an old 11-digit form."""
        result: BoolArray = _CONVERTIBLE[self.code]
        return result

    def take(self, rows: IntArray) -> Phones:
        """The phones of ``rows``."""
        return Phones(self.code[rows], self.subscriber[rows], self.form[rows])

    def written(self) -> pa.Array:
        """The numbers as the source wrote them."""
        forms, lengths = _render_all(self.national, self.code)
        rows = np.arange(len(self.code))
        return A.ragged_strings(forms[self.form, rows], lengths[self.form])

    def e164(self) -> pa.Array:
        """The numbers in E.164 form, ``+84`` and the 9 digits of the 10-digit form."""
        n = len(self.code)
        head = np.broadcast_to(A.byte_row("+84"), (n, 3))
        return A.fixed_strings(np.hstack([head, A.digit_matrix(self.national, 9)]))


def draw_phones(
    rng: np.random.Generator, old_form_share: float, size: int, numbers: IntArray | None = None
) -> Phones:
    """Draw mobile numbers; ``old_form_share`` of the convertible ones are written old-style.

    With ``numbers`` (one distinct record number per phone), no two phones are the same, as
    no two people share a mobile number: the subscriber part is a bijection of the record
    number over [0, 10^7) (7_933 is a prime coprime with 10).
    """
    code = choice(rng, list(NETWORK_CODES.values()), size)
    if numbers is None:
        subscriber = rng.integers(0, 10_000_000, size)
    else:
        subscriber = numbers.astype(np.int64) % 10_000_000 * 7_933 % 10_000_000
    form = choice(rng, list(FORMATS.values()), size)
    old = _CONVERTIBLE[code] & (rng.random(size) < old_form_share)
    return Phones(code, subscriber, np.where(old, OLD, form).astype(np.int64))


def other_form(rng: np.random.Generator, phones: Phones) -> Phones:
    """The same numbers written in the *other* form: old ↔ new where possible, else ±84.

    This is what a second record of the same person typically looks like.
    """
    n = len(phones.code)
    to_old = phones.convertible & (phones.form != OLD) & (rng.random(n) < 0.75)
    from_old = phones.form == OLD
    new_form = np.where(rng.random(n) < 0.6, 0, 1)
    toggled = np.where(np.isin(phones.form, (1, 2)), 0, 1)
    form = np.where(to_old, OLD, np.where(from_old, new_form, toggled))
    return Phones(phones.code, phones.subscriber, form.astype(np.int64))
