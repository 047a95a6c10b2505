"""Finding customers and their 360° profile: search, masking by role, audit, totals."""

from __future__ import annotations

from datetime import datetime

import pytest

from chandung.errors import AccessDenied, NotFoundError
from chandung.privacy.context import acting_as
from chandung.privacy.roles import Principal
from chandung.services import customer_profile as profiles
from chandung.services.audit import list_entries
from chandung.services.customer_profile import alive_explanation, customer_profile, search_people
from chandung.services.identity import resolve_identities
from chandung.services.stores import Stores
from tests.conftest import rows

ANALYST = Principal("ana", "analyst")
ADMIN = Principal("boss", "admin")


def _order(
    oid: str, cid: str, day: int, total: int, status: str = "completed"
) -> dict[str, object]:
    return {
        "order_id": oid, "customer_id": cid, "ordered_at": datetime(2025, 3, day, 10),
        "channel": "shopee", "status": status, "currency": "VND", "total_vnd": total,
    }  # fmt: skip


@pytest.fixture
def shop(stores: Stores) -> Stores:
    """K1 and K2 are one person (same phone; K2 has an older e-mail); K3 and K4 are others."""
    lan = {
        "full_name": "Nguyễn Thị Lan",
        "name_key": "nguyen thi lan",
        "phone_e164": "+84912345678",
    }
    stores.warehouse.replace_tables([{
        "customers": rows("customers", [
            {"customer_id": "K1", **lan, "email": "lan@example.com", "source_customer_ref": "SPE-1",
             "first_seen_at": datetime(2024, 1, 1)},
            {"customer_id": "K2", **lan, "email": "lan.old@example.vn",
             "first_seen_at": datetime(2023, 1, 1), "interests": "yoga;tea"},
            {"customer_id": "K3", "full_name": "Đặng Văn Đức", "name_key": "dang van duc",
             "phone_e164": "+84987654321"},
            {"customer_id": "K4", "full_name": "Lanh Trần", "name_key": "lanh tran"},
        ]),
        "orders": rows("orders", [
            _order("O1", "K1", 1, 100_000), _order("O2", "K2", 2, 250_000),
            _order("O3", "K2", 3, 999_000, status="cancelled"), _order("O4", "K3", 4, 50_000),
        ]),
        "feedback": rows("feedback", [{
            "feedback_id": "F1", "customer_id": "K2", "kind": "chat",
            "created_at": datetime(2025, 3, 5), "text": "Gọi mình số 0912345678 nhé, cảm ơn shop",
        }]),
    }])  # fmt: skip
    resolve_identities(stores)
    return stores


def _ids(page: profiles.SearchPage) -> list[str]:
    return [r["person_id"] for r in page.people]


def test_a_name_typed_without_diacritics_finds_the_person(shop: Stores) -> None:
    with acting_as(ANALYST):
        assert _ids(search_people(shop, "nguyen thi lan")) == ["K1"]
        assert _ids(search_people(shop, "  NGUYỄN   thị ")) == ["K1"]
        assert _ids(search_people(shop, "dang van duc")) == ["K3"]
        # A word of the name starts with what was typed: "lan" is not inside another word.
        assert _ids(search_people(shop, "lan")) == ["K1", "K4"]
        assert _ids(search_people(shop, "an")) == []


def test_a_phone_in_any_format_or_an_old_email_finds_the_person(shop: Stores) -> None:
    with acting_as(ANALYST):
        for typed in ("0912 345 678", "+84912345678", "0912.345.678", "84912345678"):
            assert _ids(search_people(shop, typed)) == ["K1"], typed
        # The e-mail of the older record finds the person through it.
        assert _ids(search_people(shop, "lan.old@example.vn")) == ["K1"]
        assert _ids(search_people(shop, "K2")) == ["K1"]


