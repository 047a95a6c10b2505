from __future__ import annotations

import itertools
import random
from datetime import datetime

import pytest

from chandung.errors import InputError
from chandung.metrics.basket import Rule, association_rules
from chandung.services.stores import Stores
from tests.conftest import rows

# The market-basket example of Tan, Steinbach & Kumar, "Introduction to Data Mining", table 6.1.
TEXTBOOK = [
    ["bread", "milk"],
    ["bread", "diapers", "beer", "eggs"],
    ["milk", "diapers", "beer", "cola"],
    ["bread", "milk", "diapers", "beer"],
    ["bread", "milk", "diapers", "cola"],
]


def _order(oid: str, status: str = "completed") -> dict[str, object]:
    return {
        "order_id": oid,
        "customer_id": "C1",
        "ordered_at": datetime(2025, 1, 1),
        "channel": "website",
        "status": status,
        "currency": "VND",
        "total_vnd": 1,
    }


def _line(oid: str, n: int, product: str, category: str | None = None) -> dict[str, object]:
    return {
        "order_id": oid,
        "line_number": n,
        "product_id": product,
        "category": category,
        "quantity": 1,
        "unit_price_vnd": 1,
        "line_total_vnd": 1,
    }


def _load(
    stores: Stores, baskets: list[list[str]], cancelled: list[list[str]] | None = None
) -> None:
    orders, lines = [], []
    for i, basket in enumerate([*baskets, *(cancelled or [])]):
        oid = f"O{i}"
        orders.append(_order(oid, "completed" if i < len(baskets) else "cancelled"))
        lines += [_line(oid, n, p) for n, p in enumerate(basket, 1)]
    stores.warehouse.replace_tables(
        [{"orders": rows("orders", orders), "order_items": rows("order_items", lines)}]
    )


def _oracle(baskets: list[list[str]], min_support: float, min_confidence: float) -> list[Rule]:
    """Every rule A → B by brute force over the baskets (as sets)."""
    sets = [set(b) for b in baskets if b]
    n = len(sets)
    items = sorted(set().union(*sets)) if sets else []
    out = []
    for a, b in itertools.permutations(items, 2):
        n_a = sum(a in s for s in sets)
        n_b = sum(b in s for s in sets)
        n_ab = sum(a in s and b in s for s in sets)
        if not n_ab:
            continue
        support, confidence = n_ab / n, n_ab / n_a
        if support >= min_support and confidence >= min_confidence:
            lift = confidence / (n_b / n)
            out.append(Rule(a, b, n_ab, n_a, n_b, support, confidence, lift))
    out.sort(key=lambda r: (-r.lift, -r.confidence, -r.support, r.antecedent, r.consequent))
    return out


def _same(got: list[Rule], want: list[Rule]) -> None:
    assert [(r.antecedent, r.consequent) for r in got] == [
        (r.antecedent, r.consequent) for r in want
    ]
    for g, w in zip(got, want, strict=True):
        assert (g.orders_with_both, g.antecedent_orders, g.consequent_orders) == (
            w.orders_with_both,
            w.antecedent_orders,
            w.consequent_orders,
        )
        assert g.support == pytest.approx(w.support)
        assert g.confidence == pytest.approx(w.confidence)
        assert g.lift == pytest.approx(w.lift)


def test_the_textbook_example_gives_the_textbook_values(stores: Stores) -> None:
    _load(stores, TEXTBOOK)
    wh = stores.warehouse
    result = association_rules(
        wh.table("order_items"), wh.table("orders"), min_support=0.6, min_confidence=0.7
    )
    assert result.orders == 5
    by_pair = {(r.antecedent, r.consequent): r for r in result.rules}
    # {diapers, beer}: support 3/5; beer → diapers 3/3; diapers → beer 3/4; lift 1.25 both ways
    beer_diapers = by_pair[("beer", "diapers")]
    assert (beer_diapers.support, beer_diapers.confidence) == (pytest.approx(0.6), 1.0)
    assert beer_diapers.lift == pytest.approx(1.25)
    diapers_beer = by_pair[("diapers", "beer")]
    assert diapers_beer.confidence == pytest.approx(0.75)
    assert diapers_beer.lift == pytest.approx(1.25)
    # {milk, bread}: support 3/5, confidence 3/4, lift (3/4) / (4/5) = 0.9375
    assert by_pair[("milk", "bread")].lift == pytest.approx(0.9375)
    _same(result.rules, _oracle(TEXTBOOK, 0.6, 0.7))


