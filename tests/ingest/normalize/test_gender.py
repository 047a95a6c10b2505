from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.ingest.normalize.gender import (
    GENDER_REASONS,
    GENDER_WORDS,
    infer_gender_from_name,
    normalize_gender,
    normalize_gender_one,
)
from chandung.schema.vocab import GENDERS
from chandung.testing import gender_labels, vietnamese_names

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nữ", "female"),
        ("nữ", "female"),
        ("NU", "female"),
        ("Nữ giới", "female"),
        ("nu  gioi", "female"),
        ("F", "female"),
        ("female", "female"),
        ("Gái", "female"),
        ("chị", "female"),
        ("Bà", "female"),
        ("Nam", "male"),
        ("nam giới", "male"),
        ("M", "male"),
        ("Male.", "male"),
        ("trai", "male"),
        ("Anh", "male"),
        ("ông", "male"),
        ("Khác", "other"),
        ("other", "other"),
        ("Không rõ", "unknown"),
        ("N/A", "unknown"),
        ("unknown", "unknown"),
    ],
)
def test_reads_common_ways_of_writing_gender(raw: str, expected: str) -> None:
    result = normalize_gender([raw])
    assert result.values.to_pylist() == [expected]
    assert result.reasons.to_pylist() == [None]


@pytest.mark.parametrize("raw", ["1", "0", "2", "ba", "co", "xyz", "nam nữ"])
def test_refuses_ambiguous_or_unknown_values(raw: str) -> None:
    result = normalize_gender([raw])
    assert result.values.to_pylist() == [None]
    assert result.reasons.to_pylist() == ["gender.unknown_value"]


def test_source_codes_when_the_convention_is_known() -> None:
    result = normalize_gender(["1", "0", " 1 ", "9", "Nữ"], codes={"1": "male", "0": "female"})
    assert result.values.to_pylist() == ["male", "female", "male", None, "female"]
    assert result.reasons.to_pylist() == [None, None, None, "gender.unknown_value", None]
    with pytest.raises(ValueError, match="outside"):
        normalize_gender(["1"], codes={"1": "man"})


def test_empty_is_null_without_reason() -> None:
    result = normalize_gender(pa.chunked_array([["", None], ["  ", "."]]))
    assert result.values.to_pylist() == [None] * 4
    assert result.reasons.null_count == 4
    assert normalize_gender_one(None) is None
    assert normalize_gender_one("Nữ") == "female"


def test_vocabulary_is_the_canonical_one() -> None:
    assert set(GENDER_WORDS) == set(GENDERS)
    words = [w for group in GENDER_WORDS.values() for w in group]
    assert len(words) == len(set(words))
    assert set(GENDER_REASONS) == {"gender.unknown_value"}


@FAST
@given(st.lists(gender_labels(), max_size=40))
def test_labels_map_to_their_gender_and_are_idempotent(pairs: list[tuple[str, str]]) -> None:
    result = normalize_gender([raw for raw, _ in pairs])
    assert result.values.to_pylist() == [g for _, g in pairs]
    again = normalize_gender(result.values)
    assert again.values.equals(result.values)
    assert again.reasons.null_count == len(pairs)


@pytest.mark.parametrize(
    ("name", "inferred"),
    [
        ("Nguyễn Thị Lan", "female"),
        ("NGUYEN THI LAN", "female"),
        ("nguyễn  thị ngọc  ánh", "female"),
        ("Trần Văn Nam", "male"),
        ("tran van nam", "male"),
        ("Lê Văn Thị Hoa", None),  # both: no guess
        ("Lê Vân Anh", None),  # Vân is not Văn
        ("Nguyễn Minh Thư", None),
        ("Thị Lan", None),  # two words: no middle name
        ("Văn Minh Tuấn", None),  # Văn as the family name
        ("Nguyễn Lan Thị", None),  # as the last word it is not a middle name
        ("Emily Smith", None),
        ("", None),
        (None, None),
    ],
)
def test_infers_from_middle_name_only(name: str | None, inferred: str | None) -> None:
    assert infer_gender_from_name([name]).to_pylist() == [inferred]


@FAST
@given(st.lists(vietnamese_names(middle=st.sampled_from(("Thị", "Văn", "Minh"))), max_size=40))
def test_inference_follows_thi_and_van(names: list[str]) -> None:
    expected = [{"Thị": "female", "Văn": "male"}.get(name.split()[1]) for name in names]
    assert infer_gender_from_name(names).to_pylist() == expected
