"""Retention and churn by period, and the monthly acquisition-cohort retention matrix.

A customer is *active* in a period when they have at least one completed order in it. Periods
are numbered in the warehouse (``year · 12 + month - 1``, or ``year · 4 + quarter - 1``) so
that "the period before" is plain integer arithmetic on every engine; only per-period counts
come into Python. ``docs/metrics.md`` gives the definitions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal, get_args

import ibis.expr.types as ir

from ..errors import InputError
from .customer_summary import buyer_orders

Period = Literal["month", "quarter"]


@dataclass(frozen=True)
class PeriodRetention:
    """Retention from the period before ``period`` to ``period``.

    ``retention_rate`` is ``retained / previous_active`` and ``churn_rate`` its complement;
    both are ``None`` when nobody was active in the period before.
    """

    period: date
    active: int
    previous_active: int
    retained: int
    retention_rate: float | None
    churn_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["period"] = self.period.isoformat()
        return out


@dataclass(frozen=True)
class Cohort:
    """One acquisition cohort: the customers whose first purchase was in ``month``.

    ``active[m]`` counts the cohort's customers who bought in the ``m``-th month after
    ``month`` (``active[0]`` is the cohort itself) and ``shares[m]`` is ``active[m] /
    customers``; the lists stop at the last month with data.
    """

    month: date
    customers: int
    active: list[int] = field(default_factory=list)
    shares: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class CohortRetention:
    """The cohort retention matrix: rows are first-purchase months, columns months since."""

    cohorts: list[Cohort] = field(default_factory=list)

    @property
    def months(self) -> int:
        """The number of columns (the longest row)."""
        return max((len(c.active) for c in self.cohorts), default=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "cohorts": [{**asdict(c), "month": c.month.isoformat()} for c in self.cohorts],
        }


_PER_YEAR: dict[str, int] = {"month": 12, "quarter": 4}


def retention_by_period(
    orders: ir.Table,
    *,
    period: Period = "month",
    customer_key: str = "customer_id",
    links: ir.Table | None = None,
) -> list[PeriodRetention]:
    """Retention and churn rate of each period after the first.

    Parameters
    ----------
    orders
        A table shaped like the canonical ``orders`` table; only completed orders count.
    period
        ``"month"`` or ``"quarter"`` (calendar periods).
    customer_key
        Column of ``orders`` naming the buyer.
    links
        Optional ``customer_links``-shaped table, to count people instead of records.

    Returns
    -------
    list[PeriodRetention]
        Every period from the second with orders to the last (periods without orders
        included); the last period may be incomplete.

    Examples
    --------
    >>> import ibis
    >>> from datetime import datetime
    >>> orders = ibis.memtable({"customer_id": ["a", "b", "a", "c"], "status": ["completed"] * 4,
    ...     "ordered_at": [datetime(2025, 1, 3), datetime(2025, 1, 9), datetime(2025, 2, 1),
    ...                    datetime(2025, 2, 2)], "total_vnd": [1, 1, 1, 1]})
    >>> r = retention_by_period(orders)[0]
    >>> r.period, r.previous_active, r.retained, r.retention_rate, r.churn_rate
    (datetime.date(2025, 2, 1), 2, 1, 0.5, 0.5)
    """
    activity = _activity(orders, period, customer_key, links)
    before = activity.select(prev_customer=activity.customer_id, prev_index=activity.index + 1)
    joined = activity.join(
        before,
        (activity.customer_id == before.prev_customer) & (activity.index == before.prev_index),
    )
    retained = {
        int(r["index"]): int(r["n"])
        for r in joined.group_by("index").aggregate(n=joined.count()).to_pyarrow().to_pylist()
    }
    active = {
        int(r["index"]): int(r["n"])
        for r in activity.group_by("index").aggregate(n=activity.count()).to_pyarrow().to_pylist()
    }
    if not active:
        return []
    out = []
    for index in range(min(active) + 1, max(active) + 1):
        previous = active.get(index - 1, 0)
        kept = retained.get(index, 0)
        rate = kept / previous if previous else None
        out.append(
            PeriodRetention(
                period=_start(index, period),
                active=active.get(index, 0),
                previous_active=previous,
                retained=kept,
                retention_rate=rate,
                churn_rate=1 - rate if rate is not None else None,
            )
        )
    return out


def cohort_retention(
    orders: ir.Table, *, customer_key: str = "customer_id", links: ir.Table | None = None
) -> CohortRetention:
    """The monthly acquisition-cohort retention matrix.

    Parameters
    ----------
    orders
        A table shaped like the canonical ``orders`` table; only completed orders count.
    customer_key
        Column of ``orders`` naming the buyer.
    links
        Optional ``customer_links``-shaped table, to count people instead of records.

    Returns
    -------
    CohortRetention
        One row per month with new customers, oldest first; the row of a cohort runs from
        its month to the last month with orders.

    Examples
    --------
    >>> import ibis
    >>> from datetime import datetime
    >>> orders = ibis.memtable({"customer_id": ["a", "b", "a"], "status": ["completed"] * 3,
    ...     "ordered_at": [datetime(2025, 1, 3), datetime(2025, 1, 9), datetime(2025, 3, 1)],
    ...     "total_vnd": [1, 1, 1]})
    >>> cohort = cohort_retention(orders).cohorts[0]
    >>> cohort.customers, cohort.active, cohort.shares
    (2, [2, 0, 1], [1.0, 0.0, 0.5])
    """
    activity = _activity(orders, "month", customer_key, links)
    first = activity.group_by("customer_id").aggregate(cohort=activity.index.min())
    joined = activity.join(first, activity.customer_id == first.customer_id)
    cells = (
        joined.group_by(first.cohort, age=activity.index - first.cohort)
        .aggregate(n=joined.count())
        .to_pyarrow()
        .to_pylist()
    )
    if not cells:
        return CohortRetention()
    counts = {(int(c["cohort"]), int(c["age"])): int(c["n"]) for c in cells}
    last = max(cohort + age for cohort, age in counts)
    cohorts = []
    for cohort in sorted({cohort for cohort, _ in counts}):
        size = counts[(cohort, 0)]
        active = [counts.get((cohort, age), 0) for age in range(last - cohort + 1)]
        cohorts.append(Cohort(_start(cohort, "month"), size, active, [a / size for a in active]))
    return CohortRetention(cohorts)


def _activity(orders: ir.Table, period: str, customer_key: str, links: ir.Table | None) -> ir.Table:
    """Distinct (customer, period index) pairs with a completed order."""
    if period not in _PER_YEAR:
        raise InputError("metrics.period", value=period, allowed=", ".join(get_args(Period)))
    sales = buyer_orders(orders, customer_key=customer_key, links=links)
    at = sales.ordered_at
    part = at.month() - 1 if period == "month" else at.quarter() - 1
    index = at.year().cast("int64") * _PER_YEAR[period] + part.cast("int64")
    return sales.select("customer_id", index=index).distinct()


def _start(index: int, period: str) -> date:
    """The first day of the period numbered ``index``."""
    per_year = _PER_YEAR[period]
    year, part = divmod(index, per_year)
    return date(year, part * (12 // per_year) + 1, 1)
