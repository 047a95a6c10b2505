from __future__ import annotations

import pytest

from chandung.schema import DTYPES, TABLES, Column, Table, table
from chandung.schema.provinces_vn import (
    ALIASES,
    CURRENT_PROVINCES,
    FORMER_PROVINCES,
    FORMER_TO_CURRENT,
)

REQUIRED_TABLES = {
    "customers",
    "accounts",
    "products",
    "orders",
    "order_items",
    "events",
    "feedback",
    "survey_responses",
    "consents",
    "leads",
    "campaigns",
    "campaign_contacts",
}


def test_the_model_has_every_entity_of_the_brief() -> None:
    assert {t.name for t in TABLES} == REQUIRED_TABLES


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_every_row_keeps_its_lineage(spec: Table) -> None:
    assert spec.column_names[-2:] == ("source", "import_batch")
    assert spec.column("source").required and spec.column("import_batch").required


@pytest.mark.parametrize("spec", TABLES, ids=lambda t: t.name)
def test_keys_are_required_and_references_resolve(spec: Table) -> None:
    for key in spec.primary_key:
        assert spec.column(key).required
    for column, target in spec.references.items():
        target_table, target_column = target.split(".")
        assert column in spec.column_names
        assert target_column in table(target_table).column_names


def test_personal_identifiers_are_marked() -> None:
    personal = {c.name for c in table("customers").columns if c.personal}
    assert {"full_name", "phone", "email", "address", "birth_date"} <= personal


def test_brief_fields_are_present() -> None:
    customers = set(table("customers").column_names)
    assert {
        "gender",
        "birth_year",
        "marital_status",
        "children_count",
        "occupation",
        "monthly_income_vnd",
        "education",
        "province",
        "province_former",
        "interests",
        "mindset",
        "preferred_contact_channel",
        "primary_device",
        "platform",
    } <= customers
    assert {"industry", "staff_count", "annual_revenue_vnd", "decision_maker_customer_id"} <= set(
        table("accounts").column_names
    )
    assert {"sent_at", "opened_at", "clicked_at", "responded_at", "converted_at"} <= set(
        table("campaign_contacts").column_names
    )


def test_bad_definitions_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown type"):
        Column("x", "text", "")
    with pytest.raises(ValueError, match="duplicated"):
        Table("t", "", (Column("a", "string", ""), Column("a", "string", "")), ("a",))
    assert "date" in DTYPES


def test_unknown_table_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="customers"):
        table("clients")


def test_provinces_after_the_2025_merger() -> None:
    assert len(CURRENT_PROVINCES) == len(set(CURRENT_PROVINCES)) == 34
    assert len(FORMER_PROVINCES) == 63
    assert set(FORMER_TO_CURRENT.values()) == set(CURRENT_PROVINCES)
    assert FORMER_TO_CURRENT["Bình Dương"] == "Thành phố Hồ Chí Minh"
    assert FORMER_TO_CURRENT["Quảng Nam"] == "Đà Nẵng"
    assert FORMER_TO_CURRENT["Hà Giang"] == "Tuyên Quang"
    assert all(target in FORMER_TO_CURRENT for target in ALIASES.values())
