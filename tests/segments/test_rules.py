"""The segment rule language on a small customer table, against hand-computed answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import ibis
import pyarrow as pa
import pytest

from chandung.errors import InputError
from chandung.i18n import LANGUAGES, translate
from chandung.segments.rules import (
    And,
    Compare,
    FieldInfo,
    InList,
    Missing,
    Not,
    Or,
    RuleError,
    Within,
    compile_rule,
    fold_text,
    parse_rule,
    rule_fields,
    rule_to_text,
)

TODAY = date(2025, 7, 1)

FIELDS: dict[str, FieldInfo] = {
    f.name: f
    for f in [
        FieldInfo("province", "text", "Province", "Tỉnh thành"),
        FieldInfo("gender", "text", "Gender", "Giới tính"),
        FieldInfo("occupation", "text", "Occupation", "Nghề nghiệp"),
        FieldInfo("orders", "number", "Orders", "Số đơn hàng"),
        FieldInfo("total_revenue", "number", "Total revenue", "Tổng doanh thu"),
        FieldInfo("probability_alive", "number", "Probability alive", "Xác suất còn mua"),
        FieldInfo("last_order_date", "date", "Last order date", "Ngày mua sau cùng"),
        FieldInfo("first_seen", "timestamp", "First seen", "Lần đầu thấy"),
        FieldInfo("consent_marketing", "boolean", "Marketing consent", "Đồng ý nhận tiếp thị"),
        FieldInfo("channels", "list", "Channels", "Kênh"),
    ]
}

_TRICKY = 'O\'Brien "quoted" \\ back'
#: One row per customer; ids are what the tests compare.
ROWS: list[dict[str, Any]] = [
    {"customer_id": 1, "province": "Hà Nội", "gender": "female", "occupation": "Giáo viên",
     "orders": 5, "total_revenue": 2_500_000.0, "probability_alive": 0.9,
     "last_order_date": date(2025, 6, 10), "first_seen": datetime(2023, 1, 5, 8, 30),
     "consent_marketing": True, "channels": ["Zalo", "Shopee"]},
    {"customer_id": 2, "province": "HỒ CHÍ MINH", "gender": "male", "occupation": "Kỹ sư phần mềm",
     "orders": 1, "total_revenue": 300_000.0, "probability_alive": 0.2,
     "last_order_date": date(2024, 12, 31), "first_seen": datetime(2024, 12, 31, 23, 59, 59),
     "consent_marketing": False, "channels": ["Facebook"]},
    {"customer_id": 3, "province": "ho chi minh", "gender": "female",
     "occupation": "giao vien mam non", "orders": 12, "total_revenue": 15_000_000.0,
     "probability_alive": 0.75, "last_order_date": date(2025, 6, 30),
     "first_seen": datetime(2025, 6, 30), "consent_marketing": True,
     "channels": ["Tiki", "zalo", "Website"]},
    {"customer_id": 4, "province": "Đà Nẵng", "gender": "female", "occupation": "Bác sĩ 🩺",
     "orders": 0, "total_revenue": 0.0, "probability_alive": 0.05, "last_order_date": None,
     "first_seen": None, "consent_marketing": None, "channels": []},
    {"customer_id": 5, "province": None, "gender": None, "occupation": None, "orders": None,
     "total_revenue": None, "probability_alive": None, "last_order_date": None,
     "first_seen": None, "consent_marketing": None, "channels": None},
    {"customer_id": 6, "province": "", "gender": "male", "occupation": "  ", "orders": 3,
     "total_revenue": 1_200_000.0, "probability_alive": 0.5,
     "last_order_date": date(2025, 4, 1), "first_seen": datetime(2025, 1, 31, 12),
     "consent_marketing": True, "channels": ["Shopee"]},
    {"customer_id": 7, "province": "da nang", "gender": "male",
     "occupation": "Nhân viên văn phòng", "orders": 2, "total_revenue": 1_199_999.0,
     "probability_alive": 0.3, "last_order_date": date(2025, 3, 31),
     "first_seen": datetime(2025, 2, 1), "consent_marketing": False,
     "channels": ["Lazada", "TikTok Shop"]},
    {"customer_id": 8, "province": "Hải Phòng", "gender": "female", "occupation": "Giáo viên",
     "orders": 7, "total_revenue": 5_000_000.5, "probability_alive": 1.0,
     "last_order_date": date(2025, 1, 31), "first_seen": datetime(2025, 1, 30, 23, 59, 59),
     "consent_marketing": True, "channels": ["Website"]},
    {"customer_id": 9, "province": "Cần Thơ", "gender": "other",
     "occupation": "Sinh viên'; DROP TABLE customers; --", "orders": 4,
     "total_revenue": 800_000.0, "probability_alive": 0.6,
     "last_order_date": date(2023, 7, 1), "first_seen": datetime(2022, 12, 31),
     "consent_marketing": True, "channels": ["Zalo"]},
    {"customer_id": 10, "province": "Hà Nội", "gender": "female", "occupation": _TRICKY,
     "orders": 1, "total_revenue": 500_000.0, "probability_alive": None,
     "last_order_date": date(2025, 7, 1), "first_seen": datetime(2025, 7, 1, 10),
     "consent_marketing": False, "channels": ["zalo", None]},
]  # fmt: skip
ALL = {r["customer_id"] for r in ROWS}

SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("province", pa.string()),
        ("gender", pa.string()),
        ("occupation", pa.string()),
        ("orders", pa.int64()),
        ("total_revenue", pa.float64()),
        ("probability_alive", pa.float64()),
        ("last_order_date", pa.date32()),
        ("first_seen", pa.timestamp("us")),
        ("consent_marketing", pa.bool_()),
        ("channels", pa.list_(pa.string())),
    ]
)
ARROW = pa.Table.from_pylist(ROWS, schema=SCHEMA)
CON = ibis.duckdb.connect()
TABLE = ibis.memtable(ARROW)


def members(rule_text: str, fields: Mapping[str, FieldInfo] = FIELDS) -> set[int]:
    """Customer ids the rule selects, after checking the expression is never null."""
    expr = compile_rule(parse_rule(rule_text, fields), TABLE, today=TODAY)
    result = CON.execute(TABLE.select("customer_id", member=expr))
    assert result["member"].notna().all(), "a compiled rule must be total"
    return set(result.loc[result["member"].astype(bool), "customer_id"].tolist())


def where(test: Any) -> set[int]:
    """The oracle: ids of the rows for which plain Python says yes."""
    return {r["customer_id"] for r in ROWS if test(r)}


# --- membership -----------------------------------------------------------------------------

DIACRITICS = [
    ('province = "Ha Noi"', {1, 10}),
    ("province = 'hà nội'", {1, 10}),
    ("province = HANOI", set()),  # folding drops marks, not spaces
    ('province = "ho chi minh"', {2, 3}),
    ('province = "HỒ CHÍ MINH"', {2, 3}),
    ('province = "Đà Nẵng"', {4, 7}),
    ('province = "da nang"', {4, 7}),
    ('province = "DA NANG"', {4, 7}),
    ('occupation contains "giao vien"', {1, 3, 8}),
    ('occupation contains "GIÁO"', {1, 3, 8}),
    ('occupation = "giáo viên"', {1, 8}),
    ('occupation contains "🩺"', {4}),
    ('province in ["ha noi", "Đà Nẵng"]', {1, 4, 7, 10}),
    ("gender = FEMALE", {1, 3, 4, 8, 10}),
    # Decomposed (NFD) text in a rule folds like precomposed text.
    ('province = "Ha\u0300 Nô\u0323i"', {1, 10}),
]

MISSING = [
    ('province != "Hà Nội"', {2, 3, 4, 7, 8, 9}),  # neither null (5) nor blank (6)
    ('not province = "Hà Nội"', ALL - {1, 10}),
    ('not (province != "Hà Nội")', {1, 5, 6, 10}),
    ('province not in ["Hà Nội", "ho chi minh"]', {4, 7, 8, 9}),
    ('not province in ["Hà Nội", "ho chi minh"]', {4, 5, 6, 7, 8, 9}),
    ("province is missing", {5, 6}),
    ("province is not missing", ALL - {5, 6}),
    ("province missing", {5, 6}),
    ("province not missing", ALL - {5, 6}),
    ("occupation is missing", {5, 6}),  # "  " is blank
    ('occupation not contains "giao vien"', {2, 4, 7, 9, 10}),
    ('not occupation contains "giao vien"', ALL - {1, 3, 8}),
    ("orders is missing", {5}),
    ("orders != 1", where(lambda r: r["orders"] is not None and r["orders"] != 1)),
    ("not orders = 1", where(lambda r: r["orders"] != 1)),
    ("probability_alive is missing", {5, 10}),
    ("last_order_date is missing", {4, 5}),
    ("first_seen is not missing", ALL - {4, 5}),
    ("consent_marketing is missing", {4, 5}),
    ("channels is missing", {4, 5}),  # [] counts as missing
    ("channels is not missing", ALL - {4, 5}),
]


def _num(name: str, test: Any) -> Any:
    return lambda r: r[name] is not None and test(r[name])


NUMBERS = [
    ("orders > 3", where(_num("orders", lambda v: v > 3))),
    ("orders >= 3", where(_num("orders", lambda v: v >= 3))),
    ("orders < 3", where(_num("orders", lambda v: v < 3))),
    ("orders <= 3", where(_num("orders", lambda v: v <= 3))),
    ("orders = 1", {2, 10}),
    ("orders == 1", {2, 10}),
    ("orders <> 1", where(_num("orders", lambda v: v != 1))),
    ("orders ≥ 7", {3, 8}),
    ("orders between 1 and 3", {2, 6, 7, 10}),
    ("orders not between 1 and 3", {1, 3, 4, 8, 9}),
    ("orders between 3 and 1", set()),
    ("orders in [0, 12]", {3, 4}),
    ("orders in (0, 12,)", {3, 4}),
    ("orders not in [0, 12]", where(_num("orders", lambda v: v not in (0, 12)))),
    ("orders > -1", where(_num("orders", lambda v: v > -1))),
    ("total_revenue >= 1,2tr", where(_num("total_revenue", lambda v: v >= 1_200_000))),
    ("total_revenue >= 1,2 triệu", where(_num("total_revenue", lambda v: v >= 1_200_000))),
    ("total_revenue < 1.2tr", where(_num("total_revenue", lambda v: v < 1_200_000))),
    ("total_revenue = 1.200.000đ", {6}),
    ("total_revenue = 1200000 vnd", {6}),
    ("total_revenue > 500k", where(_num("total_revenue", lambda v: v > 500_000))),
    ("total_revenue >= 5 triệu", {3, 8}),
    ("total_revenue > 1.5M", {1, 3, 8}),
    ("total_revenue = 5000000.5", {8}),
    ("total_revenue < 0,01 tỷ", where(_num("total_revenue", lambda v: v < 10_000_000))),
    ("probability_alive >= 75%", {1, 3, 8}),
    ("probability_alive between 0.2 and 0.5", {2, 6, 7}),
]

DATES = [
    # today is 2025-07-01; 90 days back is 2025-04-02.
    ("last_order_date within 90 days", {1, 3, 10}),
    ("last_order_date within 91 days", {1, 3, 6, 10}),
    ("last_order_date within 0 days", {10}),
    ("last_order_date within 2 weeks", {3, 10}),
    ("last_order_date within 3 months", {1, 3, 6, 10}),
    ("last_order_date within 1 year", {1, 2, 3, 6, 7, 8, 10}),
    ("last_order_date trong vòng 3 tháng", {1, 3, 6, 10}),
    ('last_order_date before "2025-01-31"', {2, 9}),
    ('last_order_date after "2025-01-31"', {1, 3, 6, 7, 10}),
    ('last_order_date = "31/01/2025"', {8}),
    ("last_order_date = 2025-01-31", {8}),
    ('last_order_date <= "2025-01-31"', {2, 8, 9}),
    ('last_order_date between "2025-01-31" and "2025-04-01"', {6, 7, 8}),
    ('last_order_date in ["2025-01-31", "2025-06-30"]', {3, 8}),
    ('last_order_date != "2025-01-31"', {1, 2, 3, 6, 7, 9, 10}),
    # A day against a timestamp means the whole day.
    ('first_seen = "2025-01-31"', {6}),
    ('first_seen != "2025-01-31"', {1, 2, 3, 7, 8, 9, 10}),
    ('first_seen < "2025-01-31"', {1, 2, 8, 9}),
    ('first_seen <= "2025-01-31"', {1, 2, 6, 8, 9}),
    ('first_seen > "2025-01-31"', {3, 7, 10}),
    ('first_seen >= "2025-01-31"', {3, 6, 7, 10}),
    ('first_seen before "2025-01-31"', {1, 2, 8, 9}),
    ('first_seen between "2024-12-31" and "2025-01-31"', {2, 6, 8}),
    ('first_seen not between "2024-12-31" and "2025-01-31"', {1, 3, 7, 9, 10}),
    ('first_seen in ["2025-06-30", "2024-12-31"]', {2, 3}),
    ('first_seen not in ["2025-06-30", "2024-12-31"]', {1, 6, 7, 8, 9, 10}),
    ("first_seen within 1 day", {3, 10}),
    ("first_seen within 6 months", {3, 6, 7, 8, 10}),  # from 2025-01-01
]

BOOLEANS_AND_LISTS = [
    ("consent_marketing", {1, 3, 6, 8, 9}),
    ("consent_marketing = true", {1, 3, 6, 8, 9}),
    ("consent_marketing = false", {2, 7, 10}),
    ("consent_marketing != true", {2, 7, 10}),
    ("consent_marketing = có", {1, 3, 6, 8, 9}),
    ("consent_marketing = khong", {2, 7, 10}),
    ("not consent_marketing", {2, 4, 5, 7, 10}),
    ('channels contains "zalo"', {1, 3, 9, 10}),
    ("channels contains ZALO", {1, 3, 9, 10}),
    ('channels contains "tiktok shop"', {7}),
    ('channels contains "tiktok"', set()),  # membership, not substring
    ("channels not contains zalo", {2, 6, 7, 8}),
    ("channels in [tiki, lazada]", {3, 7}),
    ("channels not in [zalo, shopee]", {2, 7, 8}),
]

LOGIC = [
    ("orders < 2 or orders > 10 and consent_marketing = false", {2, 4, 10}),
    ("(orders < 2 or orders > 10) and consent_marketing = false", {2, 10}),
    ("not orders > 3 and gender = female", {4, 10}),
    ("not (orders > 3 and gender = female)", {2, 4, 5, 6, 7, 9, 10}),
    ("not not consent_marketing", {1, 3, 6, 8, 9}),
    ("((province = 'Hà Nội'))", {1, 10}),
    ("gender = male or gender = other or province = 'Hà Nội' and orders = 1", {2, 6, 7, 9, 10}),
    # Vietnamese keywords and labels.
    ('Tỉnh thành = "ha noi" và không consent_marketing', {10}),
    ("tinh thanh = 'ha noi' hoặc số đơn hàng giữa 2 và 3", {1, 6, 7, 10}),
    ("Ngày mua sau cùng sau 2025-06-01", {1, 3, 10}),
    ("KÊNH CHỨA zalo VÀ KHÔNG (orders > 4)", {9, 10}),
    ("kênh không thuộc [zalo] và tỉnh thành là trống", {6}),
    ("tỉnh thành không trống và orders >= 12", {3}),
    ("`Tổng doanh thu` > 10tr", {3}),
    ("PROVINCE = 'ha noi' AND Orders > 1", {1}),
]


@pytest.mark.parametrize(
    ("rule", "expected"), DIACRITICS + MISSING + NUMBERS + DATES + BOOLEANS_AND_LISTS + LOGIC
)
def test_membership_matches_the_oracle(rule: str, expected: set[int]) -> None:
    assert members(rule) == expected


def test_long_chains_compile_to_shallow_sql() -> None:
    rule = " or ".join(f"orders = {i}" for i in range(600))
    assert members(rule) == ALL - {5}


# --- canonical text -------------------------------------------------------------------------

CANONICAL = [
    ("Province = 'Ha Noi'", 'province = "Ha Noi"'),
    ("province=hanoi AND orders>=3", 'province = "hanoi" and orders >= 3'),
    ("total_revenue >= 1,2 triệu", "total_revenue >= 1200000"),
    ("total_revenue > 1.5", "total_revenue > 1.5"),
    ("total_revenue > 500k", "total_revenue > 500000"),
    ("probability_alive < 5%", "probability_alive < 0.05"),
    ("last_order_date before 31/01/2025", 'last_order_date < "2025-01-31"'),
    ("last_order_date trong vòng 90 ngày", "last_order_date within 90 days"),
    ("first_seen within 1 week", "first_seen within 1 weeks"),
    ("consent_marketing", "consent_marketing = true"),
    ("consent_marketing = yes", "consent_marketing = true"),
    ("channels thuộc [zalo, 'Tiki',]", 'channels in ["zalo", "Tiki"]'),
    ("province là trống", "province is missing"),
    ("province is null", "province is missing"),
    ("orders không giữa 1 và 5", "orders not between 1 and 5"),
    ("(orders > 1)", "orders > 1"),
    (
        "(orders > 1 or orders < 0) and province = x",
        '(orders > 1 or orders < 0) and province = "x"',
    ),
    ("orders > 1 or (orders < 0 and province = x)", 'orders > 1 or orders < 0 and province = "x"'),
    ("(orders > 1 and orders < 5) and orders != 3", "(orders > 1 and orders < 5) and orders != 3"),
    ("not (orders > 1)", "not orders > 1"),
    ("not (orders > 1 or orders < 0)", "not (orders > 1 or orders < 0)"),
    ("occupation = 'it\\'s \"x\"\\n'", 'occupation = "it\'s \\"x\\"\\n"'),
    ("occupation = 007", 'occupation = "007"'),
    ('occupation = "tab\\tnul\\u0001"', 'occupation = "tab\\tnul\\u0001"'),
]


@pytest.mark.parametrize(("rule", "canonical"), CANONICAL)
def test_rules_render_canonically_and_read_back(rule: str, canonical: str) -> None:
    parsed = parse_rule(rule, FIELDS)
    assert rule_to_text(parsed) == canonical
    assert parse_rule(canonical, FIELDS) == parsed
    assert rule_to_text(parse_rule(canonical, FIELDS)) == canonical


def test_the_tree_is_what_the_rule_says() -> None:
    f = FIELDS
    assert parse_rule("orders > 3 or not province is missing and channels in [zalo]", f) == Or(
        (
            Compare(f["orders"], ">", 3),
            And((Not(Missing(f["province"])), InList(f["channels"], ("zalo",)))),
        )
    )
    assert parse_rule("first_seen within 2 tháng", f) == Within(f["first_seen"], 2, "months")
    assert parse_rule("orders > 1.2tr", f) == Compare(f["orders"], ">", 1_200_000)
    value = parse_rule("total_revenue > 1,25k", f)
    assert isinstance(value, Compare)
    assert value.value == 1250
    assert isinstance(value.value, int)


def test_rule_fields_lists_the_columns_used() -> None:
    rule = parse_rule("(Tỉnh thành = x or orders > 1) and not consent_marketing", FIELDS)
    assert rule_fields(rule) == {"province", "orders", "consent_marketing"}


def test_field_names_resolve_loosely_when_unambiguous() -> None:
    fields = {
        "monthly_income_vnd": FieldInfo("monthly_income_vnd", "number", "Monthly income"),
        "ngay_sinh": FieldInfo("ngay_sinh", "date", label_vi="Ngày sinh"),
        "a_b": FieldInfo("a_b", "text"),
        "A b": FieldInfo("A b", "text"),
    }
    income = fields["monthly_income_vnd"]
    assert parse_rule("Monthly Income VND > 1", fields) == Compare(income, ">", 1)
    assert parse_rule("monthly income > 1", fields) == Compare(income, ">", 1)
    assert parse_rule("NGÀY SINH before 2000-01-01", fields) == Compare(
        fields["ngay_sinh"], "<", date(2000, 1, 1)
    )
    with pytest.raises(RuleError) as caught:
        parse_rule("`a - b` = x", fields)
    assert caught.value.code == "segment.rule.ambiguous_field"
    assert caught.value.params["candidates"] == "A b, a_b"
    assert rule_to_text(parse_rule("`A b` = x", fields)) == '`A b` = "x"'


# --- injection ------------------------------------------------------------------------------

HOSTILE_VALUES = [
    "'; DROP TABLE customers; --",
    '" OR 1=1 --',
    "' OR '1'='1",
    "\\",
    "\\'",
    "''",
    '"',
    "Robert'); DELETE FROM customers WHERE ('1'='1",
    "😀 \u202e \u2028 ünïcödé",
    "$1 ${x} {0} %s ?",
    "\x01\x1f\x7f",
]


def _quoted(value: str) -> str:
    escaped = "".join(
        {"\\": "\\\\", '"': '\\"'}.get(ch, ch) if ord(ch) >= 0x20 else f"\\u{ord(ch):04x}"
        for ch in value
    )
    return f'"{escaped}"'


@pytest.fixture
def warehouse() -> Any:
    con = ibis.duckdb.connect()
    con.create_table("customers", ARROW)
    return con


def _outside_literals(sql: str) -> str:
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_values_are_data_never_sql(value: str, warehouse: Any) -> None:
    customers = warehouse.table("customers")
    for rule in (
        f"occupation = {_quoted(value)}",
        f"occupation contains {_quoted(value)}",
        f"channels in [{_quoted(value)}, zalo]",
        f"gender not in [{_quoted(value)}]",
    ):
        parsed = parse_rule(rule, FIELDS)
        expr = compile_rule(parsed, customers, today=TODAY)
        sql = ibis.to_sql(customers.filter(expr), dialect="duckdb")
        folded = fold_text(value)
        if "\\" not in folded and "'" in folded:
            assert "'" + folded.replace("'", "''") in sql  # quoted, quotes doubled
        rest = _outside_literals(sql).lower()
        assert "drop" not in rest
        assert "delete" not in rest
        assert " or 1" not in rest
        warehouse.execute(customers.filter(expr))
    assert warehouse.list_tables() == ["customers"]
    assert warehouse.table("customers").count().execute() == len(ROWS)


def test_hostile_text_matches_literally(warehouse: Any) -> None:
    customers = warehouse.table("customers")

    def ids(rule: str) -> set[int]:
        expr = compile_rule(parse_rule(rule, FIELDS), customers, today=TODAY)
        return set(warehouse.execute(customers.filter(expr)).customer_id)

    assert ids('occupation contains "\'; drop table customers; --"') == {9}
    assert ids(f"occupation = {_quoted(_TRICKY)}") == {10}
    assert ids("occupation = 'o\\'brien \"QUOTED\" \\\\ back'") == {10}
    assert ids('occupation contains "\\\\"') == {10}
    assert warehouse.table("customers").count().execute() == len(ROWS)


@pytest.mark.parametrize(
    ("rule", "code", "position"),
    [
        ("province; drop table x = 1", "segment.rule.syntax", 8),
        ('"province" = "Hà Nội"', "segment.rule.syntax", 0),
        ("1=1", "segment.rule.syntax", 0),
        ("`province; drop table x` = 1", "segment.rule.unknown_field_nothing_close", 0),
        ("province = 'x' or 1=1", "segment.rule.syntax", 18),
        ("province = 'x' --", "segment.rule.syntax", 15),
        ("province = 'x'; DROP TABLE customers", "segment.rule.syntax", 14),
        ("province = x/* */", "segment.rule.syntax", 12),
        ("province = 'a\x00b'", "segment.rule.bad_character", 13),
        ("province = 'a\\u0000b'", "segment.rule.bad_character", 13),
        ("province = 'a\\ud800'", "segment.rule.bad_character", 13),
        ("province = 'a\ud800'", "segment.rule.bad_character", 13),
        ("`prov\x00ince` = 1", "segment.rule.bad_character", 5),
    ],
)
def test_hostile_field_names_and_syntax_are_refused(rule: str, code: str, position: int) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(rule, FIELDS)
    assert (caught.value.code, caught.value.position) == (code, position)


# --- errors ---------------------------------------------------------------------------------


def test_unknown_field_suggests_the_closest_and_points_at_it() -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule("orders > 3 and provnce = 'Hà Nội'", FIELDS)
    error = caught.value
    assert error.code == "segment.rule.unknown_field"
    assert error.position == 15
    assert error.params["field"] == "provnce"
    assert error.params["suggestions"].split(", ")[0] == "province"
    assert error.render("en") == ("provnce (character 16) is not a field. Did you mean province?")
    assert error.render("vi") == (
        "provnce (ký tự thứ 16) không phải là một trường. Có phải ý bạn là province?"
    )
    assert str(error) == error.render("en")


def test_suggestions_come_from_labels_too() -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule("tinh thnh = x", FIELDS)
    assert caught.value.params["suggestions"].startswith("province")
    with pytest.raises(RuleError) as caught:
        parse_rule("zzz = 1", FIELDS)
    assert caught.value.code == "segment.rule.unknown_field_nothing_close"


@pytest.mark.parametrize(
    ("rule", "code", "position", "expected"),
    [
        ("", "segment.rule.empty", 0, "condition"),
        ("   ", "segment.rule.empty", 0, "condition"),
        ("orders >", "segment.rule.syntax_end", 8, "number"),
        ("orders > 'abc'", "segment.rule.value", 9, "number"),
        ("orders contains 5", "segment.rule.operator", 7, "operator_number"),
        ("province < 'x'", "segment.rule.operator", 9, "operator_text"),
        ("province within 90 days", "segment.rule.operator", 9, "operator_text"),
        ("consent_marketing < true", "segment.rule.operator", 18, "operator_boolean"),
        ("consent_marketing = maybe", "segment.rule.value", 20, "boolean"),
        ("channels = zalo", "segment.rule.operator", 9, "operator_list"),
        ("province hanoi", "segment.rule.syntax", 9, "operator_text"),
        ("province = Ha Noi", "segment.rule.syntax", 14, "connective"),
        ("(orders > 1", "segment.rule.syntax_end", 11, "close_paren"),
        ("(orders > 1 province", "segment.rule.syntax", 12, "close_paren"),
        ("orders > 1)", "segment.rule.syntax", 10, "connective"),
        ("orders between 1 or 2", "segment.rule.syntax", 17, "between_and"),
        ("orders in 1, 2", "segment.rule.syntax", 10, "list"),
        ("orders in [1 2]", "segment.rule.syntax", 13, "list_next"),
        ("orders in []", "segment.rule.value", 11, "number"),
        ("province is hanoi", "segment.rule.syntax", 12, "missing"),
        ("last_order_date within 1.5 days", "segment.rule.syntax", 23, "whole_number"),
        ("last_order_date within 90", "segment.rule.syntax_end", 25, "unit"),
        ("last_order_date within 200 years", "segment.rule.period", 23, ""),
        ("last_order_date = '2025-02-30'", "segment.rule.bad_date", 18, "date"),
        ("last_order_date = 'yesterday'", "segment.rule.value", 18, "date"),
        ("orders > 2e9", "segment.rule.syntax", 10, "number_end"),
        ("orders > 10000000000000000000", "segment.rule.number_range", 9, "number"),
        ("province = 'abc", "segment.rule.syntax_end", 15, "quote"),
        ("province = 'a\\qb'", "segment.rule.syntax", 13, "escape"),
        ("`province = 1", "segment.rule.syntax_end", 13, "backtick"),
        ("`` = 1", "segment.rule.syntax", 0, "field"),
        ("and orders > 1", "segment.rule.syntax", 0, "condition"),
        ("orders > 1 and", "segment.rule.syntax_end", 14, "condition"),
        ('"province" = 1', "segment.rule.syntax", 0, "field_unquoted"),
        ("not " * 51 + "consent_marketing", "segment.rule.too_deep", 200, ""),
        ("(" * 51 + "orders > 1" + ")" * 51, "segment.rule.too_deep", 50, ""),
        ("orders > 1 or " * 800 + "orders > 1", "segment.rule.too_long", 10_000, ""),
    ],
)
def test_errors_say_where_and_what_was_expected(
    rule: str, code: str, position: int, expected: str
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(rule, FIELDS)
    error = caught.value
    assert (error.code, error.position, error.expected_key) == (code, position, expected)
    assert error.params["column"] == position + 1
    for language in LANGUAGES:
        text = error.render(language)
        assert "{" not in text
        assert not text.startswith("errors.")
        if "{expected}" in translate(f"errors.{code}", language):
            assert error._expected_text(language) in text
    assert error.expected == error._expected_text("en")
    if "{expected}" in translate(f"errors.{code}", "en"):
        assert error.expected and error.expected in str(error)
    assert error.render("vi") != error.render("en")


def test_deep_but_allowed_nesting_parses() -> None:
    rule = "(" * 49 + "not " + "orders > 1" + ")" * 49
    assert parse_rule(rule, FIELDS) == Not(Compare(FIELDS["orders"], ">", 1))


def test_rule_error_is_an_input_error_with_a_status() -> None:
    with pytest.raises(InputError):
        parse_rule("provnce = 1", FIELDS)
    assert RuleError.status == 422


def test_compile_checks_columns_and_types() -> None:
    with pytest.raises(InputError) as caught:
        compile_rule(parse_rule("orders > 1", FIELDS), TABLE.drop("orders"), today=TODAY)
    assert caught.value.code == "segment.rule.no_column"
    wrong = {"orders": FieldInfo("province", "number")}
    with pytest.raises(InputError) as caught:
        compile_rule(parse_rule("orders > 1", wrong), TABLE, today=TODAY)
    assert caught.value.code == "segment.rule.column_type"
    for language in LANGUAGES:
        assert "province" in caught.value.render(language)


def test_dates_on_a_timezone_aware_column() -> None:
    aware = ARROW.set_column(
        ARROW.schema.get_field_index("first_seen"),
        "first_seen",
        ARROW["first_seen"].cast(pa.timestamp("us", tz="UTC")),
    )
    table = ibis.memtable(aware)
    expr = compile_rule(parse_rule('first_seen = "2025-01-31"', FIELDS), table, today=TODAY)
    assert set(CON.execute(table.filter(expr)).customer_id) == {6}


def test_every_operator_compiles_for_postgresql() -> None:
    # Not executed (no server here), but the SQL must build from the same expressions.
    table = ibis.table(TABLE.schema(), name="customers")
    cases = DIACRITICS + MISSING + NUMBERS + DATES + BOOLEANS_AND_LISTS + LOGIC
    rule = parse_rule(" and ".join(f"({text})" for text, _ in cases), FIELDS)
    sql = ibis.to_sql(table.filter(compile_rule(rule, table, today=TODAY)), dialect="postgres")
    assert "TRANSLATE" in sql.upper()


@pytest.mark.parametrize(
    ("today", "amount", "unit", "start"),
    [
        (date(2025, 3, 31), 1, "months", date(2025, 2, 28)),
        (date(2024, 2, 29), 1, "years", date(2023, 2, 28)),
        (date(2025, 7, 1), 0, "days", date(2025, 7, 1)),
        (date(2025, 7, 1), 2, "weeks", date(2025, 6, 17)),
        (date(2025, 1, 15), 13, "months", date(2023, 12, 15)),
        (date(1, 1, 5), 1, "years", date.min),
    ],
)
def test_periods_count_back_by_calendar(today: date, amount: int, unit: Any, start: date) -> None:
    from chandung.segments._rule_compile import period_start

    assert period_start(today, amount, unit) == start
