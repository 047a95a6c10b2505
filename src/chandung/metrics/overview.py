"""Headline figures of the business: customers, orders, revenue, activity, repeat buying, mix.

Every figure is an Ibis aggregate computed in the warehouse; only the aggregates (a few dozen
rows at most) come into Python.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

#: Customers who bought within this many days of the last order date are counted as active.
ACTIVE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class MonthFigures:
    month: date
    orders: int
    revenue_vnd: int
    new_customers: int


@dataclass(frozen=True)
class Overview:
    """Headline figures of the customer file as of the last order."""

    customer_records: int
    buyers: int
    orders: int
    revenue_vnd: int
    average_order_value_vnd: float
    active_customers: int
    repeat_rate: float
    first_order: datetime | None
    last_order: datetime | None
    months: list[MonthFigures] = field(default_factory=list)
    revenue_by_channel_group: dict[str, int] = field(default_factory=dict)
    orders_by_device: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("first_order", "last_order"):
            out[key] = out[key].isoformat() if out[key] else None
        for month in out["months"]:
            month["month"] = month["month"].isoformat()
        return out


def completed_orders(orders: ir.Table) -> ir.Table:
    """Orders that count as sales (not cancelled, not returned)."""
    return orders.filter(orders.status == "completed")


def overview(customers: ir.Table, orders: ir.Table) -> Overview:
    """Compute the headline figures from the ``customers`` and ``orders`` tables."""
    sales = completed_orders(orders)
    totals = (
        sales.aggregate(
            orders=sales.count(),
            revenue=sales.total_vnd.sum(),
            buyers=sales.customer_id.nunique(),
            first_order=sales.ordered_at.min(),
            last_order=sales.ordered_at.max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n_orders = int(totals["orders"] or 0)
    revenue = int(totals["revenue"] or 0)
    buyers = int(totals["buyers"] or 0)
    last_order: datetime | None = totals["last_order"]

    per_customer = sales.group_by("customer_id").aggregate(
        n=sales.count(), first=sales.ordered_at.min(), last=sales.ordered_at.max()
    )
    repeaters = int(per_customer.filter(per_customer.n >= 2).count().to_pyarrow().as_py())
    active = 0
    if last_order is not None:
        since = last_order - timedelta(days=ACTIVE_WINDOW_DAYS)
        active = int(
            per_customer.filter(per_customer.last > ibis.literal(since))
            .count()
            .to_pyarrow()
            .as_py()
        )

    return Overview(
        customer_records=int(customers.count().to_pyarrow().as_py()),
        buyers=buyers,
        orders=n_orders,
        revenue_vnd=revenue,
        average_order_value_vnd=revenue / n_orders if n_orders else 0.0,
        active_customers=active,
        repeat_rate=repeaters / buyers if buyers else 0.0,
        first_order=totals["first_order"],
        last_order=last_order,
        months=_months(sales, per_customer),
        revenue_by_channel_group=_sum_by(sales, "channel_group", sales.total_vnd.sum()),
        orders_by_device=_sum_by(sales, "device", sales.count()),
    )


def _months(sales: ir.Table, per_customer: ir.Table) -> list[MonthFigures]:
    by_month = sales.group_by(month=sales.ordered_at.truncate("M")).aggregate(
        orders=sales.count(), revenue=sales.total_vnd.sum()
    )
    new = per_customer.group_by(month=per_customer.first.truncate("M")).aggregate(
        new_customers=per_customer.count()
    )
    joined = (
        by_month.left_join(new, "month")
        .select("month", "orders", "revenue", "new_customers")
        .order_by("month")
    )
    return [
        MonthFigures(
            month=row["month"].date(),
            orders=int(row["orders"]),
            revenue_vnd=int(row["revenue"] or 0),
            new_customers=int(row["new_customers"] or 0),
        )
        for row in joined.to_pyarrow().to_pylist()
    ]


def _sum_by(table: ir.Table, column: str, measure: ir.Scalar) -> dict[str, int]:
    key = table[column].fill_null("unknown")
    rows = table.group_by(key=key).aggregate(value=measure).order_by([ibis.desc("value"), "key"])
    return {str(r["key"]): int(r["value"] or 0) for r in rows.to_pyarrow().to_pylist()}
