"""Properties of the rule language: round trips, total parsing, and compiled = oracle."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chandung.segments.rules import (
    MAX_RULE_DEPTH,
    MAX_WITHIN,
    And,
    Between,
    Compare,
    Contains,
    FieldInfo,
    InList,
    Missing,
    Not,
    Or,
    Rule,
    RuleError,
    Value,
    Within,
    compile_rule,
    fold_text,
    parse_rule,
    rule_to_text,
)

from .test_rules import CON, FIELDS, ROWS, TABLE, TODAY

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _column(name: str) -> list[Any]:
    return [r[name] for r in ROWS if r[name] is not None]


# --- strategies -----------------------------------------------------------------------------

_texts = st.one_of(
    st.sampled_from(
        [v for f in ("province", "gender", "occupation") for v in _column(f)]
        + ["ha noi", "HO CHI MINH", "da nang", "giao vien", "zalo", "Shopee", ""]
    ),
    st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=12),
)
_list_items = st.one_of(
    st.sampled_from(["zalo", "ZALO", "Shopee", "tiki", "TikTok Shop", "website", "x"]),
    st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=8),
)
_numbers = st.one_of(
    st.sampled_from([0, 1, 2, 3, 5, 7, 12, 300_000, 1_200_000, 1_199_999.0, 0.5, 0.75, 5e6]),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False),
)
_dates = st.one_of(
    st.sampled_from(_column("last_order_date") + [d.date() for d in _column("first_seen")]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
_ORDERED = ("=", "!=", "<", "<=", ">", ">=")


def _values(field: FieldInfo) -> st.SearchStrategy[Any]:
    return {
        "text": _texts,
        "list": _list_items,
        "number": _numbers,
        "date": _dates,
        "timestamp": _dates,
        "boolean": st.booleans(),
    }[field.type]


def _conditions(field: FieldInfo) -> st.SearchStrategy[Rule]:
    values = _values(field)
    value_lists = st.lists(values, min_size=1, max_size=4).map(tuple)
    negated = st.booleans()
    options: list[st.SearchStrategy[Rule]] = [st.builds(Missing, st.just(field), negated)]
    if field.type in ("text", "boolean"):
        options.append(st.builds(Compare, st.just(field), st.sampled_from(["=", "!="]), values))
    if field.type in ("number", "date", "timestamp"):
        options += [
            st.builds(Compare, st.just(field), st.sampled_from(_ORDERED), values),
            st.builds(Between, st.just(field), values, values, negated),
        ]
    if field.type in ("text", "number", "date", "timestamp", "list"):
        options.append(st.builds(InList, st.just(field), value_lists, negated))
    if field.type in ("text", "list"):
        options.append(st.builds(Contains, st.just(field), _list_items, negated))
    if field.type in ("date", "timestamp"):
        options.append(
            st.sampled_from(["days", "weeks", "months", "years"]).flatmap(
                lambda unit: st.builds(
                    Within,
                    st.just(field),
                    st.integers(min_value=0, max_value=MAX_WITHIN[unit]),
                    st.just(unit),
                )
            )
        )
    return st.one_of(options)


_leaves = st.one_of([_conditions(f) for f in FIELDS.values()])


def _extend(children: st.SearchStrategy[Rule]) -> st.SearchStrategy[Rule]:
    several = st.lists(children, min_size=2, max_size=4).map(tuple)
    return st.one_of(children.map(Not), several.map(And), several.map(Or))


rules = st.recursive(_leaves, _extend, max_leaves=10)


def _depth(rule: Rule) -> int:
    # What the parser counts: a "not", or a bracket around an and/or inside another operator.
    if isinstance(rule, Not):
        return 1 + _depth(rule.rule)
    if isinstance(rule, And | Or):
        return 1 + max(_depth(r) for r in rule.rules)
    return 0


# --- the oracle -----------------------------------------------------------------------------


def _missing(field: FieldInfo, value: Any) -> bool:
    if value is None:
        return True
    if field.type == "text":
        return not value.strip()
    if field.type == "list":
        return len(value) == 0
    return False


def _cmp(left: Any, op: str, right: Any) -> bool:
    return {
        "=": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


def _months_back(day: date, months: int) -> date:
    import calendar

    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def oracle(rule: Rule, row: dict[str, Any]) -> bool:
    """What the rule means for one row, in plain Python."""
    if isinstance(rule, And):
        return all(oracle(r, row) for r in rule.rules)
    if isinstance(rule, Or):
        return any(oracle(r, row) for r in rule.rules)
    if isinstance(rule, Not):
        return not oracle(rule.rule, row)
    field = rule.field
    raw = row[field.name]
    if isinstance(rule, Missing):
        return _missing(field, raw) != rule.negated
    if _missing(field, raw):
        return False
    value: Any = raw.date() if isinstance(raw, datetime) else raw
    if field.type == "text":
        value = fold_text(raw)
    if field.type == "list":
        items = {fold_text(x) for x in raw if x is not None}
        wanted = [rule.value] if isinstance(rule, Contains) else rule.values  # type: ignore[union-attr]
        hit = any(fold_text(str(v)) in items for v in wanted)
        return hit != rule.negated  # type: ignore[union-attr]

    def lit(v: Value) -> Any:
        return fold_text(v) if isinstance(v, str) else v

    if isinstance(rule, Compare):
        return _cmp(value, rule.op, lit(rule.value))
    if isinstance(rule, Between):
        return (lit(rule.low) <= value <= lit(rule.high)) != rule.negated
    if isinstance(rule, InList):
        return (value in [lit(v) for v in rule.values]) != rule.negated
    if isinstance(rule, Contains):
        return (fold_text(rule.value) in value) != rule.negated
    if isinstance(rule, Within):
        months = {"months": rule.amount, "years": 12 * rule.amount}.get(rule.unit)
        if months is None:
            days = rule.amount * (7 if rule.unit == "weeks" else 1)
            start = date.fromordinal(TODAY.toordinal() - days)
        else:
            start = _months_back(TODAY, months)
        return start <= value <= TODAY
    raise AssertionError(rule)


# --- properties -----------------------------------------------------------------------------


@SETTINGS
@given(rules)
def test_canonical_text_reads_back_to_the_same_tree(rule: Rule) -> None:
    assume(_depth(rule) <= MAX_RULE_DEPTH)
    text = rule_to_text(rule)
    assert parse_rule(text, FIELDS) == rule
    assert rule_to_text(parse_rule(text, FIELDS)) == text


@settings(max_examples=40, deadline=None)
@given(st.lists(rules, min_size=1, max_size=4))
def test_compiled_rules_run_and_agree_with_the_oracle(batch: list[Rule]) -> None:
    # Several rules per query keep the run short; each is checked row by row.
    exprs = {f"r{i}": compile_rule(r, TABLE, today=TODAY) for i, r in enumerate(batch)}
    result = CON.execute(TABLE.select("customer_id", **exprs)).set_index("customer_id")
    for i, rule in enumerate(batch):
        column = result[f"r{i}"]
        assert column.notna().all(), rule_to_text(rule)
        got = {cid for cid, member in column.items() if member}
        want = {r["customer_id"] for r in ROWS if oracle(rule, r)}
        assert got == want, rule_to_text(rule)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_raises_a_rule_error(text: str) -> None:
    try:
        parse_rule(text, FIELDS)
    except RuleError as error:
        assert 0 <= error.position <= len(text)
        assert error.render("vi") and error.render("en")


_TOKENS = [
    "province", "orders", "total_revenue", "first_seen", "last_order_date", "consent_marketing",
    "channels", "Tỉnh thành", "`province`", "`x`", "provnce", "and", "or", "not", "và", "hoặc",
    "không", "between", "in", "trong", "vòng", "contains", "chứa", "is", "missing", "trống",
    "within", "before", "after", "sau", "days", "tháng", "=", "!=", "<", "<=", ">", ">=", "<>",
    "(", ")", "[", "]", ",", '"Hà Nội"', "'x", '"', "\\", "1", "-2", "1.5", "1,2tr", "500k",
    "80%", "1.200.000đ", "2025-01-31", "31/01/2025", "2025-02-30", "true", "có", "hanoi",
    ";", "--", "\x00", "\u0301", "1e5", "99999999999999999999", "`",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), max_size=25), st.sampled_from([" ", ""]))
def test_token_soup_parses_or_raises_a_rule_error(tokens: list[str], joiner: str) -> None:
    text = joiner.join(tokens)
    try:
        rule = parse_rule(text, FIELDS)
    except RuleError as error:
        assert 0 <= error.position <= len(text)
        return
    canonical = rule_to_text(rule)
    assert parse_rule(canonical, FIELDS) == rule
