from __future__ import annotations

from datetime import datetime

import ibis
import pytest
from sqlalchemy import select

from chandung.errors import InputError
from chandung.services.retention import parse_duration, purge
from chandung.services.stores import Stores
from chandung.store.app_models import RetentionPurge
from tests.conftest import rows

NOW = datetime(2026, 6, 30)


@pytest.fixture
def two_people(stores: Stores) -> Stores:
    def order(oid: str, cid: str, when: str) -> dict[str, object]:
        return {
            "order_id": oid,
            "customer_id": cid,
            "ordered_at": datetime.fromisoformat(when),
            "channel": "shopee",
            "status": "completed",
            "currency": "VND",
            "total_vnd": 100_000,
        }

    stores.warehouse.replace_tables([{
        "customers": rows("customers", [
            {"customer_id": "OLD1", "phone_e164": "+84911111111",
             "first_seen_at": datetime(2020, 1, 1)},
            {"customer_id": "OLD2", "phone_e164": "+84911111111",
             "first_seen_at": datetime(2021, 1, 1)},
            {"customer_id": "NEW", "first_seen_at": datetime(2020, 1, 1)},
        ]),
        "orders": rows("orders", [order("O1", "OLD1", "2022-03-01"),
                                  order("O2", "NEW", "2026-05-01")]),
        "order_items": rows("order_items", [
            {"order_id": o, "line_number": 1, "product_id": "P", "quantity": 1,
             "unit_price_vnd": 1, "line_total_vnd": 1} for o in ("O1", "O2")]),
        "feedback": rows("feedback", [
            {"feedback_id": "F1", "customer_id": "OLD2", "kind": "review",
             "created_at": datetime(2021, 1, 2), "text": "ok"}]),
    }])  # fmt: skip
    return stores


def counts(stores: Stores) -> dict[str, int]:
    c = stores.warehouse.counts()
    return {k: c[k] for k in ("customers", "orders", "order_items", "feedback")}


def test_purge_lists_first_and_deletes_only_when_asked(two_people: Stores) -> None:
    before = counts(two_people)
    listed = purge(two_people, "36m", now=NOW)
    assert not listed.applied and listed.people == 1
    assert {k: listed.rows[k] for k in before} == {
        "customers": 2,
        "orders": 1,
        "order_items": 1,
        "feedback": 1,
    }
    assert counts(two_people) == before

    done = purge(two_people, "36m", apply=True, now=NOW)
    assert done.applied and done.people == 1
    assert counts(two_people) == {"customers": 1, "orders": 1, "order_items": 1, "feedback": 0}
    assert two_people.warehouse.table("orders").to_pyarrow().column("order_id").to_pylist() == [
        "O2"
    ]
    with two_people.app_db.session() as session:
        record = session.scalars(select(RetentionPurge)).one()
    assert record.counts["people"] == 1 and record.counts["customers"] == 2
    assert purge(two_people, "36m", now=NOW).people == 0


def test_canonical_constraints_survive_a_purge(two_people: Stores) -> None:
    purge(two_people, "36m", apply=True, now=NOW)
    schema = two_people.warehouse.table("orders").schema()
    assert not schema["order_id"].nullable


@pytest.mark.parametrize(("text", "days"), [("36m", 1096), ("3y", 1096), ("12w", 84), ("90d", 90)])
def test_durations(text: str, days: int) -> None:
    assert parse_duration(text).days == days


@pytest.mark.parametrize("text", ["", "36", "m", "0d", "three years"])
def test_bad_durations_name_the_option(text: str) -> None:
    with pytest.raises(InputError, match="older-than"):
        parse_duration(text)


def test_purged_people_leave_the_derived_tables(two_people: Stores) -> None:
    from chandung.services.analysis import run_analysis

    run_analysis(two_people)
    wh = two_people.warehouse
    assert wh.has_table("segment_base")
    people_before = set(wh.table("segment_base").to_pandas().customer_id)
    wh.backend.create_table(
        "segment_assignments",
        wh.table("segment_base").select(
            "customer_id", segmentation_id=ibis.literal("s1"), segment_id=ibis.literal(1)
        ),
    )
    purge(two_people, "36m", apply=True, now=NOW)
    assert not wh.has_table("segment_base") and not wh.has_table("customer_value")
    kept = set(wh.table("segment_assignments").to_pandas().customer_id)
    assert kept < people_before and len(kept) == 1
