from __future__ import annotations

import unicodedata

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.datasets import demo
from chandung.ingest.normalize.name_vn import (
    NAME_REASONS,
    name_key,
    normalize_name,
    normalize_name_one,
)
from chandung.testing import messy_vietnamese_names, vietnamese_names

FAST = settings(max_examples=200, deadline=None)
# Letters of Vietnamese and English, with digits, punctuation and odd spaces: the characters
# real name columns hold (exotic scripts would only test Unicode tables, not this code).
VN_TEXT = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ"
    "ùúủũụừứửữựỳýỷỹỵfjwzAĂÂĐÊÔƠƯÀÁẠẤỆỨỰ0123456789 .,'-@\t\u00a0",
    max_size=16,
)


@pytest.mark.parametrize(
    ("raw", "expected", "key"),
    [
        ("nguyễn thị  lan", "Nguyễn Thị Lan", "nguyen thi lan"),
        ("NGUYỄN VĂN ĐỨC", "Nguyễn Văn Đức", "nguyen van duc"),
        ("  Đặng   Thị Ngọc  Ánh ", "Đặng Thị Ngọc Ánh", "dang thi ngoc anh"),
        ("nguyen thi lan", "Nguyen Thi Lan", "nguyen thi lan"),
        ("trần\tthị\u00a0bích", "Trần Thị Bích", "tran thi bich"),
        ("ĐỖ ỨNG ƯU", "Đỗ Ứng Ưu", "do ung uu"),
        ("emily SMITH", "Emily Smith", "emily smith"),
        # Decomposed input (as some Mac and web forms send it) is composed first.
        (unicodedata.normalize("NFD", "Huỳnh Thị Thủy"), "Huỳnh Thị Thủy", "huynh thi thuy"),
    ],
)
def test_tidies_names_and_keys(raw: str, expected: str, key: str) -> None:
    result = normalize_name([raw])
    assert result.values.to_pylist() == [expected]
    assert result.reasons.to_pylist() == [None]
    assert result.extra is not None
    assert result.extra["name_key"].to_pylist() == [key]


@pytest.mark.parametrize("raw", ["Lan 123", "0912345678", "lan@gmail.com", "...", "-- ?"])
def test_refuses_non_names(raw: str) -> None:
    result = normalize_name([raw])
    assert result.values.to_pylist() == [None]
    assert result.reasons.to_pylist() == ["name.invalid"]
    assert set(NAME_REASONS) == {"name.invalid"}


def test_empty_is_null_without_reason() -> None:
    result = normalize_name(pa.chunked_array([["", None], ["   "]]))
    assert result.values.to_pylist() == [None, None, None]
    assert result.reasons.null_count == 3
    assert normalize_name_one(None) is None
    assert normalize_name_one("  lê   văn  tám ") == "Lê Văn Tám"


def test_key_equals_the_demo_key_on_demo_names() -> None:
    chunk = next(demo.generate(demo.DemoSettings(customers=4000, chunk_size=4000, seed=3)))
    names = chunk.tables["customers"]["full_name"].combine_chunks()
    expected = [demo.name_key(n) for n in names.to_pylist()]
    assert name_key(names).to_pylist() == expected
    result = normalize_name(names)
    assert result.invalid_count == 0
    assert result.extra is not None
    assert result.extra["name_key"].to_pylist() == expected


@FAST
@given(st.lists(messy_vietnamese_names(), max_size=40))
def test_messy_names_come_out_tidy(pairs: list[tuple[str, str]]) -> None:
    result = normalize_name([raw for raw, _ in pairs])
    assert result.values.to_pylist() == [tidy for _, tidy in pairs]
    assert result.extra is not None
    assert result.extra["name_key"].to_pylist() == [demo.name_key(t) for _, t in pairs]


@FAST
@given(st.lists(vietnamese_names(), max_size=40))
def test_key_ignores_diacritics_and_case(names: list[str]) -> None:
    plain = [demo.strip_diacritics(n).upper() for n in names]
    assert name_key(plain).to_pylist() == name_key(names).to_pylist()


@FAST
@given(st.lists(st.one_of(st.none(), VN_TEXT, vietnamese_names()), max_size=40))
def test_idempotent_and_key_matches_reference(raw: list[str | None]) -> None:
    result = normalize_name(pa.array(raw, pa.string()))
    again = normalize_name(result.values)
    assert again.values.equals(result.values)
    assert again.reasons.null_count == len(raw)
    assert result.extra is not None
    keys = result.extra["name_key"].to_pylist()
    for value, key in zip(result.values.to_pylist(), keys, strict=True):
        assert key == (None if value is None else demo.name_key(value))