@pytest.mark.parametrize(("min_support", "min_confidence"), [(0.2, 0.0), (0.4, 0.5), (1.0, 1.0)])
def test_rules_match_a_brute_force_oracle(
    stores: Stores, min_support: float, min_confidence: float
) -> None:
    rng = random.Random(7)
    products = [f"P{i}" for i in range(6)]
    baskets = [rng.sample(products, rng.randint(1, 4)) for _ in range(40)]
    _load(stores, baskets)
    wh = stores.warehouse
    result = association_rules(
        wh.table("order_items"),
        wh.table("orders"),
        min_support=min_support,
        min_confidence=min_confidence,
        max_rules=1000,
    )
    assert result.orders == 40
    _same(result.rules, _oracle(baskets, min_support, min_confidence))


def test_a_rule_exactly_at_the_thresholds_is_kept(stores: Stores) -> None:
    # a and b together in 3 of 10 baskets (support 0.3), a in 7 (a → b: confidence 3/7)
    baskets = [["a", "b"]] * 3 + [["a"]] * 4 + [["c"]] * 3
    _load(stores, baskets)
    wh = stores.warehouse
    result = association_rules(
        wh.table("order_items"), wh.table("orders"), min_support=0.3, min_confidence=3 / 7
    )
    assert [(r.antecedent, r.consequent) for r in result.rules] == [("b", "a"), ("a", "b")]


def test_max_rules_keeps_the_strongest_and_ties_go_by_name(stores: Stores) -> None:
    _load(stores, [["x", "y", "z"]] * 2 + [["w"]] * 2)
    wh = stores.warehouse
    result = association_rules(wh.table("order_items"), wh.table("orders"), max_rules=3)
    # every pair among x, y, z has the same support, confidence and lift
    assert [(r.antecedent, r.consequent) for r in result.rules] == [
        ("x", "y"),
        ("x", "z"),
        ("y", "x"),
    ]


def test_repeated_lines_and_cancelled_orders_do_not_count(stores: Stores) -> None:
    _load(stores, [["a", "a", "b"], ["a"]], cancelled=[["a", "b"], ["b"]])
    wh = stores.warehouse
    result = association_rules(wh.table("order_items"), wh.table("orders"), min_support=0.1)
    assert result.orders == 2
    by_pair = {(r.antecedent, r.consequent): r for r in result.rules}
    assert by_pair[("a", "b")].orders_with_both == 1
    assert by_pair[("a", "b")].confidence == pytest.approx(0.5)
    assert by_pair[("b", "a")].confidence == 1.0
    assert by_pair[("b", "a")].lift == pytest.approx(1.0)


def test_category_level_fills_missing_categories_from_products(stores: Stores) -> None:
    orders = [_order("O1"), _order("O2"), _order("O3")]
    lines = [
        _line("O1", 1, "lipstick", "beauty"),
        _line("O1", 2, "serum"),  # no category on the line: the catalogue says skincare
        _line("O2", 1, "cream", "skincare"),
        _line("O2", 2, "mascara", "beauty"),
        _line("O3", 1, "mystery"),  # no category anywhere: left out
    ]
    products = [
        {"product_id": p, "name": p, "category": c}
        for p, c in [("lipstick", "beauty"), ("serum", "skincare"), ("cream", "skincare")]
    ]
    stores.warehouse.replace_tables(
        [
            {
                "orders": rows("orders", orders),
                "order_items": rows("order_items", lines),
                "products": rows("products", products),
            }
        ]
    )
    wh = stores.warehouse
    items, sales = wh.table("order_items"), wh.table("orders")
    with_catalogue = association_rules(
        items, sales, level="category", products=wh.table("products"), min_support=0.5
    )
    assert with_catalogue.orders == 2
    pairs = {(r.antecedent, r.consequent): r.orders_with_both for r in with_catalogue.rules}
    assert pairs == {("beauty", "skincare"): 2, ("skincare", "beauty"): 2}
    without = association_rules(items, sales, level="category", min_support=0.5)
    assert {(r.antecedent, r.consequent): r.orders_with_both for r in without.rules} == {
        ("beauty", "skincare"): 1,
        ("skincare", "beauty"): 1,
    }


def test_an_empty_warehouse_has_no_rules(stores: Stores) -> None:
    wh = stores.warehouse
    result = association_rules(wh.table("order_items"), wh.table("orders"))
    assert (result.orders, result.rules) == (0, [])
    assert result.as_dict()["rules"] == []


def test_single_item_baskets_have_no_rules(stores: Stores) -> None:
    _load(stores, [["a"], ["b"], ["a"]])
    wh = stores.warehouse
    result = association_rules(wh.table("order_items"), wh.table("orders"), min_support=0.01)
    assert (result.orders, result.rules) == (3, [])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_support": 0.0},
        {"min_support": 1.5},
        {"min_confidence": -0.1},
        {"max_rules": 0},
        {"level": "brand"},
    ],
)
def test_bad_arguments_are_refused(stores: Stores, kwargs: dict[str, object]) -> None:
    wh = stores.warehouse
    with pytest.raises(InputError):
        association_rules(wh.table("order_items"), wh.table("orders"), **kwargs)  # type: ignore[arg-type]
