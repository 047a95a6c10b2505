from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.datasets.demo import DemoSettings, generate
from chandung.ingest.normalize.email import (
    EMAIL_REASONS,
    TYPO_DOMAINS,
    normalize_email,
    normalize_email_one,
)
from chandung.testing import emails

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("lan.nguyen@gmail.com", "lan.nguyen@gmail.com"),
        ("  Lan.Nguyen@GMAIL.COM\t", "lan.nguyen@gmail.com"),
        ("minh+shop@fpt.com.vn", "minh+shop@fpt.com.vn"),
        ("an_le-90@st.ueh.edu.vn", "an_le-90@st.ueh.edu.vn"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_reads_good_addresses(raw: str, expected: str) -> None:
    result = normalize_email([raw])
    assert result.values.to_pylist() == [expected]
    assert result.reasons.to_pylist() == [None]


@pytest.mark.parametrize(
    "raw",
    [
        "lan.nguyengmail.com",  # no @
        "lan@@gmail.com",
        "lan@phuong@gmail.com",
        "lan@gmail.com.",  # trailing dot
        "lan.@gmail.com",
        ".lan@gmail.com",
        "lan..nguyen@gmail.com",
        "lan@gmail..com",
        "lan @ gmail.com",
        "lan nguyen@gmail.com",
        "lan@gmail",  # no TLD
        "lan@gmail.c",  # one-letter TLD
        "lan@gmail.c0m",
        "lan@-gmail.com",
        "@gmail.com",
        "lan@",
        "nguyễn@gmail.com",
        "abc",
        "x" * 65 + "@gmail.com",
    ],
)
def test_refuses_malformed_addresses(raw: str) -> None:
    result = normalize_email([raw])
    assert result.values.to_pylist() == [None]
    assert result.reasons.to_pylist() == ["email.invalid"]
    assert result.extra is not None
    assert result.extra["email_suggestion"].to_pylist() == [None]


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [
        ("lan@gmial.com", "lan@gmail.com"),
        ("Lan@Gmail.con", "lan@gmail.com"),
        ("lan@gmai.com", "lan@gmail.com"),
        ("lan@gmial.con", "lan@gmail.com"),
        ("lan@yahooo.com", "lan@yahoo.com"),
        ("lan@yahoo.con", "lan@yahoo.com"),
        ("lan@hotmial.com", "lan@hotmail.com"),
    ],
)
def test_flags_typo_domains_without_correcting(raw: str, suggestion: str) -> None:
    result = normalize_email([raw])
    assert result.values.to_pylist() == [None]
    assert result.reasons.to_pylist() == ["email.typo_domain"]
    assert result.extra is not None
    assert result.extra["email_suggestion"].to_pylist() == [suggestion]


def test_typo_table_points_at_real_domains() -> None:
    assert set(TYPO_DOMAINS.values()) <= {
        "gmail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "icloud.com",
    }
    assert not set(TYPO_DOMAINS) & set(TYPO_DOMAINS.values())


def test_empty_is_null_without_reason() -> None:
    result = normalize_email(pa.chunked_array([["", None], ["  "]]))
    assert result.values.to_pylist() == [None, None, None]
    assert result.reasons.null_count == 3
    assert normalize_email_one(None) is None
    assert normalize_email_one(" A@B.VN ") == "a@b.vn"


def test_demo_emails_are_read_unless_broken_on_purpose() -> None:
    chunk = next(generate(DemoSettings(customers=4000, chunk_size=4000, seed=11)))
    customers = chunk.tables["customers"]
    dirty = chunk.truth["dirty_records"].to_pylist()
    broken = {
        r["customer_id"]: r["detail"].split(":")[0] for r in dirty if r["kind"] == "bad_email"
    }
    # A duplicate record copies the e-mail of the person it duplicates, broken or not.
    for r in dirty:
        if r["kind"] == "duplicate_person" and r["duplicate_of_customer_id"] in broken:
            broken[r["customer_id"]] = broken[r["duplicate_of_customer_id"]]
    result = normalize_email(customers["email"])
    ids = customers["customer_id"].to_pylist()
    raw = customers["email"].to_pylist()
    rows = zip(ids, raw, result.values.to_pylist(), result.reasons.to_pylist(), strict=True)
    for customer, written, value, reason in rows:
        variant = broken.get(customer)
        if written is None:
            assert (value, reason) == (None, None)
        elif variant is None:
            assert (value, reason) == (written.lower(), None)
        elif variant == "domain_typo":
            assert reason == "email.typo_domain"
        elif variant == "spaces" and " " not in written.strip():
            assert reason is None  # only surrounding spaces, which trimming removes
        else:
            assert reason == "email.invalid", (variant, written)
    assert {"missing_at", "double_at", "trailing_dot", "domain_typo"} <= set(broken.values())


@FAST
@given(st.lists(emails(), max_size=30), st.data())
def test_any_address_reads_back_in_any_case(addresses: list[str], data: st.DataObject) -> None:
    shouted = [data.draw(st.sampled_from((a, a.upper(), f"  {a.title()} "))) for a in addresses]
    result = normalize_email(shouted)
    assert result.reasons.null_count == len(addresses)
    assert result.values.to_pylist() == addresses


@FAST
@given(st.lists(st.one_of(st.none(), st.text(max_size=20), emails()), max_size=30))
def test_any_text_is_read_or_refused_and_idempotent(raw: list[str | None]) -> None:
    result = normalize_email(pa.array(raw, pa.string()))
    assert set(result.reasons.drop_null().to_pylist()) <= set(EMAIL_REASONS)
    again = normalize_email(result.values)
    assert again.values.equals(result.values)
    assert again.reasons.null_count == len(raw)
