"""When customers buy: purchase cadence, typical weekday, month and season, and Tết buying.

Every per-customer figure is an Ibis expression evaluated in the warehouse; the summary brings
only counts per class, weekday, month and season into Python. Only completed orders count.

Cadence
    From the gaps, in days, between a customer's consecutive *distinct purchase days* (two
    orders on one day are one purchase occasion): a single purchase day is ``one_off``; gaps
    whose coefficient of variation (sample standard deviation over mean) exceeds
    :data:`IRREGULAR_GAP_CV`, or whose median exceeds :data:`QUARTERLY_MAX_GAP_DAYS`, are
    ``irregular``; otherwise the median gap gives ``weekly`` (≤ 10 days), ``monthly`` (≤ 45)
    or ``quarterly`` (≤ 120).
Tết
    An order is a Tết order when placed in the :data:`TET_WINDOW_DAYS` days before the first
    day of the lunar new year (the day itself excluded), from :data:`TET_DATES`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from .overview import completed_orders

#: Largest median gap (days) between purchase days of a weekly buyer.
WEEKLY_MAX_GAP_DAYS = 10
#: Largest median gap of a monthly buyer.
MONTHLY_MAX_GAP_DAYS = 45
#: Largest median gap of a quarterly buyer; longer gaps are irregular.
QUARTERLY_MAX_GAP_DAYS = 120
#: Gaps more variable than this (standard deviation / mean) make a buyer irregular.
IRREGULAR_GAP_CV = 1.0
#: Cadence classes, from the most to the least frequent buyer.
CADENCES = ("weekly", "monthly", "quarterly", "irregular", "one_off")

#: First day of the lunar new year (mùng 1 Tết) in Vietnam, 2015–2035. Computed for UTC+7
#: (Hồ Ngọc Đức's algorithm) and checked against the new moons of an ephemeris; the Vietnamese
#: date differs from the Chinese one in 2030 (2 February against 3 February).
# fmt: off
TET_DATES: dict[int, date] = {
    2015: date(2015, 2, 19), 2016: date(2016, 2, 8), 2017: date(2017, 1, 28),
    2018: date(2018, 2, 16), 2019: date(2019, 2, 5), 2020: date(2020, 1, 25),
    2021: date(2021, 2, 12), 2022: date(2022, 2, 1), 2023: date(2023, 1, 22),
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
    2030: date(2030, 2, 2), 2031: date(2031, 1, 23), 2032: date(2032, 2, 11),
    2033: date(2033, 1, 31), 2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}
# fmt: on
#: Days before Tết whose orders are Tết orders: the four weeks of Tết shopping.
TET_WINDOW_DAYS = 28
#: A customer with at least this share of orders in the Tết windows is a Tết shopper (the
#: windows cover under 8% of the year, so half is far above chance).
TET_SHOPPER_MIN_SHARE = 0.5

#: Shopping seasons of the Vietnamese retail year, by calendar month.
SEASON_OF_MONTH: dict[int, str] = {
    1: "tet_season", 2: "tet_season",
    3: "spring", 4: "spring",
    5: "summer", 6: "summer", 7: "summer",
    8: "back_to_school", 9: "back_to_school",
    10: "year_end", 11: "year_end", 12: "year_end",
}  # fmt: skip
SEASONS = ("tet_season", "spring", "summer", "back_to_school", "year_end")


def season_of(month: ir.IntegerValue) -> ir.StringValue:
    """The season of :data:`SEASON_OF_MONTH` of a month-number expression."""
    return month.substitute(SEASON_OF_MONTH, else_=ibis.null("string"))


def tet_window(year: int) -> tuple[date, date]:
    """First day of the Tết window of ``year`` and the first day of Tết (excluded).

    >>> tet_window(2025)
    (datetime.date(2025, 1, 1), datetime.date(2025, 1, 29))
    """
    tet = TET_DATES[year]
    return tet - timedelta(days=TET_WINDOW_DAYS), tet


def in_tet_window(moment: ir.TimestampValue) -> ir.BooleanValue:
    """Whether ``moment`` falls in one of the Tết windows of :data:`TET_DATES`."""
    condition = ibis.literal(False)
    for year in TET_DATES:
        start, tet = (datetime.combine(d, datetime.min.time()) for d in tet_window(year))
        condition |= (moment >= ibis.literal(start)) & (moment < ibis.literal(tet))
    return condition


def _typical(sales: ir.Table, key: ir.Value, name: str) -> ir.Table:
    """Per customer, the value of ``key`` most of their orders have (ties: the smallest)."""
    counted = sales.group_by("customer_id", value=key).aggregate(n=sales.count())
    ranked = counted.mutate(
        rank=ibis.row_number().over(
            group_by=counted.customer_id, order_by=[ibis.desc(counted.n), counted.value]
        )
    )
    return ranked.filter(ranked.rank == 0).select("customer_id", **{name: ranked.value})


def purchase_cadence(orders: ir.Table) -> ir.Table:
    """One row per buyer: cadence, typical weekday, month and season, and Tết buying.

    Columns: ``customer_id``, ``orders``, ``purchase_days``, ``first_day``, ``last_day``,
    ``median_gap_days``, ``mean_gap_days``, ``gap_cv`` (null below two gaps), ``cadence``,
    ``typical_weekday`` (0 = Monday), ``typical_month`` (1–12), ``typical_season``,
    ``tet_orders``, ``tet_share`` and ``tet_shopper``.
    """
    sales = completed_orders(orders).select("customer_id", "ordered_at")
    days = sales.select("customer_id", day=sales.ordered_at.date()).distinct()
    previous = days.day.lag().over(group_by=days.customer_id, order_by=days.day)
    gaps = days.mutate(gap=days.day.delta(previous, unit="day").cast("float64"))
    per_gap = gaps.group_by("customer_id").aggregate(
        purchase_days=gaps.count(),
        first_day=gaps.day.min(),
        last_day=gaps.day.max(),
        median_gap_days=gaps.gap.median(),
        mean_gap_days=gaps.gap.mean(),
        sd_gap=gaps.gap.std(how="sample"),
    )
    spread = per_gap.mutate(gap_cv=per_gap.sd_gap / per_gap.mean_gap_days)
    cadence = ibis.cases(
        (spread.purchase_days == 1, "one_off"),
        (spread.gap_cv.fill_null(0.0) > IRREGULAR_GAP_CV, "irregular"),
        (spread.median_gap_days <= WEEKLY_MAX_GAP_DAYS, "weekly"),
        (spread.median_gap_days <= MONTHLY_MAX_GAP_DAYS, "monthly"),
        (spread.median_gap_days <= QUARTERLY_MAX_GAP_DAYS, "quarterly"),
        else_="irregular",
    )
    spread = spread.mutate(cadence=cadence).drop("sd_gap")

    month = sales.ordered_at.month()
    season = season_of(month)
    tet = sales.group_by("customer_id").aggregate(
        orders=sales.count(),
        tet_orders=in_tet_window(sales.ordered_at).cast("int64").sum(),
    )
    tet = tet.mutate(tet_share=tet.tet_orders.cast("float64") / tet.orders.cast("float64"))
    tet = tet.mutate(tet_shopper=tet.tet_share >= TET_SHOPPER_MIN_SHARE)

    out = tet.join(spread, "customer_id")
    for part in (
        _typical(sales, sales.ordered_at.day_of_week.index(), "typical_weekday"),
        _typical(sales, month, "typical_month"),
        _typical(sales, season, "typical_season"),
    ):
        out = out.join(part, "customer_id")
    return out.select(
        "customer_id",
        "orders",
        "purchase_days",
        "first_day",
        "last_day",
        "median_gap_days",
        "mean_gap_days",
        "gap_cv",
        "cadence",
        "typical_weekday",
        "typical_month",
        "typical_season",
        "tet_orders",
        "tet_share",
        "tet_shopper",
    )


@dataclass(frozen=True)
class CadenceSummary:
    """How the buyers' cadences, and the orders over the week and the year, are spread."""

    buyers: int
    orders: int
    #: Buyers per cadence class (every class of :data:`CADENCES`, 0 when none).
    buyers_by_cadence: dict[str, int] = field(default_factory=dict)
    #: Completed orders per weekday, Monday first.
    orders_by_weekday: list[int] = field(default_factory=list)
    #: Completed orders per calendar month, January first.
    orders_by_month: list[int] = field(default_factory=list)
    #: Completed orders per season of :data:`SEASONS`.
    orders_by_season: dict[str, int] = field(default_factory=dict)
    #: Buyers per typical weekday, Monday first.
    buyers_by_typical_weekday: list[int] = field(default_factory=list)
    #: Buyers per typical season.
    buyers_by_typical_season: dict[str, int] = field(default_factory=dict)
    tet_orders: int = 0
    tet_order_share: float = 0.0
    tet_revenue_share: float = 0.0
    tet_shoppers: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _counts(table: ir.Table, key: ir.Value) -> dict[Any, int]:
    rows = table.group_by(key=key).aggregate(n=table.count()).to_pyarrow().to_pylist()
    return {r["key"]: int(r["n"]) for r in rows}


