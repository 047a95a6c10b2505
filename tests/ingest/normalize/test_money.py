"""Amounts of money read back from the ways Vietnamese and English sources write them."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.ingest.normalize.money import normalize_money, normalize_money_one


def _dots(n: int) -> str:
    return f"{n:,}".replace(",", ".")


#: Ways a whole VND amount is written; each must read back exactly.
STYLES = (
    lambda n: _dots(n) + "đ",
    lambda n: _dots(n) + " VND",
    lambda n: _dots(n) + " ₫",
    lambda n: f"{n:,}",
    lambda n: f"{n:,} đồng",
    lambda n: str(n),
    lambda n: f"{n:,}".replace(",", " "),
    lambda n: "-" + _dots(n) if n else "0",
)


def _signed(style_index: int, n: int) -> int:
    return -n if style_index == len(STYLES) - 1 else n


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=30))
def test_any_vnd_integer_in_any_style_reads_back(amounts: list[int]) -> None:
    raw = [style(n) for n in amounts for style in STYLES]
    expected = [float(_signed(i, n)) for n in amounts for i in range(len(STYLES))]
    result = normalize_money(raw)
    assert result.values.to_pylist() == expected
    assert result.invalid_count == 0
    assert set(result.extra["currency"].to_pylist()) == {"VND"}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=99_999), min_size=1, max_size=30))
def test_multiplier_words_read_back(thousands: list[int]) -> None:
    raw: list[str] = []
    expected: list[float] = []
    for n in thousands:
        millions = format(Decimal(n) / 1000, "f")  # n thousand đồng as millions: "1.234"
        raw += [f"{n}k", f"{n} nghìn", millions.replace(".", ",") + "tr", millions + "M"]
        raw += [millions.replace(".", ",") + " triệu"]
        expected += [n * 1000.0] * 5
    assert normalize_money(raw).values.to_pylist() == expected


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [
        ("1.200.000đ", 1_200_000, "VND"),
        ("1.200.000 VND", 1_200_000, "VND"),
        ("1.200.000 vnđ", 1_200_000, "VND"),
        ("1,200,000", 1_200_000, "VND"),
        ("1,2tr", 1_200_000, "VND"),
        ("1.2tr", 1_200_000, "VND"),
        ("1,2 triệu", 1_200_000, "VND"),
        ("1tr2", 1_200_000, "VND"),
        ("500k", 500_000, "VND"),
        ("500K", 500_000, "VND"),
        ("500 nghìn", 500_000, "VND"),
        ("500 ngàn", 500_000, "VND"),
        ("1.2M", 1_200_000, "VND"),
        ("2 tỷ", 2_000_000_000, "VND"),
        ("2,5 tỉ", 2_500_000_000, "VND"),
        ("3 củ", 3_000_000, "VND"),
        ("1.200", 1_200, "VND"),
        ("1.200.000,50", 1_200_000.5, "VND"),
        ("(50.000)", -50_000, "VND"),
        ("-50.000đ", -50_000, "VND"),
        ("$12.50", 12.5, "USD"),
        ("-$12.50", -12.5, "USD"),
        ("US$ 3", 3, "USD"),
        ("12,50 €", 12.5, "EUR"),
        ("EUR 1.234,56", 1234.56, "EUR"),
        ("USD 12.5", 12.5, "USD"),
        ("1,200.50 usd", 1200.5, "USD"),
        ("0.500", 0.5, "VND"),
        ("  1.200.000 đ  ", 1_200_000, "VND"),
    ],
)
def test_messy_examples(raw: str, amount: float, currency: str) -> None:
    assert normalize_money_one(raw) == (float(amount), currency)


@pytest.mark.parametrize("raw", ["abc", "đ", "1.20.000", "1,2,3", "12..5", "tr", "1tr2tr", "$"])
def test_unreadable(raw: str) -> None:
    result = normalize_money([raw])
    assert result.values.to_pylist() == [None]
    assert result.reasons.to_pylist() == ["money.unreadable"]
    with pytest.raises(ValueError, match=r"money\.unreadable"):
        normalize_money_one(raw)


def test_blank_and_null_are_empty_not_invalid() -> None:
    result = normalize_money(["", "   ", None, "1k"])
    assert result.values.to_pylist() == [None, None, None, 1000.0]
    assert result.reasons.to_pylist() == [None, None, None, None]
    assert result.extra["currency"].to_pylist() == [None, None, None, "VND"]


def test_numeric_columns_pass_through_in_default_currency() -> None:
    result = normalize_money(pa.array([1200000, None, 5], pa.int64()), default_currency="USD")
    assert result.values.to_pylist() == [1200000.0, None, 5.0]
    assert result.extra["currency"].to_pylist() == ["USD", None, "USD"]
    floats = normalize_money(pa.array([1.5, float("nan")]))
    assert floats.values.to_pylist() == [1.5, None]
    assert floats.invalid_count == 0


def test_default_currency_applies_only_when_none_is_written() -> None:
    result = normalize_money(["12.50", "12.50 €"], default_currency="USD")
    assert result.extra["currency"].to_pylist() == ["USD", "EUR"]


def test_chunked_input_and_repeated_values_keep_their_rows() -> None:
    chunked = pa.chunked_array([["1k", "2k"], ["1k", None, "x"]])
    result = normalize_money(chunked)
    assert result.values.to_pylist() == [1000.0, 2000.0, 1000.0, None, None]
    assert result.reasons.to_pylist() == [None, None, None, None, "money.unreadable"]


def test_idempotent_on_its_own_output() -> None:
    first = normalize_money(["1,2tr", "$12.50", "(50.000)"])
    again = normalize_money(first.values)
    assert again.values.equals(first.values)
