"""Numbers, money and percentages written the way each language writes them.

Vietnamese groups thousands with "." and writes decimals with ","; English the other way round.
"""

from __future__ import annotations


def format_number(value: float, language: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    if language == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_vnd(value: float, language: str) -> str:
    """An amount in VND: ``1.200.000 ₫`` in Vietnamese, ``₫1,200,000`` in English."""
    number = format_number(round(value), language)
    return f"{number} ₫" if language == "vi" else f"₫{number}"


def format_compact_vnd(value: float, language: str) -> str:
    """A large amount shortened: ``1,2 tỷ ₫`` / ``₫1.2B``."""
    units = (("tỷ", "B", 1e9), ("tr", "M", 1e6), ("nghìn", "K", 1e3))
    for vi_unit, en_unit, size in units:
        if abs(value) >= size:
            number = format_number(value / size, language, 1)
            return f"{number} {vi_unit} ₫" if language == "vi" else f"₫{number}{en_unit}"
    return format_vnd(value, language)


def format_percent(share: float, language: str, decimals: int = 1) -> str:
    return f"{format_number(share * 100, language, decimals)}%"
