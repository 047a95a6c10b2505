from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chandung.i18n import LANGUAGES, catalogue, translate
from chandung.i18n.formats import format_compact_vnd, format_number, format_percent, format_vnd

SRC = Path(resources.files("chandung")).resolve()  # type: ignore[arg-type]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    vi, en = catalogue("vi"), catalogue("en")
    assert set(vi) == set(en), set(vi) ^ set(en)
    for key in en:
        assert _placeholders(vi[key]) == _placeholders(en[key]), key


def test_every_key_the_code_uses_exists() -> None:
    pattern = re.compile(r"""(?:translate|\bt)\(\s*f?["']([a-z_]+(?:\.[a-z_{}]+)+)["']""")
    used: set[str] = set()
    for path in [*SRC.rglob("*.py"), *SRC.rglob("*.html")]:
        used.update(pattern.findall(path.read_text("utf-8")))
    known = set(catalogue("en"))
    for key in used:
        if "{" in key:  # a family of keys, e.g. channel_group.{k}
            prefix = key.split("{")[0]
            assert any(k.startswith(prefix) for k in known), key
        else:
            assert key in known, key


def test_every_error_code_is_translated() -> None:
    from chandung import errors

    for cls in vars(errors).values():
        if isinstance(cls, type) and issubclass(cls, errors.ChandungError):
            for lang in LANGUAGES:
                assert f"errors.{cls.default_code}" in catalogue(lang), cls


def test_missing_key_falls_back_to_the_key() -> None:
    assert translate("no.such.key", "vi") == "no.such.key"


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [(1_200_000, "1.200.000 ₫", "₫1,200,000"), (0, "0 ₫", "₫0")],
)
def test_money_is_written_the_local_way(value: int, vi: str, en: str) -> None:
    assert format_vnd(value, "vi") == vi
    assert format_vnd(value, "en") == en


def test_numbers_and_percentages() -> None:
    assert format_number(1234.5, "vi", 1) == "1.234,5"
    assert format_number(1234.5, "en", 1) == "1,234.5"
    assert format_percent(0.256, "vi") == "25,6%"
    assert format_compact_vnd(1_250_000_000, "vi") == "1,2 tỷ ₫"
    assert format_compact_vnd(3_400_000, "en") == "₫3.4M"


def test_every_raised_error_code_is_translated() -> None:
    pattern = re.compile(r"""[A-Z][a-zA-Z]*Error\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        codes.update(pattern.findall(path.read_text("utf-8")))
    assert "store.no_table" in codes  # the scan finds what is raised
    for code in codes:
        for lang in LANGUAGES:
            assert f"errors.{code}" in catalogue(lang), (code, lang)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_grouped_numbers_read_back_in_both_languages(n: int) -> None:
    assert int(format_number(n, "vi").replace(".", "")) == n
    assert int(format_number(n, "en").replace(",", "")) == n
    assert format_number(n, "vi").replace(".", ",") == format_number(n, "en")


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_compact_money_never_loses_the_unit(value: float) -> None:
    assert format_compact_vnd(value, "vi").endswith("₫")
    assert format_compact_vnd(value, "en").startswith("₫")


def test_every_reason_code_reads_as_words() -> None:
    from chandung.i18n import reason_text

    pattern = re.compile(
        r"""["']([a-z_]+\.(?:unknown|invalid|unreadable|ambiguous|out_of_range|not_a_number|"""
        r"""too_short|too_long|typo_domain|unknown_value|missing|duplicate|field_count|"""
        r"""not_vnd))["']"""
    )
    codes: set[str] = set()
    for path in (SRC / "ingest").rglob("*.py"):
        codes.update(pattern.findall(path.read_text("utf-8")))
    codes.update(pattern.findall((SRC / "services" / "imports.py").read_text("utf-8")))
    assert {"phone.too_short", "money.unreadable", "province.unknown"} <= codes
    for code in codes:
        for lang in LANGUAGES:
            assert reason_text(code, lang) != code, (code, lang)
    assert reason_text("marital_status.unknown", "en") == (
        "not one of the allowed values of marital_status"
    )