def test_the_list_is_masked_unless_the_principal_may_see_personal_data(shop: Stores) -> None:
    with acting_as(ANALYST):
        page = search_people(shop, "lan")
    assert page.masked and page.people[0]["full_name"] == "Nguyễn T. L."
    assert page.people[0]["phone"] == "09** *** 678"
    assert not [e for e in list_entries(shop, action="personal_data.view")]
    with acting_as(ADMIN):
        page = search_people(shop, "lan")
        assert page.people[0]["full_name"] == "Nguyễn Thị Lan"
        seen = list_entries(shop, action="personal_data.view")
    assert seen[0]["actor"] == "boss" and seen[0]["details"]["ids"] == ["K1", "K4"]


def test_the_count_stops_at_the_cap(shop: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiles, "COUNT_CAP", 1)
    with acting_as(ANALYST):
        page = search_people(shop, "lan")
        assert (page.total, page.more) == (1, True)
        everyone = search_people(shop, None, limit=2, offset=2)
    assert (everyone.total, everyone.more) == (3, False) and _ids(everyone) == ["K4"]


def test_the_profile_gathers_the_persons_records_orders_and_texts(shop: Stores) -> None:
    with acting_as(ANALYST):
        profile = customer_profile(shop, "K2", "en")
    assert profile["person_id"] == "K1" and profile["masked"]
    assert profile["orders"] == {"all_orders": 3, "orders": 2, "total_vnd": 350_000}
    assert [r["customer_id"] for r in profile["records"]] == ["K2", "K1"]
    assert {r["rule"] for r in profile["records"]} == {"phone"}
    assert profile["person"]["full_name"] == "Nguyễn T. L."
    assert profile["records"][1]["source_customer_ref"] == "***"
    assert profile["person"]["interests"] == ["yoga", "tea"]
    kinds = [(i["kind"], i["at"][:10]) for i in profile["timeline"]]
    assert kinds == [
        ("feedback", "2025-03-05"), ("order", "2025-03-03"), ("order", "2025-03-02"),
        ("order", "2025-03-01"),
    ]  # fmt: skip
    # What a customer wrote is shown without the personal data in it.
    assert "0912345678" not in profile["timeline"][0]["text"]
    assert profile["value"] is None and profile["segments"]["saved_checked"] is False


def test_an_unmasked_profile_view_is_audited(shop: Stores) -> None:
    with acting_as(ADMIN):
        profile = customer_profile(shop, "K1")
        seen = list_entries(shop, action="personal_data.view")
    assert profile["person"]["full_name"] == "Nguyễn Thị Lan"
    assert "0912345678" in profile["timeline"][0]["text"]
    assert profile["records"][1]["source_customer_ref"] == "SPE-1"
    assert seen[0]["target"] == "K1" and seen[0]["actor"] == "boss"


def test_unknown_people_and_roles_without_access_are_refused(shop: Stores) -> None:
    with acting_as(ANALYST), pytest.raises(NotFoundError) as found:
        customer_profile(shop, "nobody")
    assert found.value.code == "web_customers.not_found"
    for role in ("viewer", "marketer"):
        with acting_as(Principal(role, role)), pytest.raises(AccessDenied):
            search_people(shop, "lan")


def test_a_record_loaded_since_resolution_is_a_person_of_its_own(shop: Stores) -> None:
    shop.warehouse.append("customers", rows("customers", [{"customer_id": "K5"}]))
    with acting_as(ANALYST):
        assert customer_profile(shop, "K5")["records"][0]["customer_id"] == "K5"
        assert _ids(search_people(shop, "K5")) == ["K5"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"probability_alive": 1.0, "days_since_last_purchase": 40, "frequency": 0}, "single day"),
        (
            {"probability_alive": 0.9, "days_since_last_purchase": 20, "frequency": 3,
             "recency": 12.0},
            "Bought on 4 different days, about every 28 days, last 20 days ago, still within",
        ),
        (
            {"probability_alive": 0.1, "days_since_last_purchase": 400, "frequency": 1,
             "recency": 2.0},
            "most likely left (10%)",
        ),
    ],
)  # fmt: skip
def test_the_chance_of_being_active_is_explained(value: dict[str, float], expected: str) -> None:
    assert expected in alive_explanation(value, "en")
    assert alive_explanation(value, "vi") != alive_explanation(value, "en")
