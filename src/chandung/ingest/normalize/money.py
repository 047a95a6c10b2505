"""Amounts of money: "1.200.000đ", "1,2tr", "1.2M", "500k", "2 tỷ", "$12.50", "12,50 €".

The value is a float64 amount in its own currency (đồng for VND, dollars for USD: not minor
units), with the ISO 4217 code beside it in ``extra["currency"]``. Numeric columns pass through
unchanged in ``default_currency``.

How a lone separator is read, since Vietnamese files write "1.200" for twelve hundred and
English ones write "1,200":

- with both "." and ",", the one written last is the decimal mark ("1.200.000,50", "1,200.50");
- one kind written several times groups thousands ("1.200.000", "1,200,000");
- one written once is a decimal mark before a multiplier word ("1,2tr", "1.2M"); otherwise it
  groups thousands when exactly three digits follow and the integer part is not 0 ("1.200" is
  1200 in any currency: VND has no decimals and three-decimal currencies are not expected), and
  is a decimal mark when one, two or more than three digits follow ("12,50 €", "12.5").

Strings are parsed in Python once per *distinct* value (``pc.unique``, then ``pc.index_in`` +
``take``): amount columns repeat their spellings far more often than rows differ.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from ._result import Normalized, as_array
from .vocabulary import map_distinct, text_key

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray | list[Any]

UNREADABLE = "money.unreadable"

# Matched on lower-case text without diacritics ("đồng" → "dong", "tỷ" → "ty"), longest first.
_CURRENCIES: tuple[tuple[str, str], ...] = (
    ("vnd", "VND"),
    ("dong", "VND"),
    ("₫", "VND"),
    ("d", "VND"),
    ("us$", "USD"),
    ("usd", "USD"),
    ("$", "USD"),
    ("eur", "EUR"),
    ("€", "EUR"),
    ("gbp", "GBP"),
    ("£", "GBP"),
    ("jpy", "JPY"),
    ("cny", "CNY"),
    ("rmb", "CNY"),
    ("¥", "JPY"),
    ("krw", "KRW"),
    ("₩", "KRW"),
    ("thb", "THB"),
    ("sgd", "SGD"),
)
_MULTIPLIERS: dict[str, int] = {
    "k": 10**3,
    "nghin": 10**3,
    "ngan": 10**3,
    "tr": 10**6,
    "trieu": 10**6,
    "cu": 10**6,  # "củ": slang for a million đồng
    "m": 10**6,
    "mil": 10**6,
    "million": 10**6,
    "ty": 10**9,
    "ti": 10**9,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
}
_CURRENCY_ALT = "|".join(re.escape(token) for token, _ in _CURRENCIES)
_PREFIX = re.compile(rf"^({_CURRENCY_ALT})\s*")
# A trailing "d" only counts as đồng after a digit, a space or a multiplier word.
_SUFFIX = re.compile(rf"\s*({_CURRENCY_ALT})$")
_MULT_ALT = "|".join(sorted(_MULTIPLIERS, key=len, reverse=True))
_WITH_MULT = re.compile(rf"^(?P<num>[\d.,]+)\s*(?P<mult>{_MULT_ALT})\s*(?P<tail>\d*)$")
_SPACED = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$")
_CODES = dict(_CURRENCIES)


def _grouped(integer: str, sep: str) -> bool:
    return re.fullmatch(rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+", integer) is not None


def _number(text: str, decimal_if_single: bool) -> Decimal | None:
    if _SPACED.match(text):
        text = re.sub(r"[ \u00a0\u202f]", "", text)
    if not re.fullmatch(r"\d[\d.,]*", text) or not text[-1].isdigit():
        return None
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        mark = "." if text.rfind(".") > text.rfind(",") else ","
        group = "," if mark == "." else "."
        integer, _, fraction = text.rpartition(mark)
        if mark in integer or not _grouped(integer, group):
            return None
        text = integer.replace(group, "") + "." + fraction
    elif dots + commas > 1:
        sep = "." if dots else ","
        if not _grouped(text, sep):
            return None
        text = text.replace(sep, "")
    elif dots + commas == 1:
        integer, _, fraction = text.replace(",", ".").partition(".")
        thousands = not decimal_if_single and len(fraction) == 3 and integer.lstrip("0") != ""
        text = integer + fraction if thousands else integer + "." + fraction
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only digits
        return None


def _plain(raw: str) -> str:
    """Lower-case ``raw`` without diacritics, keeping digits, symbols and spaces."""
    words = re.split(r"(\s+)", unicodedata.normalize("NFC", raw).strip().lower())
    # text_key drops punctuation, so only letters are re-keyed: "đồng" → "dong", "tỷ" → "ty".
    return "".join(
        re.sub(r"[^\W\d_]+", lambda m: text_key(m.group(0)), word) for word in words
    ).strip()


def _read(raw: str, default_currency: str) -> tuple[tuple[float, str] | None, str | None]:
    text = _plain(raw)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    currency = None
    if text.startswith(("-", "−")):
        negative, text = not negative, text[1:].strip()
    if match := _PREFIX.match(text):
        currency, text = _CODES[match.group(1)], text[match.end() :]
    elif (match := _SUFFIX.search(text)) and match.start() > 0:
        currency, text = _CODES[match.group(1)], text[: match.start()]
    text = text.strip()
    if text.startswith(("-", "−")):
        negative, text = not negative, text[1:].strip()
    multiplier = 1
    if found := _WITH_MULT.match(text):
        multiplier = _MULTIPLIERS[found["mult"]]
        text = found["num"]
        if found["tail"]:  # "1tr2" is 1.2 million, "2k5" is 2500
            if not text.isdigit():
                return None, UNREADABLE
            text = f"{text}.{found['tail']}"
    number = _number(text, decimal_if_single=multiplier > 1)
    if number is None:
        return None, UNREADABLE
    amount = number * multiplier
    return (float(-amount if negative else amount), currency or default_currency), None


_PAIR = pa.struct([("amount", pa.float64()), ("currency", pa.string())])


def normalize_money(values: ArrayLike, *, default_currency: str = "VND") -> Normalized:
    """Read amounts of money written the ways Vietnamese and English sources write them.

    Parameters
    ----------
    values
        Amounts as text ("1.200.000đ", "1,2tr", "$12.50", "(50.000)") or as numbers.
    default_currency
        ISO 4217 code of amounts that name no currency (and of numeric columns).

    Returns
    -------
    Normalized
        float64 amounts in their own currency, ``extra["currency"]`` the ISO code; reason
        ``money.unreadable`` where the text is not an amount.

    Examples
    --------
    >>> result = normalize_money(["1.200.000đ", "1,2tr", "500k", "$12.50", "(50.000)", "", "abc"])
    >>> result.values.to_pylist()
    [1200000.0, 1200000.0, 500000.0, 12.5, -50000.0, None, None]
    >>> result.extra["currency"].to_pylist()
    ['VND', 'VND', 'VND', 'USD', 'VND', None, None]
    >>> result.reasons.to_pylist()
    [None, None, None, None, None, None, 'money.unreadable']
    """
    array = as_array(values)
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        amounts = pc.cast(array, pa.float64())
        # NaN is how numeric exports write an empty cell.
        amounts = pc.if_else(pc.is_nan(amounts), pa.scalar(None, pa.float64()), amounts)
        currency = pc.if_else(
            pc.is_valid(amounts), pa.scalar(default_currency), pa.scalar(None, pa.string())
        )
        reasons = pa.nulls(len(amounts), pa.string())
        return Normalized(amounts, reasons, {"currency": currency})
    if pa.types.is_decimal(array.type):
        return normalize_money(pc.cast(array, pa.float64()), default_currency=default_currency)

    def read(raw: str) -> tuple[dict[str, Any] | None, str | None]:
        pair, reason = _read(raw, default_currency)
        if pair is None or not math.isfinite(pair[0]):
            return None, reason or UNREADABLE
        return {"amount": pair[0], "currency": pair[1]}, None

    pairs, reasons = map_distinct(array, read, _PAIR)
    return Normalized(pc.struct_field(pairs, 0), reasons, {"currency": pc.struct_field(pairs, 1)})


def normalize_money_one(raw: object, *, default_currency: str = "VND") -> tuple[float | None, str]:
    """Read one amount; return ``(amount, currency)`` or raise ``ValueError`` with the reason.

    Examples
    --------
    >>> normalize_money_one("1,2 triệu")
    (1200000.0, 'VND')
    >>> normalize_money_one("12,50 €")
    (12.5, 'EUR')
    """
    result = normalize_money([raw], default_currency=default_currency)
    reason = result.reasons[0].as_py()
    if reason is not None:
        raise ValueError(reason)
    assert result.extra is not None
    return result.values[0].as_py(), result.extra["currency"][0].as_py() or default_currency
