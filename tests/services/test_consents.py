"""The consent ledger: recording, the latest entry wins, who may be contacted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from chandung.errors import AccessDenied, InputError, NotFoundError
from chandung.privacy.context import acting_as
from chandung.privacy.roles import Principal
from chandung.services.consents import consented_people, current_consents, record_consent
from chandung.services.identity import resolve_identities
from chandung.services.stores import Stores
from chandung.store.app_models import AuditEntry
from tests.conftest import rows


@pytest.fixture
def people(stores: Stores) -> Stores:
    """C1 and C2 are one person (same name, phone and e-mail); C3 and C4 are others."""
    same = {
        "full_name": "Nguyễn Thị Lan", "name_key": "nguyen thi lan", "birth_year": 1990,
        "phone_e164": "+84912345678", "email": "lan@example.com",
    }  # fmt: skip
    stores.warehouse.replace_tables([{
        "customers": rows("customers", [
            {"customer_id": "C1", **same}, {"customer_id": "C2", **same},
            {"customer_id": "C3", "phone_e164": "+84987654321"}, {"customer_id": "C4"},
        ]),
    }])  # fmt: skip
    resolve_identities(stores)
    return stores


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour)


def who(stores: Stores, purpose: str, channel: str) -> set[str]:
    return set(consented_people(stores, purpose, channel).person_id.to_pyarrow().to_pylist())


def test_the_latest_entry_wins_across_a_persons_records(people: Stores) -> None:
    record_consent(people, "C1", "marketing", "zalo", "given", method="web_form", at=at(1))
    assert who(people, "marketing", "zalo") == {"C1"}
    # The same person withdraws later through their other record.
    record_consent(people, "C2", "marketing", "zalo", "withdrawn", method="zalo_oa", at=at(2))
    shown = current_consents(people, "C1")
    assert [(e["purpose"], e["channel"], e["status"], e["customer_id"]) for e in shown] == [
        ("marketing", "zalo", "withdrawn", "C2")
    ]
    assert current_consents(people, "C2") == shown
    assert who(people, "marketing", "zalo") == set()
    # And gives it again: the latest wins, an older entry recorded afterwards does not.
    record_consent(people, "C1", "marketing", "zalo", "given", method="in_store", at=at(3))
    record_consent(people, "C2", "marketing", "zalo", "withdrawn", method="letter", at=at(1, 8))
    assert current_consents(people, "C2")[0]["status"] == "given"
    assert who(people, "marketing", "zalo") == {"C1"}
    assert who(people, "analytics", "zalo") == set()


def test_every_channel_and_one_channel(people: Stores) -> None:
    record_consent(people, "C3", "marketing", None, "given", method="contract", at=at(1))
    assert who(people, "marketing", "sms") == {"C3"} and who(people, "marketing", "zalo") == {"C3"}
    # A withdrawal for one channel ends that channel only.
    record_consent(people, "C3", "marketing", "sms", "withdrawn", method="sms_stop", at=at(2))
    assert who(people, "marketing", "sms") == set() and who(people, "marketing", "zalo") == {"C3"}
    # A later withdrawal of everything ends every channel, also one consented earlier.
    record_consent(people, "C4", "marketing", "email", "given", method="web_form", at=at(3))
    record_consent(people, "C4", "marketing", "", "withdrawn", method="letter", at=at(4))
    assert "C4" not in who(people, "marketing", "email")
    shown = current_consents(people, "C4")
    assert [(e["channel"], e["status"]) for e in shown] == [(None, "withdrawn"), ("email", "given")]
    # On a tie the withdrawal wins.
    record_consent(people, "C1", "profiling", "email", "given", method="a", at=at(5))
    record_consent(people, "C1", "profiling", "email", "withdrawn", method="b", at=at(5))
    assert who(people, "profiling", "email") == set()
    assert current_consents(people, "C1")[0]["status"] == "withdrawn"


def test_an_entry_is_a_ledger_row_and_an_audit_entry(people: Stores) -> None:
    entry = record_consent(
        people, "C3", "analytics", "email", "given", method=" web_form ",
        at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC),
    )  # fmt: skip
    # An aware time is kept as local time (Asia/Ho_Chi_Minh, UTC+7), like every time stored.
    assert entry["recorded_at"] == "2026-03-01T09:00:00" and entry["method"] == "web_form"
    ledger = people.warehouse.table("consents").to_pyarrow().to_pylist()
    assert [(r["consent_id"], r["source"]) for r in ledger] == [(entry["consent_id"], "manual")]
    with people.app_db.session() as session:
        logged = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "consent.record")
        ).one()
        assert logged.target == entry["consent_id"]
        assert "C3" not in str(logged.details) and logged.details["status"] == "given"
    # Without a time it is now.
    now = record_consent(people, "C3", "analytics", "sms", "given", method="web_form")
    assert now["recorded_at"][:4] >= "2026"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("C1", "spam", "zalo", "given", "web_form"), InputError),
        (("C1", "marketing", "pigeon", "given", "web_form"), InputError),
        (("C1", "marketing", "zalo", "maybe", "web_form"), InputError),
        (("C1", "marketing", "zalo", "given", "  "), InputError),
        (("C9", "marketing", "zalo", "given", "web_form"), NotFoundError),
    ],
)
def test_bad_entries_are_refused(
    people: Stores, args: tuple[str, str, str, str, str], error: type[Exception]
) -> None:
    customer, purpose, channel, status, method = args
    with pytest.raises(error):
        record_consent(people, customer, purpose, channel, status, method=method)
    assert people.warehouse.table("consents").count().to_pyarrow().as_py() == 0
    with pytest.raises(InputError):
        consented_people(people, "marketing", "pigeon")
    with pytest.raises(NotFoundError):
        current_consents(people, "C9")


def test_recording_needs_the_permission(people: Stores) -> None:
    for role in ("analyst", "marketer", "viewer"):
        with acting_as(Principal("someone", role)), pytest.raises(AccessDenied):
            record_consent(people, "C1", "marketing", "zalo", "given", method="web_form")
    granted = Principal("clerk", "viewer", grants=frozenset({"consents.manage"}))
    with acting_as(granted):
        record_consent(people, "C1", "marketing", "zalo", "given", method="web_form")
    with acting_as(Principal("v", "viewer")), pytest.raises(AccessDenied):
        current_consents(people, "C1")
