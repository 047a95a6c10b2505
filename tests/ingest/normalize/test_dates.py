"""Dates and timestamps read back from dd/mm/yyyy, ISO, Excel serials and Vietnamese text."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.ingest.normalize import dates as dates_module
from chandung.ingest.normalize.dates import (
    normalize_date,
    normalize_date_one,
    normalize_datetime,
)

EXCEL_EPOCH = dt.date(1899, 12, 30)
dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31))


def _serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def _styles(day: dt.date) -> list[str]:
    d, m, y = day.day, day.month, day.year
    return [
        f"{d:02d}/{m:02d}/{y}",
        f"{d}/{m}/{y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{d:02d}.{m:02d}.{y}",
        day.isoformat(),
        f"{day.isoformat()}T08:15:00",
        f"{y}/{m:02d}/{d:02d}",
        str(_serial(day)),
        f"ngày {d} tháng {m} năm {y}",
        f"{y}{m:02d}{d:02d}",
    ]


@settings(max_examples=30, deadline=None)
@given(st.lists(dates, min_size=1, max_size=30))
def test_any_date_in_any_style_reads_back(days: list[dt.date]) -> None:
    raw = [text for day in days for text in _styles(day)]
    result = normalize_date(raw)
    assert result.reasons.null_count == len(raw)
    assert result.values.to_pylist() == [day for day in days for _ in _styles(day)]


@settings(max_examples=30, deadline=None)
@given(st.lists(dates, min_size=1, max_size=30))
def test_excel_serial_numbers_read_back(days: list[dt.date]) -> None:
    result = normalize_date(pa.array([_serial(day) for day in days], pa.int64()))
    assert result.values.to_pylist() == days
    floats = normalize_date(pa.array([_serial(day) + 0.75 for day in days]))
    assert floats.values.to_pylist() == days


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2049, 12, 31)),
        min_size=1,
        max_size=30,
    )
)
def test_two_digit_years(days: list[dt.date]) -> None:
    raw = [f"{d.day}/{d.month}/{d.year % 100:02d}" for d in days]
    assert normalize_date(raw).values.to_pylist() == days


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 12, 31)),
        min_size=1,
        max_size=30,
    )
)
def test_any_timestamp_reads_back(stamps: list[dt.datetime]) -> None:
    stamps = [s.replace(microsecond=0) for s in stamps]
    raw = [s.strftime("%d/%m/%Y %H:%M:%S") for s in stamps]
    raw += [s.isoformat() for s in stamps]
    raw += [(s - dt.timedelta(hours=7)).isoformat() + "Z" for s in stamps]
    result = normalize_datetime(raw)
    assert result.values.to_pylist() == stamps * 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05/03/2024", dt.date(2024, 3, 5)),
        ("5/3/24", dt.date(2024, 3, 5)),
        ("5/3/65", dt.date(1965, 3, 5)),
        ("05-03-2024", dt.date(2024, 3, 5)),
        ("05.03.2024", dt.date(2024, 3, 5)),
        ("25/12/1990", dt.date(1990, 12, 25)),
        ("2024-03-05 10:20:30", dt.date(2024, 3, 5)),
        ("2024-03-05T10:20:30.123+07:00", dt.date(2024, 3, 5)),
        ("45356", dt.date(2024, 3, 5)),
        ("45356,5", dt.date(2024, 3, 5)),
        ("Ngày 05 tháng 03 năm 1990", dt.date(1990, 3, 5)),
        ("ngay 5 thang 3 nam 1990", dt.date(1990, 3, 5)),
        ("  20240305 ", dt.date(2024, 3, 5)),
    ],
)
def test_messy_examples(raw: str, expected: dt.date) -> None:
    assert normalize_date_one(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("31/02/2024", "date.unreadable"),
        ("13/13/2020", "date.unreadable"),
        ("hôm qua", "date.unreadable"),
        ("60", "date.unreadable"),
        ("1/1/1800", "date.out_of_range"),
        ("2200-01-01", "date.out_of_range"),
        ("99999", "date.out_of_range"),
        ("0", "date.out_of_range"),
    ],
)
def test_unreadable_and_out_of_range(raw: str, reason: str) -> None:
    result = normalize_date([raw])
    assert result.values.to_pylist() == [None]
    assert result.reasons.to_pylist() == [reason]
    with pytest.raises(ValueError, match=reason):
        normalize_date_one(raw)


def test_day_first_evidence_reads_undecided_dates_day_first() -> None:
    result = normalize_date(["03/05/2024", "25/05/2024"])
    assert result.values.to_pylist() == [dt.date(2024, 5, 3), dt.date(2024, 5, 25)]
    assert result.invalid_count == 0


def test_evidence_against_the_dayfirst_setting_makes_undecided_dates_ambiguous() -> None:
    result = normalize_date(["03/05/2024", "25/05/2024"], dayfirst=False)
    assert result.values.to_pylist() == [None, dt.date(2024, 5, 25)]
    assert result.reasons.to_pylist() == ["date.ambiguous", None]


def test_month_first_evidence_makes_undecided_dates_ambiguous() -> None:
    result = normalize_date(["03/05/2024", "03/25/2024", "04/04/2024", "25/03/2024"])
    assert result.reasons.to_pylist() == ["date.ambiguous", None, None, None]
    assert result.values.to_pylist()[1:] == [
        dt.date(2024, 3, 25),
        dt.date(2024, 4, 4),
        dt.date(2024, 3, 25),
    ]


def test_without_evidence_dayfirst_decides() -> None:
    assert normalize_date(["03/05/2024"]).values.to_pylist() == [dt.date(2024, 5, 3)]
    month_first = normalize_date(["03/05/2024", "03/25/2024"], dayfirst=False)
    assert month_first.values.to_pylist() == [dt.date(2024, 3, 5), dt.date(2024, 3, 25)]
    assert month_first.invalid_count == 0


def test_blank_and_null_are_empty_not_invalid() -> None:
    result = normalize_date(["", "  ", None, "01/02/2003"])
    assert result.values.to_pylist() == [None, None, None, dt.date(2003, 2, 1)]
    assert result.reasons.to_pylist() == [None, None, None, None]
    assert result.values.type == pa.date32()


def test_numeric_columns_mark_out_of_range_and_lotus_day() -> None:
    result = normalize_date(pa.array([1, 59, 60, 61, 0, None, 1e6]))
    assert result.values.to_pylist() == [
        dt.date(1900, 1, 1),
        dt.date(1900, 2, 28),
        None,
        dt.date(1900, 3, 1),
        None,
        None,
        None,
    ]
    assert result.reasons.to_pylist() == [
        None,
        None,
        "date.unreadable",
        None,
        "date.out_of_range",
        None,
        "date.out_of_range",
    ]


def test_temporal_columns_pass_through_and_are_range_checked() -> None:
    days = pa.array([dt.date(2024, 3, 5), dt.date(1800, 1, 1), None])
    result = normalize_date(days)
    assert result.values.to_pylist() == [dt.date(2024, 3, 5), None, None]
    assert result.reasons.to_pylist() == [None, "date.out_of_range", None]
    aware = pa.array([dt.datetime(2024, 3, 5, 0, 0)], pa.timestamp("s", tz="UTC"))
    assert normalize_datetime(aware).values.to_pylist() == [dt.datetime(2024, 3, 5, 7, 0)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05/03/2024 14:30", dt.datetime(2024, 3, 5, 14, 30)),
        ("05/03/2024 2:30 PM", dt.datetime(2024, 3, 5, 14, 30)),
        ("05/03/2024 12:05 am", dt.datetime(2024, 3, 5, 0, 5)),
        ("05/03/2024 14h30", dt.datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05T07:30:00Z", dt.datetime(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30:00+07:00", dt.datetime(2024, 3, 5, 14, 30)),
        ("45356.5", dt.datetime(2024, 3, 5, 12, 0)),
        ("05/03/2024", dt.datetime(2024, 3, 5)),
    ],
)
def test_datetime_examples(raw: str, expected: dt.datetime) -> None:
    result = normalize_datetime([raw])
    assert result.values.to_pylist() == [expected]


def test_utc_offset_is_configurable() -> None:
    result = normalize_datetime(["2024-03-05T07:30:00Z"], utc_offset_minutes=0)
    assert result.values.to_pylist() == [dt.datetime(2024, 3, 5, 7, 30)]


def test_idempotent_on_its_own_output() -> None:
    first = normalize_date(["05/03/2024", "45356", "2024-03-05"])
    assert normalize_date(first.values).values.equals(first.values)
    stamps = normalize_datetime(["05/03/2024 14:30"])
    assert normalize_datetime(stamps.values).values.equals(stamps.values)


# Day-month-year text of every shape, sense and nonsense: numbers 0-39, years 1800-2200 in two
# or four digits, mixed separators, spaces, and other ways of writing dates among them.
_numbers = st.integers(0, 39).flatmap(lambda n: st.sampled_from([str(n), f"{n:02d}"]))
_years = st.integers(1800, 2200).flatmap(lambda y: st.sampled_from([str(y), f"{y % 100:02d}"]))
_day_month_year = st.builds(
    lambda a, s1, b, s2, y, before, after: f"{before}{a}{s1}{b}{s2}{y}{after}",
    _numbers, st.sampled_from("/-."), _numbers, st.sampled_from("/-."), _years,
    st.sampled_from(["", " ", "  ", "\t"]), st.sampled_from(["", " ", " 08:30", "\n"]),
)  # fmt: skip
_date_texts = st.one_of(
    _day_month_year, dates.map(lambda d: d.isoformat()), st.sampled_from(["", " ", "n/a"])
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_date_texts, st.none()), min_size=1, max_size=40), st.booleans())
def test_plain_dates_read_by_columns_as_one_by_one(
    values: list[str | None], dayfirst: bool
) -> None:
    # Plain dates are read for the whole column at once; the reader of single values must
    # agree on every value, reason and on the evidence the column gives.
    by_column = normalize_date(values, dayfirst=dayfirst)
    with mock.patch.object(dates_module, "_plain_dates", lambda text: None):
        one_by_one = normalize_date(values, dayfirst=dayfirst)
    assert by_column.values.to_pylist() == one_by_one.values.to_pylist()
    assert by_column.reasons.to_pylist() == one_by_one.reasons.to_pylist()
