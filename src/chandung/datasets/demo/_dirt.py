"""Planted dirt: the data-quality problems identity resolution and cleaning must find.

A share ``dirty_rate`` of customer records carries exactly one kind of dirt, the four kinds
in equal parts (see :data:`DIRTY_KINDS`). Every planted record is listed in the ground truth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import _arrow as A
from ._arrow import BoolArray, IntArray

#: Kinds of planted dirt, each on ``dirty_rate / 4`` of customer records:
#:
#: - ``duplicate_person``: an extra record of a person already in the data, with another id,
#:   the phone in the other form (old 11-digit ↔ new 10-digit, ± +84), often the name without
#:   diacritics, an old or new address, and orders of its own;
#: - ``name_without_diacritics``: the full name typed without diacritics (``Nguyen Thi Lan``);
#: - ``bad_email``: a malformed e-mail (no ``@``, ``@@``, trailing dot, spaces, ``gmial.con``);
#: - ``impossible_age``: a birth year in the future or more than 110 years ago (the birth date,
#:   when present, agrees with it).
DIRTY_KINDS: tuple[str, ...] = (
    "duplicate_person",
    "name_without_diacritics",
    "bad_email",
    "impossible_age",
)
DUPLICATE, NO_DIACRITICS, BAD_EMAIL, IMPOSSIBLE_AGE = range(4)
CLEAN = -1
#: Ways an e-mail is broken, in equal shares.
BAD_EMAIL_VARIANTS = ("missing_at", "double_at", "trailing_dot", "spaces", "domain_typo")
_DOMAIN_TYPOS = ("gmial.con", "gmail.con", "gmai.com", "yahoo.con")


@dataclass(frozen=True)
class Dirt:
    """Which records of a chunk are dirty, and how.

    Attributes
    ----------
    kind
        Index into :data:`DIRTY_KINDS`, or -1 for a clean record.
    duplicate_of
        For duplicates, the record of the same person; -1 otherwise.
    """

    kind: IntArray
    duplicate_of: IntArray

    def rows(self, kind: int) -> IntArray:
        """Records with the given kind of dirt."""
        result: IntArray = np.flatnonzero(self.kind == kind)
        return result


def draw_dirt(rng: np.random.Generator, size: int, rate: float) -> Dirt:
    """Choose the dirty records of a chunk of ``size`` records."""
    dirty = rng.random(size) < rate
    kind = np.where(dirty, rng.integers(0, len(DIRTY_KINDS), size), CLEAN).astype(np.int64)
    duplicate_of = np.full(size, -1, dtype=np.int64)
    copies = np.flatnonzero(kind == DUPLICATE)
    originals = np.flatnonzero(kind != DUPLICATE)
    if len(copies) and len(originals):
        replace = len(originals) < len(copies)
        duplicate_of[copies] = rng.choice(originals, size=len(copies), replace=replace)
    elif len(copies):
        kind[copies] = NO_DIACRITICS
    return Dirt(kind, duplicate_of)


def break_emails(
    rng: np.random.Generator, rows: IntArray, local: pa.Array, sep: pa.Array, domain: pa.Array
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array, IntArray]:
    """Break the e-mails of ``rows``: returns new (local, sep, domain, suffix) and the variant."""
    n = len(local)
    variant = np.full(n, -1, dtype=np.int64)
    variant[rows] = rng.integers(0, len(BAD_EMAIL_VARIANTS), len(rows))
    typo = A.take(_DOMAIN_TYPOS, rng.integers(0, len(_DOMAIN_TYPOS), n))
    sep = A.where(variant == 0, "", A.where(variant == 1, "@@", sep))
    suffix = A.where(variant == 2, ".", "")
    spaced = variant == 3
    front = rng.random(n) < 0.5
    local = A.where(spaced & front, A.join(" ", local), local)
    sep = A.where(spaced & ~front, " @ ", sep)
    suffix = A.where(spaced & front, " ", suffix)
    domain = A.where(variant == 4, typo, domain)
    return local, sep, domain, suffix, variant


def impossible_birth(
    rng: np.random.Generator, birth_days: IntArray, rows: IntArray, end: dt.date
) -> tuple[IntArray, IntArray]:
    """Birth dates (days since 1970) and years, with impossible years planted in ``rows``."""
    dates = birth_days.astype("datetime64[D]")
    year_start = dates.astype("datetime64[Y]")
    year = year_start.astype(np.int64) + 1970
    day_of_year = (dates - year_start.astype("datetime64[D]")).astype(np.int64)
    future = rng.random(len(rows)) < 0.5
    ahead = end.year + rng.integers(1, 6, len(rows))
    ancient = end.year - rng.integers(111, 131, len(rows))
    bad_year = np.where(future, ahead, ancient)
    year = year.copy()
    year[rows] = bad_year
    new_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    days = (new_start + np.minimum(day_of_year, 364)).astype(np.int64)
    return days, year


def without_diacritics(
    kind: IntArray, duplicate_rows: IntArray, rng: np.random.Generator
) -> BoolArray:
    """Records whose name is written without diacritics: all of that kind, and some copies."""
    plain: BoolArray = kind == NO_DIACRITICS
    plain[duplicate_rows] = rng.random(len(duplicate_rows)) < 0.4
    return plain
