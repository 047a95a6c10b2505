"""The audit log's hash chain, without a database: hashing and checking a chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chandung.privacy.audit import GENESIS, canonical, entry_hash, verify_chain


def _fields(i: int) -> dict[str, Any]:
    return {
        "at": datetime(2025, 7, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=i),
        "actor": "lan",
        "action": "export",
        "target": f"segment:{i}",
        "rows": i * 10,
        "purpose": "chiến dịch Tết",
        "details": {"format": "csv", "n": i},
    }


def chain(n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    prev = GENESIS
    for i in range(1, n + 1):
        fields = _fields(i)
        h = entry_hash(prev, fields)
        out.append({"id": i, **fields, "prev_hash": prev, "entry_hash": h})
        prev = h
    return out


def test_a_chain_of_entries_verifies() -> None:
    result = verify_chain(chain(6))
    assert result.ok and result.checked == 6 and result.first_bad_id is None


def test_the_hash_does_not_depend_on_key_order_or_time_zone() -> None:
    fields = _fields(1)
    shuffled = dict(reversed(list(fields.items())))
    shuffled["details"] = {"n": 1, "format": "csv"}
    shuffled["at"] = fields["at"].astimezone(timezone(timedelta(hours=7)))
    assert entry_hash(GENESIS, shuffled) == entry_hash(GENESIS, fields)
    assert b" " not in canonical({**fields, "purpose": ""})


@pytest.mark.parametrize(
    ("field", "value"),
    [("actor", "mai"), ("rows", 11), ("target", "segment:2"), ("details", {}), ("purpose", "")],
)
def test_a_changed_field_is_named(field: str, value: object) -> None:
    entries = chain(5)
    entries[2][field] = value
    result = verify_chain(entries)
    assert not result.ok and result.first_bad_id == 3 and result.reason == "entry_hash"
    assert result.checked == 2


def test_a_changed_entry_with_its_hash_recomputed_breaks_the_next_link() -> None:
    entries = chain(5)
    entries[2]["rows"] = 0
    entries[2]["entry_hash"] = entry_hash(entries[2]["prev_hash"], entries[2])
    result = verify_chain(entries)
    assert (result.first_bad_id, result.reason) == (4, "prev_hash")


def test_a_removed_entry_breaks_the_chain_but_the_first_must_start_it() -> None:
    entries = chain(5)
    assert verify_chain(entries[:2] + entries[3:]).first_bad_id == 4
    assert verify_chain(entries[1:]).reason == "prev_hash"
    # Removing the last entries leaves a valid chain: the service's head file catches that.
    assert verify_chain(entries[:3]).ok


def test_ids_must_increase() -> None:
    entries = chain(3)
    entries[2]["id"] = 2
    assert verify_chain(entries).reason == "id_order"


@given(st.integers(min_value=0, max_value=5), st.binary(min_size=1, max_size=1))
def test_any_change_of_a_target_is_found(position: int, byte: bytes) -> None:
    entries = chain(6)
    target = entries[position]["target"]
    changed = target + byte.decode("latin-1")
    entries[position]["target"] = changed
    result = verify_chain(entries)
    assert not result.ok and result.first_bad_id == position + 1
