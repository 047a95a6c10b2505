"""Masking keeps a masked value recognisable and never the value itself."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from hypothesis import given

from chandung.privacy.masking import (
    mask_birth_date,
    mask_email,
    mask_name,
    mask_phone,
    mask_record,
    mask_table,
)
from chandung.testing.strategies import emails, vietnamese_names, vn_mobile_numbers


@given(vietnamese_names())
def test_a_masked_name_keeps_the_family_name_and_hides_the_rest(name: str) -> None:
    masked = mask_name(name)
    assert masked is not None
    words = name.split()
    assert masked.split()[0] == words[0] or len(words) == 1
    if len(words) > 1:
        assert words[-1] not in masked.split()[1:]


@given(vn_mobile_numbers(old_format=False))
def test_a_masked_phone_shows_at_most_five_digits(numbers: tuple[str, str]) -> None:
    _, phone = numbers
    masked = mask_phone(phone)
    assert masked is not None
    assert sum(c.isdigit() for c in masked) <= 5
    digits = "".join(c for c in phone if c.isdigit())
    assert masked.endswith(digits[-3:])


@given(emails())
def test_a_masked_email_never_contains_the_address(email: str) -> None:
    masked = mask_email(email)
    assert masked is not None and email not in masked
    local = email.split("@")[0]
    assert len(local) < 2 or local not in masked


def test_birth_date_keeps_the_year() -> None:
    assert mask_birth_date(date(1988, 2, 29)) == "1988-**-**"


def test_records_and_tables_mask_only_personal_columns() -> None:
    record = {"customer_id": "C1", "full_name": "Trần Văn Minh", "phone": "+84901234567",
              "province": "Hà Nội"}  # fmt: skip
    masked = mask_record(record)
    assert masked == {"customer_id": "C1", "full_name": "Trần V. M.", "phone": "09** *** 567",
                      "province": "Hà Nội"}  # fmt: skip
    table = mask_table(pa.table({"customer_id": ["C1"], "email": ["minh@example.vn"]}))
    assert table.to_pylist() == [{"customer_id": "C1", "email": "m***@e***.vn"}]
