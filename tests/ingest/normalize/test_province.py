"""Province names, in any spelling, onto the 34 current units with the former one kept."""

from __future__ import annotations

import unicodedata

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.ingest.normalize.province import (
    EXTRA_ALIASES,
    _core,
    normalize_province,
    normalize_province_one,
)
from chandung.schema.provinces_vn import ALIASES, CURRENT_PROVINCES, FORMER_TO_CURRENT

#: Every official name with the (current, former) it must read as.
EXPECTED: dict[str, tuple[str, str | None]] = {
    **{f: (c, None if f in CURRENT_PROVINCES else f) for f, c in FORMER_TO_CURRENT.items()},
    **{c: (c, None) for c in CURRENT_PROVINCES},
}
NAMES = sorted(EXPECTED)


def _plain(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _bare(name: str) -> str:
    return name.removeprefix("Thành phố ")


def _written(name: str, plain: bool, case: int, prefix: str, nfd: bool) -> str:
    text = prefix + _bare(name)
    text = _plain(text) if plain else text
    text = (text, text.lower(), text.upper())[case]
    return unicodedata.normalize("NFD", text) if nfd else text


spellings = st.tuples(
    st.sampled_from(NAMES),
    st.booleans(),
    st.integers(0, 2),
    st.sampled_from(["", "Tỉnh ", "TP ", "TP. ", "Thành phố ", "T. ", "tp.", "  "]),
    st.booleans(),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(spellings, min_size=1, max_size=40))
def test_every_name_in_any_spelling_reads_as_its_unit(drawn: list[tuple]) -> None:
    raw = [_written(*d) for d in drawn]
    result = normalize_province(raw)
    assert result.invalid_count == 0
    assert result.values.to_pylist() == [EXPECTED[d[0]][0] for d in drawn]
    assert result.extra["province_former"].to_pylist() == [EXPECTED[d[0]][1] for d in drawn]


def test_all_names_plain_and_official() -> None:
    result = normalize_province(NAMES + [_plain(n).upper() for n in NAMES])
    assert result.values.to_pylist() == [EXPECTED[n][0] for n in NAMES] * 2
    assert set(result.values.to_pylist()) == set(CURRENT_PROVINCES)


def _intended(name: str) -> str:
    """The current unit a name or alias is meant to read as, from the schema alone."""
    target = {**ALIASES, **EXTRA_ALIASES}.get(name, name)
    if name in CURRENT_PROVINCES or name in FORMER_TO_CURRENT:
        target = name
    return target if target in CURRENT_PROVINCES else FORMER_TO_CURRENT[target]


def test_no_two_units_share_a_key() -> None:
    targets: dict[str, set[str]] = {}
    for name in (*CURRENT_PROVINCES, *FORMER_TO_CURRENT, *ALIASES, *EXTRA_ALIASES):
        targets.setdefault(_core(name), set()).add(_intended(name))
    assert {key: units for key, units in targets.items() if len(units) > 1} == {}
    official = {*CURRENT_PROVINCES, *FORMER_TO_CURRENT}
    assert len({_core(n) for n in official}) == len(official)


def test_every_alias_reads_as_its_target() -> None:
    for alias, target in {**ALIASES, **EXTRA_ALIASES}.items():
        current = target if target in CURRENT_PROVINCES else FORMER_TO_CURRENT[target]
        assert normalize_province_one(alias)[0] == current, alias


def test_every_spelling_the_demo_writes_is_read() -> None:
    geo = pytest.importorskip("chandung.datasets.demo._geo")
    for names, groups in (
        (geo.FORMER, geo._FORMER_SPELLINGS),
        (geo.CURRENT, geo._CURRENT_SPELLINGS),
    ):
        for name, group in zip(names, groups, strict=True):
            result = normalize_province(group)
            assert result.invalid_count == 0, group
            assert set(result.values.to_pylist()) == {EXPECTED[name][0]}, group


@pytest.mark.parametrize(
    ("raw", "current", "former"),
    [
        ("TP.HCM", "Thành phố Hồ Chí Minh", None),
        ("TPHCM", "Thành phố Hồ Chí Minh", None),
        ("tp hcm", "Thành phố Hồ Chí Minh", None),
        ("Sài Gòn", "Thành phố Hồ Chí Minh", None),
        ("SG", "Thành phố Hồ Chí Minh", None),
        ("Ho Chi Minh City", "Thành phố Hồ Chí Minh", None),
        ("BRVT", "Thành phố Hồ Chí Minh", "Bà Rịa - Vũng Tàu"),
        ("Vũng Tàu", "Thành phố Hồ Chí Minh", "Bà Rịa - Vũng Tàu"),
        ("Binh Duong Province", "Thành phố Hồ Chí Minh", "Bình Dương"),
        ("HN", "Hà Nội", None),
        ("Hanoi City, Vietnam", "Hà Nội", None),
        ("HÀ NỘI", "Hà Nội", None),
        ("Huế", "Huế", None),
        ("TT Huế", "Huế", "Thừa Thiên Huế"),
        ("Thua Thien Hue", "Huế", "Thừa Thiên Huế"),
        ("Đắc Lắc", "Đắk Lắk", None),
        ("daklak", "Đắk Lắk", None),
        ("Đăk Nông", "Lâm Đồng", "Đắk Nông"),
        ("Thanh Hoá", "Thanh Hóa", None),
        ("Tỉnh Quảng Nam", "Đà Nẵng", "Quảng Nam"),
        ("T. Thái Bình", "Hưng Yên", "Thái Bình"),
        ("Kontum", "Quảng Ngãi", "Kon Tum"),
        ("  bac   kan ", "Thái Nguyên", "Bắc Kạn"),
    ],
)
def test_messy_examples(raw: str, current: str, former: str | None) -> None:
    assert normalize_province_one(raw) == (current, former)


@pytest.mark.parametrize("raw", ["Gotham", "ĐN", "BD", "Tỉnh", "TP", "Quận 1", "12345"])
def test_unknown(raw: str) -> None:
    result = normalize_province([raw])
    assert result.values.to_pylist() == [None]
    assert result.reasons.to_pylist() == ["province.unknown"]
    with pytest.raises(ValueError, match=r"province\.unknown"):
        normalize_province_one(raw)


def test_blank_and_null_are_empty_not_invalid() -> None:
    result = normalize_province(pa.chunked_array([["", None], ["  ", "hn"]]))
    assert result.values.to_pylist() == [None, None, None, "Hà Nội"]
    assert result.reasons.to_pylist() == [None, None, None, None]
    assert result.extra["province_former"].to_pylist() == [None] * 4


def test_idempotent_on_current_names() -> None:
    first = normalize_province(["sai gon", "binh duong", "Quang Nam", "hue"])
    assert normalize_province(first.values).values.equals(first.values)
    former = normalize_province(first.extra["province_former"].drop_null())
    assert former.extra["province_former"].equals(first.extra["province_former"].drop_null())
