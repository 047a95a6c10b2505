"""What customers are worth so far: historical value, repeat buying and how concentrated it is.

Inputs are customer summaries (one row per customer, see
:func:`~chandung.metrics.customer_summary.customer_summary`). Sorting, ranking and cumulative
sums run in the warehouse as window functions; only totals and at most ``points`` rows of the
Lorenz curve come into Python, whatever the number of customers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from ..errors import InputError


@dataclass(frozen=True)
class CustomerValue:
    """Historical customer value: revenue per customer so far, and repeat buying.

    ``mean_value`` is the historical CLV of the average customer (total revenue over the
    number of customers); ``repeat_rate`` the share of customers with two orders or more, as
    on the overview.
    """

    customers: int
    revenue: float
    mean_value: float
    max_value: float
    repeat_customers: int
    repeat_rate: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LorenzPoint:
    """Share of the revenue from the ``customer_share`` of customers who spent least."""

    customer_share: float
    revenue_share: float


@dataclass(frozen=True)
class Concentration:
    """How concentrated revenue is among customers (Pareto share, Lorenz curve, Gini)."""

    customers: int
    revenue: float
    top_fraction: float
    top_share: float
    gini: float
    lorenz: list[LorenzPoint] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def customer_value(summary: ir.Table, *, value_column: str = "total_revenue") -> CustomerValue:
    """Historical value and repeat purchase rate of the customers of ``summary``.

    Parameters
    ----------
    summary
        One row per customer with ``value_column`` and ``orders``.
    value_column
        The revenue of each customer.

    Examples
    --------
    >>> import ibis
    >>> s = ibis.memtable({"total_revenue": [100, 300], "orders": [1, 3]})
    >>> customer_value(s).mean_value, customer_value(s).repeat_rate
    (200.0, 0.5)
    """
    _require(summary, (value_column, "orders"))
    value = summary[value_column].fill_null(0)
    row = (
        summary.aggregate(
            customers=summary.count(),
            revenue=value.sum(),
            max_value=value.max(),
            repeaters=(summary.orders >= 2).ifelse(1, 0).sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    customers = int(row["customers"] or 0)
    revenue = float(row["revenue"] or 0)
    repeaters = int(row["repeaters"] or 0)
    return CustomerValue(
        customers=customers,
        revenue=revenue,
        mean_value=revenue / customers if customers else 0.0,
        max_value=float(row["max_value"] or 0),
        repeat_customers=repeaters,
        repeat_rate=repeaters / customers if customers else 0.0,
    )


def concentration(
    summary: ir.Table,
    *,
    value_column: str = "total_revenue",
    top_fraction: float = 0.2,
    points: int = 101,
) -> Concentration:
    """The Pareto share, Lorenz curve and Gini coefficient of customer revenue.

    Customers are sorted by revenue, least first; the Lorenz curve ``L(p)`` is the share of
    revenue from the share ``p`` of customers who spent least, linear between customers (a
    fraction of a customer brings that fraction of the customer's revenue).

    Parameters
    ----------
    summary
        One row per customer with ``value_column``; missing values count as 0.
    value_column
        The revenue of each customer (must not be negative).
    top_fraction
        The share of best customers whose share of revenue is ``top_share``: ``1 - L(1 -
        top_fraction)``, 0.2 for the Pareto "80/20" reading.
    points
        Number of points of the Lorenz curve, evenly spaced from 0 to 1 (101: every percent).

    Returns
    -------
    Concentration
        With ``gini = Σ (2i - n - 1) x_i / (n Σ x)`` over the sorted revenues ``x_1 ≤ … ≤
        x_n``, computed exactly in the warehouse (0 when everyone spends the same). Without
        revenue the curve is empty and the shares are 0.

    Examples
    --------
    >>> import ibis
    >>> c = concentration(ibis.memtable({"total_revenue": [0, 0, 0, 100]}), points=5)
    >>> c.gini, round(c.top_share, 9), [p.revenue_share for p in c.lorenz]
    (0.75, 0.8, [0.0, 0.0, 0.0, 0.0, 1.0])
    """
    _require(summary, (value_column,))
    if not 0 < top_fraction < 1:
        raise InputError("metrics.fraction", field="top_fraction", value=top_fraction)
    if points < 2:
        raise InputError("metrics.points", value=points)

    # Customers with the same revenue form one block: the curve and Gini do not depend on
    # how ties are ordered, and a block order on distinct values is the same on every engine.
    x = summary[value_column].fill_null(0).cast("float64")
    blocks = summary.select(x=x).group_by("x").aggregate(c=ibis._.count())
    upto = ibis.cumulative_window(order_by=blocks.x)
    blocks = blocks.mutate(
        k=blocks.c.sum().over(upto), upto_sum=(blocks.x * blocks.c).sum().over(upto)
    )
    # The block holds places k - c + 1 … k; their sum of places is c · (2k - c + 1) / 2.
    places = blocks.c.cast("float64") * (2 * blocks.k - blocks.c + 1) / 2
    totals = (
        blocks.aggregate(
            n=blocks.c.sum(), s=(blocks.x * blocks.c).sum(), weighted=(blocks.x * places).sum()
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n = int(totals["n"] or 0)
    total = float(totals["s"] or 0)
    if n == 0 or total <= 0:
        return Concentration(n, max(total, 0.0), top_fraction, 0.0, 0.0, [])
    gini = (2 * float(totals["weighted"]) - (n + 1) * total) / (n * total)

    shares = [k / (points - 1) for k in range(points)]
    wanted = sorted({_customer_at(p, n) for p in (*shares, 1 - top_fraction)} - {0})
    start = blocks.k - blocks.c
    # Only the blocks a point falls in come back: at most points + 1 rows.
    hits = blocks.filter(ibis.or_(*((start < i) & (blocks.k >= i) for i in wanted)))
    found = hits.select("x", "c", "k", "upto_sum").to_pyarrow().to_pylist()

    def lorenz(p: float) -> float:
        i = _customer_at(p, n)
        if i == 0:
            return 0.0
        b = next(b for b in found if b["k"] - b["c"] < i <= b["k"])
        # The p·n customers who spent least: the blocks before, the block's customers before
        # the i-th, then the part p·n - (i - 1) of the i-th customer.
        x = float(b["x"])
        before = float(b["upto_sum"]) - (int(b["k"]) - i + 1) * x
        return min(1.0, (before + (p * n - (i - 1)) * x) / total)

    return Concentration(
        customers=n,
        revenue=total,
        top_fraction=top_fraction,
        top_share=1 - lorenz(1 - top_fraction),
        gini=max(0.0, gini),
        lorenz=[LorenzPoint(p, lorenz(p)) for p in shares],
    )


def _customer_at(p: float, n: int) -> int:
    """The 1-based place of the customer the share ``p`` falls within (0 for ``p = 0``)."""
    # Rounding first keeps p·n = 3.0000000001 from landing on the next customer.
    return min(n, max(0, math.ceil(round(p * n, 9))))


def _require(summary: ir.Table, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise InputError("metrics.missing_columns", table="summary", columns=", ".join(missing))
