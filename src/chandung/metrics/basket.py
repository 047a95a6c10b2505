"""What is bought together: association rules A → B between products or categories.

An order is a *basket*: the set of distinct products (or categories) among its lines. For two
items A and B, over the ``N`` completed orders that have at least one line:

* ``support(A → B) = n(A and B) / N``: share of baskets holding both;
* ``confidence(A → B) = n(A and B) / n(A)``: share of the baskets holding A that also hold B;
* ``lift(A → B) = confidence(A → B) / (n(B) / N)``: how much more often B is bought with A than
  on its own (1: independent, above 1: bought together).

The pairs are counted in the warehouse with a self-join of the baskets on ``order_id``; only the
rules that pass ``min_support`` and ``min_confidence`` (at most ``max_rules`` of them) come into
Python. Items rarer than ``min_support`` are dropped before the join, since no pair holding them
can reach it (the Apriori property), which keeps the join small.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from ..errors import InputError
from .overview import completed_orders

Level = Literal["product", "category"]
LEVELS: tuple[Level, ...] = ("product", "category")

DEFAULT_MIN_SUPPORT = 0.01
DEFAULT_MIN_CONFIDENCE = 0.1
DEFAULT_MAX_RULES = 100


@dataclass(frozen=True)
class Rule:
    """One association rule ``antecedent → consequent``."""

    antecedent: str
    consequent: str
    #: Baskets holding both items.
    orders_with_both: int
    #: Baskets holding the antecedent.
    antecedent_orders: int
    #: Baskets holding the consequent.
    consequent_orders: int
    support: float
    confidence: float
    lift: float


@dataclass(frozen=True)
class BasketRules:
    """The strongest rules of one level, by lift, then confidence, then support."""

    level: str
    #: Completed orders with at least one line of that level: the ``N`` of every ratio.
    orders: int
    min_support: float
    min_confidence: float
    rules: list[Rule] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_range(name: str, value: float, low: float, high: float, *, open_low: bool) -> None:
    """Raise an :class:`InputError` unless ``low < value <= high`` (``low <=`` if not open).

    >>> check_range("min_confidence", 0.5, 0.0, 1.0, open_low=False)
    >>> check_range("min_support", 0.0, 0.0, 1.0, open_low=True)
    Traceback (most recent call last):
    ...
    chandung.errors.InputError: min_support is 0.0, outside the allowed range (0, 1].
    """
    above = value > low if open_low else value >= low
    if not (above and value <= high):
        bounds = f"{'(' if open_low else '['}{low:g}, {high:g}]"
        raise InputError("input.metric_range", name=name, value=value, range=bounds)


def line_categories(order_items: ir.Table, products: ir.Table | None = None) -> ir.Table:
    """Order lines with their category, taken from ``products`` where the line has none.

    Lines keep the category they were sold under; a source that left it empty still has the
    product's current category in ``products``.
    """
    if products is None:
        return order_items
    catalogue = products.select(
        product_id_cat=products.product_id, product_category=products.category
    )
    joined = order_items.left_join(catalogue, order_items.product_id == catalogue.product_id_cat)
    return joined.select(
        *[c for c in order_items.columns if c != "category"],
        category=joined.category.coalesce(joined.product_category),
    )


def baskets(
    order_items: ir.Table,
    orders: ir.Table,
    *,
    level: Level = "product",
    products: ir.Table | None = None,
) -> ir.Table:
    """Distinct ``(order_id, item)`` pairs of the completed orders, as an Ibis expression.

    ``item`` is the product id or the category; lines without one are left out.
    """
    if level not in LEVELS:
        raise InputError(
            "input.metric_choice", name="level", value=level, choices=", ".join(LEVELS)
        )
    lines = line_categories(order_items, products) if level == "category" else order_items
    sold = lines.semi_join(completed_orders(orders).select("order_id"), "order_id")
    item = sold.product_id if level == "product" else sold.category
    picked = sold.select(order_id=sold.order_id, item=item.cast("string"))
    return picked.filter(picked.item.notnull()).distinct()


def association_rules(
    order_items: ir.Table,
    orders: ir.Table,
    *,
    level: Level = "product",
    min_support: float = DEFAULT_MIN_SUPPORT,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    max_rules: int = DEFAULT_MAX_RULES,
    products: ir.Table | None = None,
) -> BasketRules:
    """Rules ``A → B`` between two items bought in the same completed order.

    Parameters
    ----------
    order_items, orders
        The canonical tables; only lines of completed orders count.
    level
        ``"product"`` (``product_id``) or ``"category"``.
    min_support
        Smallest share of baskets holding both items, in ``(0, 1]``.
    min_confidence
        Smallest share of the antecedent's baskets that also hold the consequent, in ``[0, 1]``.
    max_rules
        Most rules returned, strongest first (lift, then confidence, then support, then names).
    products
        The canonical ``products`` table: at category level, fills the category of lines that
        have none.

    Returns
    -------
    BasketRules
        Both directions of a pair are separate rules (``A → B`` and ``B → A`` share support and
        lift but not confidence).
    """
    check_range("min_support", min_support, 0.0, 1.0, open_low=True)
    check_range("min_confidence", min_confidence, 0.0, 1.0, open_low=False)
    if max_rules < 1:
        raise InputError("input.metric_range", name="max_rules", value=max_rules, range="[1, ∞)")
    basket = baskets(order_items, orders, level=level, products=products)
    n_orders = int(basket.order_id.nunique().to_pyarrow().as_py() or 0)
    empty = BasketRules(level, n_orders, min_support, min_confidence)
    if n_orders == 0:
        return empty

    total = ibis.literal(float(n_orders))
    counts = basket.group_by("item").aggregate(n=basket.count())
    # No pair can be more frequent than either of its items: drop rare items before joining.
    frequent = counts.filter(counts.n.cast("float64") / total >= min_support)
    kept = basket.semi_join(frequent.select("item"), "item")
    left = kept.select(order_id=kept.order_id, antecedent=kept.item)
    right = kept.select(order_id_b=kept.order_id, consequent=kept.item)
    pairs = left.join(
        right, (left.order_id == right.order_id_b) & (left.antecedent != right.consequent)
    )
    both = pairs.group_by("antecedent", "consequent").aggregate(n_ab=pairs.count())
    n_a = frequent.select(antecedent=frequent.item, n_a=frequent.n)
    n_b = frequent.select(consequent=frequent.item, n_b=frequent.n)
    rules = both.join(n_a, "antecedent").join(n_b, "consequent")
    rules = rules.mutate(
        support=rules.n_ab.cast("float64") / total,
        confidence=rules.n_ab.cast("float64") / rules.n_a.cast("float64"),
        lift=rules.n_ab.cast("float64")
        * total
        / (rules.n_a.cast("float64") * rules.n_b.cast("float64")),
    )
    # Compare the ratios themselves: a division is rounded once, so a rule exactly at a
    # threshold (3/10 against 0.3) is kept, where threshold × count (0.3 × 10) may overshoot.
    rules = rules.filter(rules.support >= min_support, rules.confidence >= min_confidence)
    top = rules.order_by(
        ibis.desc("lift"),
        ibis.desc("confidence"),
        ibis.desc("support"),
        "antecedent",
        "consequent",
    ).limit(max_rules)
    return BasketRules(
        level,
        n_orders,
        min_support,
        min_confidence,
        [
            Rule(
                antecedent=str(r["antecedent"]),
                consequent=str(r["consequent"]),
                orders_with_both=int(r["n_ab"]),
                antecedent_orders=int(r["n_a"]),
                consequent_orders=int(r["n_b"]),
                support=float(r["support"]),
                confidence=float(r["confidence"]),
                lift=float(r["lift"]),
            )
            for r in top.to_pyarrow().to_pylist()
        ],
    )
