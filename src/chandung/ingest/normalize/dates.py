"""Dates and timestamps: "05/03/2024", "5-3-24", "2024-03-05T14:30", 45356, "ngày 5 tháng 3".

Day-first is the Vietnamese habit. A slash, dash or dot date whose first two fields are both
at most 12 ("05/03/2024") could be read either way; the column decides. Values that read one
way only ("25/03/2024", "03/25/2024") are always read that way. Undecided values are read in the
``dayfirst`` order (default: day first) unless the column holds a value that reads only in the
other order (with the default, a month-first "03/25/2024"): then that column cannot be trusted
and its undecided values are refused with ``date.ambiguous``. A day equal to its month is never
ambiguous.

Two-digit years are 2000-2049 for 00-49 and 1950-1999 for 50-99, fixed so that the result does
not depend on today's date. Numbers (and numeric strings) between 1 and 80000 are Excel serial
days in the 1900 system; other numbers, and years before 1900 or after 2100, give
``date.out_of_range``. Eight-digit strings are read as ``yyyymmdd``.

Plain day-month-year dates ("05/03/2024") are read for the whole column by Arrow and numpy;
other text is parsed in Python once per *distinct* value (``pc.unique``, then ``pc.index_in``
+ ``take``); numeric and temporal columns are converted by Arrow compute alone.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._result import Normalized, as_array
from .vocabulary import map_distinct, text_key

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray | list[Any]

UNREADABLE = "date.unreadable"
AMBIGUOUS = "date.ambiguous"
OUT_OF_RANGE = "date.out_of_range"

_MIN_YEAR, _MAX_YEAR = 1900, 2100
_MAX_SERIAL = 80000
#: Distinct texts remembered per way of reading dates (a few MB at most).
_CACHED_VALUES = 200_000
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01 once Lotus's 29/02/1900 is out
_UNIX_SERIAL = 25569  # Excel serial of 1970-01-01

_TIME = r"(?:[T\s]+(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?"
_TIME += r"\s*(?P<ampm>[ap]\.?m\.?)?\s*(?P<tz>z|utc|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME}", re.I)
_DMY = re.compile(rf"(?P<a>\d{{1,2}})([-/.])(?P<b>\d{{1,2}})\2(?P<y>\d{{4}}|\d{{2}}){_TIME}", re.I)
_VIET = re.compile(r"(?:ngay)?(?P<d>\d{1,2})thang(?P<m>\d{1,2})(?:nam)?(?P<y>\d{4})")
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_SERIAL = re.compile(r"\d+(?:[.,]\d+)?")

Parsed = tuple[dt.datetime | None, str | None]


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def _build(y: int, m: int, d: int, match: re.Match[str] | None, offset: int) -> Parsed:
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None, OUT_OF_RANGE
    try:
        hour, minute, second, micro = 0, 0, 0, 0
        if match is not None and match["H"] is not None:
            hour, minute = int(match["H"]), int(match["M"])
            second = int(match["S"] or 0)
            micro = int((match["f"] or "0").ljust(6, "0"))
            ampm = (match["ampm"] or "").lower()
            if ampm and not 1 <= hour <= 12:
                return None, UNREADABLE
            if ampm.startswith("p") and hour < 12:
                hour += 12
            elif ampm.startswith("a") and hour == 12:
                hour = 0
        value = dt.datetime(y, m, d, hour, minute, second, micro)
    except ValueError:
        return None, UNREADABLE
    tz = (match["tz"] or "").lower() if match is not None else ""
    if tz:
        # An explicit offset is turned into the column's local wall clock.
        written = 0 if tz in ("z", "utc") else int(tz[0] + "1") * (int(tz[1:3]) * 60 + int(tz[-2:]))
        value += dt.timedelta(minutes=offset - written)
    return value, None


def _serial(number: float) -> Parsed:
    if not 1 <= number < _MAX_SERIAL:
        return None, OUT_OF_RANGE
    if 60 <= number < 61:
        return None, UNREADABLE  # 29/02/1900 never existed; Excel kept it for Lotus 1-2-3
    days = number + 1 if number < 60 else number
    return _EXCEL_EPOCH + dt.timedelta(days=days), None


@functools.lru_cache(maxsize=_CACHED_VALUES)
def _evidence(text: str) -> tuple[bool, bool]:
    """(day-first only, month-first only) for a slash/dash/dot date."""
    match = _DMY.fullmatch(text.strip())
    if match is None:
        return False, False
    a, b = int(match["a"]), int(match["b"])
    return (a > 12 and 1 <= b <= 12), (b > 12 and 1 <= a <= 12)


@functools.lru_cache(maxsize=8)
def _reader(dayfirst: bool, ambiguous: bool, offset: int) -> Any:
    # One reader per way of reading, each remembering what it read: a file's dates repeat
    # across its batches (a birth date column holds a few tens of thousands of values).
    @functools.lru_cache(maxsize=_CACHED_VALUES)
    def read(raw: str) -> Parsed:
        text = raw.strip()
        if match := _ISO.fullmatch(text):
            return _build(int(match["y"]), int(match["m"]), int(match["d"]), match, offset)
        if match := _DMY.fullmatch(text):
            a, b, y = int(match["a"]), int(match["b"]), _year(match["y"])
            if ambiguous and a != b and 1 <= a <= 12 and 1 <= b <= 12:
                return None, AMBIGUOUS
            first = b > 12 or (a <= 12 and not dayfirst)
            d, m = (b, a) if first else (a, b)
            return _build(y, m, d, match, offset)
        if match := _COMPACT.fullmatch(text):
            return _build(int(match["y"]), int(match["m"]), int(match["d"]), None, offset)
        if _SERIAL.fullmatch(text):
            return _serial(float(text.replace(",", ".")))
        if match := _VIET.fullmatch(text_key(text)):
            return _build(int(match["y"]), int(match["m"]), int(match["d"]), None, offset)
        return None, UNREADABLE

    return read


def _parse(array: pa.Array, dayfirst: bool, offset: int) -> tuple[pa.Array, pa.Array]:
    """Timestamps (us, wall clock) and reasons for any column."""
    unit = pa.timestamp("us")
    if pa.types.is_timestamp(array.type):
        if array.type.tz is not None:
            shifted = pc.cast(pc.cast(array, pa.timestamp("us", tz="UTC")), unit)
            array = pc.add(shifted, pa.scalar(dt.timedelta(minutes=offset)))
        return _ranged(pc.cast(array, unit))
    if pa.types.is_date(array.type):
        return _ranged(pc.cast(array, unit))
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        number = pc.cast(array, pa.float64())
        inside = pc.and_(pc.greater_equal(number, 1), pc.less(number, _MAX_SERIAL))
        lotus = pc.and_(pc.greater_equal(number, 60), pc.less(number, 61))
        days = pc.if_else(pc.less(number, 60), pc.add(number, 1), number)
        micros = pc.multiply(pc.subtract(days, _UNIX_SERIAL), 86_400_000_000.0)
        usable = pc.and_(inside, pc.invert(lotus))
        micros = pc.if_else(usable, micros, pa.scalar(None, pa.float64()))
        stamps = pc.cast(pc.cast(pc.round(micros), pa.int64()), unit)
        reasons = pc.if_else(
            pc.is_null(number),
            pa.scalar(None, pa.string()),
            pc.if_else(
                inside,
                pc.if_else(lotus, pa.scalar(UNREADABLE), pa.scalar(None, pa.string())),
                pa.scalar(OUT_OF_RANGE),
            ),
        )
        return stamps, reasons
    text = pc.cast(array, pa.string())
    fast = _plain_dates(text)
    rest = text if fast is None else pc.if_else(pa.array(fast.matched), _NULL_TEXT, text)
    evidence = [_evidence(value) for value in pc.unique(rest).drop_null().to_pylist()]
    day_only = any(day for day, _ in evidence) or (fast is not None and fast.day_only)
    month_only = any(month for _, month in evidence) or (fast is not None and fast.month_only)
    contrary = month_only if dayfirst else day_only
    read = _reader(dayfirst, contrary, offset)
    slow_stamps, slow_reasons = map_distinct(rest, read, unit)
    if fast is None:
        return slow_stamps, slow_reasons
    stamps, reasons = fast.read(dayfirst, contrary)
    return pc.coalesce(stamps, slow_stamps), pc.coalesce(reasons, slow_reasons)


_NULL_TEXT = pa.scalar(None, pa.string())
#: Dates as most files write them: day, month and a four-digit year joined by one kind of
#: separator, nothing else but spaces around. Read by Arrow and numpy for the whole column;
#: any other value goes through :func:`_reader`, which reads these the same way.
_PLAIN = r"^ *(?P<a>\d{1,2})(?P<s>[-/.])(?P<b>\d{1,2})(?P<t>[-/.])(?P<y>\d{4}) *$"


@dataclass(frozen=True)
class _PlainDates:
    """The plain dates of a column (:data:`_PLAIN`), their first two numbers and year."""

    matched: np.ndarray[Any, np.dtype[np.bool_]]
    a: np.ndarray[Any, np.dtype[np.int64]]
    b: np.ndarray[Any, np.dtype[np.int64]]
    y: np.ndarray[Any, np.dtype[np.int64]]
    day_only: bool
    month_only: bool

    def read(self, dayfirst: bool, contrary: bool) -> tuple[pa.Array, pa.Array]:
        """Timestamps and reasons as :func:`_reader` gives them (null where not matched)."""
        a, b, y, matched = self.a, self.b, self.y, self.matched
        both_small = (a >= 1) & (a <= 12) & (b >= 1) & (b <= 12)
        ambiguous = matched & contrary & (a != b) & both_small
        month_first = (b > 12) | ((a <= 12) & (not dayfirst))
        day, month = np.where(month_first, b, a), np.where(month_first, a, b)
        in_range = (y >= _MIN_YEAR) & (y <= _MAX_YEAR)
        # A day that does not exist (31/02) rolls into the next month: compare to find it.
        month_start = ((y - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
        days = month_start.astype("datetime64[D]") + (day - 1)
        real = (month >= 1) & (month <= 12) & (day >= 1)
        real &= days.astype("datetime64[M]") == month_start
        good = matched & ~ambiguous & in_range & real
        stamps = pa.array(days.astype("datetime64[us]"), pa.timestamp("us"), mask=~good)
        reasons = pc.if_else(
            pa.array(ambiguous),
            pa.scalar(AMBIGUOUS),
            pc.if_else(
                pa.array(matched & ~in_range),
                pa.scalar(OUT_OF_RANGE),
                pc.if_else(pa.array(matched & ~real), pa.scalar(UNREADABLE), _NULL_TEXT),
            ),
        )
        return stamps, reasons


def _plain_dates(text: pa.Array) -> _PlainDates | None:
    parts = pc.extract_regex(text, _PLAIN)
    one_separator = pc.equal(pc.struct_field(parts, "s"), pc.struct_field(parts, "t"))
    matched = pc.fill_null(one_separator, False).to_numpy(zero_copy_only=False)
    if not matched.any():
        return None

    def number(name: str) -> np.ndarray[Any, np.dtype[np.int64]]:
        field = pc.fill_null(pc.cast(pc.struct_field(parts, name), pa.int64()), 0)
        return np.where(matched, field.to_numpy(zero_copy_only=False), 0)

    a, b, y = number("a"), number("b"), number("y")
    day_only = bool(np.any(matched & (a > 12) & (b >= 1) & (b <= 12)))
    month_only = bool(np.any(matched & (b > 12) & (a >= 1) & (a <= 12)))
    return _PlainDates(matched, a, b, y, day_only, month_only)


def _ranged(stamps: pa.Array) -> tuple[pa.Array, pa.Array]:
    year = pc.year(stamps)
    bad = pc.or_(pc.less(year, _MIN_YEAR), pc.greater(year, _MAX_YEAR))
    reasons = pc.if_else(bad, pa.scalar(OUT_OF_RANGE), pa.scalar(None, pa.string()))
    return pc.if_else(bad, pa.scalar(None, stamps.type), stamps), reasons


def normalize_datetime(
    values: ArrayLike, *, dayfirst: bool = True, utc_offset_minutes: int = 420
) -> Normalized:
    """Read timestamps: ISO with time, dd/mm/yyyy HH:MM[:SS], Excel serials, dates alone.

    Parameters
    ----------
    values
        Timestamps as text, numbers (Excel serials), dates or timestamps.
    dayfirst
        Order of undecided slash dates when the column gives no evidence (module docstring).
    utc_offset_minutes
        Local offset of the result's wall clock; values written with an offset ("Z", "+00:00")
        or tz-aware timestamps are shifted to it. Default: Vietnam, UTC+07:00.

    Returns
    -------
    Normalized
        ``timestamp[us]`` wall-clock values; reasons ``date.unreadable``, ``date.ambiguous``,
        ``date.out_of_range``.

    Examples
    --------
    >>> result = normalize_datetime(["05/03/2024 14:30", "2024-03-05T07:30:00Z", "45356.5"])
    >>> [str(v) for v in result.values.to_pylist()]
    ['2024-03-05 14:30:00', '2024-03-05 14:30:00', '2024-03-05 12:00:00']
    """
    array = as_array(values)
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        stamps, reasons = _parse(array, dayfirst, utc_offset_minutes)
        return Normalized(stamps, reasons)
    # Timestamps are nearly all distinct, so reading each distinct text in Python would be a
    # loop per row: plain ISO wall-clock times (no offset), the commonest form, are read by
    # Arrow first, and only the rest go through the full reader.
    text = pc.utf8_trim_whitespace(array)
    plain = pc.replace_substring_regex(
        text, r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d{1,6})?$", r"\1 \2"
    )
    fast = pc.strptime(plain, format="%Y-%m-%d %H:%M:%S", unit="us", error_is_null=True)
    fast, fast_reasons = _ranged(fast)
    rest = pc.and_(pc.is_null(fast), pc.is_null(fast_reasons))
    if not pc.any(pc.and_(rest, pc.is_valid(text))).as_py():
        return Normalized(fast, fast_reasons)
    slow_input = pc.if_else(rest, array, pa.scalar(None, array.type))
    slow, slow_reasons = _parse(slow_input, dayfirst, utc_offset_minutes)
    return Normalized(pc.coalesce(fast, slow), pc.coalesce(fast_reasons, slow_reasons))


def normalize_date(values: ArrayLike, *, dayfirst: bool = True) -> Normalized:
    """Read dates: dd/mm/yyyy first, ISO, Excel serials, "ngày 5 tháng 3 năm 2024".

    Parameters
    ----------
    values
        Dates as text, numbers (Excel serials), dates or timestamps; any time part is dropped.
    dayfirst
        Order of undecided slash dates when the column gives no evidence (module docstring).

    Returns
    -------
    Normalized
        ``date32`` values; reasons ``date.unreadable``, ``date.ambiguous``, ``date.out_of_range``.

    Examples
    --------
    >>> result = normalize_date(["05/03/2024", "2024-03-05", "45356", "ngày 5 tháng 3 năm 2024"])
    >>> {str(v) for v in result.values.to_pylist()}
    {'2024-03-05'}
    >>> normalize_date(["03/25/2024", "05/03/2024", "31/02/2024", "1/1/1800"]).reasons.to_pylist()
    [None, 'date.ambiguous', 'date.unreadable', 'date.out_of_range']
    """
    stamps, reasons = _parse(as_array(values), dayfirst, 420)
    return Normalized(pc.cast(stamps, pa.date32()), reasons)


def normalize_date_one(raw: object, *, dayfirst: bool = True) -> dt.date | None:
    """Read one date; raise ``ValueError`` with the reason code when it cannot be read.

    Examples
    --------
    >>> normalize_date_one("5/3/24")
    datetime.date(2024, 3, 5)
    """
    result = normalize_date([raw], dayfirst=dayfirst)
    reason = result.reasons[0].as_py()
    if reason is not None:
        raise ValueError(reason)
    value: dt.date | None = result.values[0].as_py()
    return value