def cadence_summary(orders: ir.Table) -> CadenceSummary:
    """The distribution of cadences, weekdays, months, seasons and Tết buying."""
    sales = completed_orders(orders)
    per_customer = purchase_cadence(orders)
    totals = (
        sales.aggregate(
            orders=sales.count(),
            revenue=sales.total_vnd.sum(),
            tet_orders=in_tet_window(sales.ordered_at).cast("int64").sum(),
            tet_revenue=sales.total_vnd.sum(where=in_tet_window(sales.ordered_at)),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    buyers = (
        per_customer.aggregate(
            n=per_customer.count(), tet=per_customer.tet_shopper.cast("int64").sum()
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n_orders = int(totals["orders"] or 0)
    revenue = int(totals["revenue"] or 0)
    tet_orders = int(totals["tet_orders"] or 0)
    by_cadence = _counts(per_customer, per_customer.cadence)
    by_weekday = _counts(sales, sales.ordered_at.day_of_week.index())
    by_month = _counts(sales, sales.ordered_at.month())
    by_season = _counts(sales, season_of(sales.ordered_at.month()))
    typical_day = _counts(per_customer, per_customer.typical_weekday)
    typical_season = _counts(per_customer, per_customer.typical_season)
    return CadenceSummary(
        buyers=int(buyers["n"] or 0),
        orders=n_orders,
        buyers_by_cadence={c: by_cadence.get(c, 0) for c in CADENCES},
        orders_by_weekday=[by_weekday.get(d, 0) for d in range(7)],
        orders_by_month=[by_month.get(m, 0) for m in range(1, 13)],
        orders_by_season={s: by_season.get(s, 0) for s in SEASONS},
        buyers_by_typical_weekday=[typical_day.get(d, 0) for d in range(7)],
        buyers_by_typical_season={s: typical_season.get(s, 0) for s in SEASONS},
        tet_orders=tet_orders,
        tet_order_share=tet_orders / n_orders if n_orders else 0.0,
        tet_revenue_share=int(totals["tet_revenue"] or 0) / revenue if revenue else 0.0,
        tet_shoppers=int(buyers["tet"] or 0),
    )
