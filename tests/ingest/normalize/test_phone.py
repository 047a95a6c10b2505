from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.datasets.demo import DemoSettings, generate
from chandung.datasets.demo._phones import OLD_TO_NEW
from chandung.ingest.normalize import phone
from chandung.ingest.normalize.phone import (
    OLD_MOBILE_PREFIXES,
    PHONE_REASONS,
    normalize_phone,
    normalize_phone_one,
)
from chandung.testing import vn_mobile_numbers

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("raw", "expected", "reason"),
    [
        ("0162 345 6789", "+84323456789", None),
        ("+84 91-234-5678", "+84912345678", None),
        ("84912345678", "+84912345678", None),
        ("(091) 234.5678", "+84912345678", None),
        ("0084912345678", "+84912345678", None),
        ("+84 (0) 91 234 5678", "+84912345678", None),
        ("+84 162 345 6789", "+84323456789", None),
        ("0120.123.4567", "+84701234567", None),
        ("0199 123 4567", "+84591234567", None),
        ("912345678", "+84912345678", None),  # leading zero lost in a spreadsheet
        ("０９１２３４５６７８", "+84912345678", None),  # full-width digits
        ("0912\u00a0345\u00a0678", "+84912345678", None),
        ("024 3825 3535", "+842438253535", None),  # landline, 11 digits since 2017
        ("+1 650 253 0000", "+16502530000", None),
        ("0044 20 7946 0958", "+442079460958", None),
        ("12345", None, "phone.too_short"),
        ("091234567", None, "phone.too_short"),
        ("09123456789012", None, "phone.too_long"),
        ("0612345678", None, "phone.invalid"),
        ("0112345678", None, "phone.invalid"),
        ("+44 20", None, "phone.too_short"),
        ("+1 999 999 9999", None, "phone.invalid"),
        ("abc", None, "phone.not_a_number"),
        ("0912345678 ext 12", None, "phone.not_a_number"),
        ("0912345678/0987654321", None, "phone.not_a_number"),
        ("", None, None),
        ("   ", None, None),
        (None, None, None),
    ],
)
def test_messy_forms(raw: str | None, expected: str | None, reason: str | None) -> None:
    result = normalize_phone([raw])
    assert result.values.to_pylist() == [expected]
    assert result.reasons.to_pylist() == [reason]


def test_one_value_helper_and_region() -> None:
    assert normalize_phone_one("0912 345 678") == "+84912345678"
    assert normalize_phone_one(None) is None
    assert normalize_phone_one("020 7946 0958", default_region="GB") == "+442079460958"
    # +84 numbers keep the Vietnamese rules whatever the default region.
    assert normalize_phone_one("+84 162 345 6789", default_region="GB") == "+84323456789"


def test_accepts_chunked_and_integer_columns() -> None:
    chunked = pa.chunked_array([["0912345678"], [None, "01623456789"]])
    assert normalize_phone(chunked).values.to_pylist() == [
        "+84912345678",
        None,
        "+84323456789",
    ]
    integers = pa.array([912345678, None], pa.int64())
    assert normalize_phone(integers).values.to_pylist() == ["+84912345678", None]


def test_old_prefix_table_matches_the_2018_renumbering() -> None:
    assert OLD_MOBILE_PREFIXES == OLD_TO_NEW


def test_reads_every_phone_the_demo_writes() -> None:
    chunk = next(generate(DemoSettings(customers=4000, chunk_size=4000, seed=7)))
    customers = chunk.tables["customers"]
    result = normalize_phone(customers["phone"])
    assert result.invalid_count == 0
    assert result.values.equals(customers["phone_e164"].combine_chunks())


def test_foreign_numbers_are_parsed_once_per_distinct_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    parse = phone._parse_one

    def counting(raw: str, region: str | None) -> tuple[str | None, str | None]:
        calls.append(raw)
        return parse(raw, region)

    monkeypatch.setattr(phone, "_parse_one", counting)
    column = ["+1 650 253 0000", "+44 20 7946 0958", "0912345678", None] * 500
    result = normalize_phone(column)
    assert sorted(calls) == ["+16502530000", "+442079460958"]
    assert result.values.to_pylist()[:4] == [
        "+16502530000",
        "+442079460958",
        "+84912345678",
        None,
    ]


@FAST
@given(st.lists(vn_mobile_numbers(), min_size=1, max_size=40))
def test_any_written_form_gives_the_e164(pairs: list[tuple[str, str]]) -> None:
    raw = [r for r, _ in pairs]
    result = normalize_phone(raw)
    assert result.reasons.null_count == len(raw)
    assert result.values.to_pylist() == [e for _, e in pairs]


@FAST
@given(st.lists(vn_mobile_numbers(old_format=True, decorations=False), max_size=40))
def test_old_and_new_forms_agree(pairs: list[tuple[str, str]]) -> None:
    new_forms = ["0" + e164[3:] for _, e164 in pairs]
    old = normalize_phone([r for r, _ in pairs]).values
    new = normalize_phone(new_forms).values
    assert old.to_pylist() == new.to_pylist()


@FAST
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet="0123456789 +-.()", max_size=16),
            st.text(max_size=8),
            vn_mobile_numbers().map(lambda pair: pair[0]),
        ),
        max_size=40,
    )
)
def test_any_text_is_read_or_refused_and_idempotent(raw: list[str | None]) -> None:
    result = normalize_phone(pa.array(raw, pa.string()))
    assert len(result.values) == len(raw)
    assert set(result.reasons.drop_null().to_pylist()) <= set(PHONE_REASONS)
    # A value is given exactly when a non-blank input has no reason.
    given_value = pc.is_valid(result.values)
    refused = pc.is_valid(result.reasons)
    assert not pc.any(pc.and_(given_value, refused)).as_py()
    assert pc.all(pc.match_substring_regex(result.values, r"^\+[1-9]\d{6,14}$")).as_py() in (
        True,
        None,
    )
    again = normalize_phone(result.values)
    assert again.values.equals(result.values)
    assert again.reasons.null_count == len(raw)
