"""One row per customer: the purchase history summarised the way customer-base models need it.

The columns follow the CDNOW convention of Fader, Hardie & Lee (2005), as in ``lifetimes``'
``summary_data_from_transaction_data`` with ``freq="D"``: purchases are counted per *day* (two
orders on one day are one purchase occasion), ``frequency`` counts the repeat purchase days (the
first day is not a repeat), ``recency`` is the time from the first to the last purchase day and
``T`` the time from the first purchase day to the end of the period. ``docs/metrics.md`` defines
every column.

Everything here is an Ibis expression executed in the warehouse: only the caller decides what
(usually an aggregate of this table) comes into Python. Time differences are whole days between
day-truncated dates (``DateValue.delta``), which DuckDB, PostgreSQL and Spark all compute.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal, get_args

import ibis
import ibis.expr.types as ir

from ..errors import InputError
from .overview import completed_orders

TimeUnit = Literal["days", "weeks"]

#: Length of one time unit in days.
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0}

#: Columns of the summary, in order (``calibration_end`` adds :data:`HOLDOUT_COLUMNS`).
SUMMARY_COLUMNS = (
    "customer_id", "first_purchase", "last_purchase", "orders", "purchase_days", "frequency",
    "recency", "T", "monetary_value", "total_revenue", "average_order_value", "tenure_days",
    "days_since_last_purchase", "channels", "devices", "main_channel_group",
)  # fmt: skip

#: Columns added when the history is split into a calibration and a holdout period.
HOLDOUT_COLUMNS = ("holdout_purchases", "holdout_revenue", "holdout_duration")

#: Columns of ``orders`` the summary cannot do without (besides the customer key).
_REQUIRED = ("ordered_at", "status", "total_vnd")


def buyer_orders(
    orders: ir.Table, *, customer_key: str = "customer_id", links: ir.Table | None = None
) -> ir.Table:
    """Completed orders keyed by who bought them.

    Parameters
    ----------
    orders
        A table shaped like the canonical ``orders`` table.
    customer_key
        Column of ``orders`` naming the buyer.
    links
        Optional ``customer_links``-shaped table (``customer_id`` → ``person_id``, one row per
        ``customer_id``). When given, orders are keyed by the person; an order of a record the
        links do not know keeps the record's own id.

    Returns
    -------
    ir.Table
        Columns ``customer_id`` (the buyer: record or person), ``ordered_at``, ``day`` (the
        date of the order), ``amount`` (``total_vnd``, missing as 0), ``channel``,
        ``channel_group`` and ``device`` (empty when ``orders`` lacks them). Orders without a
        buyer are left out.
    """
    _require_columns(orders, "orders", (customer_key, *_REQUIRED))
    sales = completed_orders(orders)
    optional = {
        name: sales[name].cast("string") if name in sales.columns else ibis.null("string")
        for name in ("channel", "channel_group", "device")
    }
    key = sales[customer_key].cast("string")
    if links is not None:
        _require_columns(links, "links", ("customer_id", "person_id"))
        people = links.select(link_id=links.customer_id.cast("string"), person_id=links.person_id)
        joined = sales.left_join(people, key == people.link_id)
        sales = joined.select(
            customer_id=people.person_id.cast("string").fill_null(key),
            ordered_at=sales.ordered_at,
            amount=sales.total_vnd.fill_null(0),
            **optional,
        )
    else:
        sales = sales.select(
            customer_id=key, ordered_at=sales.ordered_at, amount=sales.total_vnd.fill_null(0),
            **optional,
        )  # fmt: skip
    sales = sales.filter(sales.customer_id.notnull())
    return sales.mutate(day=sales.ordered_at.date())


def customer_summary(
    orders: ir.Table,
    *,
    observation_end: date,
    calibration_end: date | None = None,
    time_unit: TimeUnit = "days",
    customer_key: str = "customer_id",
    links: ir.Table | None = None,
) -> ir.Table:
    """The purchase history of each customer, one row per customer (or person).

    Parameters
    ----------
    orders
        A table shaped like the canonical ``orders`` table; only completed orders count.
    observation_end
        Last moment of the history. A :class:`~datetime.date` includes that whole day; a
        :class:`~datetime.datetime` includes orders up to and including that instant.
    calibration_end
        When given, the history is split: the summary columns describe orders up to
        ``calibration_end`` only, customers are those who first bought by then, and
        ``holdout_purchases`` (distinct purchase days in ``(calibration_end,
        observation_end]``), ``holdout_revenue`` and ``holdout_duration`` (the length of the
        holdout in ``time_unit``) are added. Must not be after ``observation_end``.
    time_unit
        Unit of ``recency``, ``T`` and ``holdout_duration``: ``"days"`` or ``"weeks"``.
    customer_key
        Column of ``orders`` naming the buyer.
    links
        Optional ``customer_links``-shaped table; when given, one row per person, whose id is
        in the ``customer_id`` column.

    Returns
    -------
    ir.Table
        The columns of :data:`SUMMARY_COLUMNS` (and :data:`HOLDOUT_COLUMNS` with a
        calibration split), defined in ``docs/metrics.md``.

    Raises
    ------
    InputError
        For a time unit other than days or weeks, a bound that is not a date, a calibration
        end after the observation end, or a missing column.

    Examples
    --------
    >>> import ibis
    >>> from datetime import date, datetime
    >>> orders = ibis.memtable({
    ...     "order_id": ["1", "2", "3", "4"], "customer_id": ["a", "a", "a", "b"],
    ...     "ordered_at": [datetime(2025, 1, 1, 9), datetime(2025, 1, 1, 18),
    ...                    datetime(2025, 1, 8, 12), datetime(2025, 1, 5, 10)],
    ...     "status": ["completed"] * 4, "total_vnd": [100, 50, 300, 80]})
    >>> s = customer_summary(orders, observation_end=date(2025, 1, 15), time_unit="weeks")
    >>> s.select("customer_id", "orders", "frequency", "recency", "T", "monetary_value").order_by(
    ...     "customer_id").to_pyarrow().to_pylist()[0]
    {'customer_id': 'a', 'orders': 3, 'frequency': 1, 'recency': 1.0, 'T': 2.0, 'monetary_value': 300.0}
    """  # noqa: E501
    end = _bound(observation_end, "observation_end")
    split = _bound(calibration_end, "calibration_end") if calibration_end is not None else None
    if time_unit not in DAYS_PER_UNIT:
        raise InputError(
            "metrics.time_unit", value=time_unit, allowed=", ".join(get_args(TimeUnit))
        )
    if split is not None and split.day_after > end.day_after:
        raise InputError(
            "metrics.calibration_after_observation",
            calibration_end=split.text,
            observation_end=end.text,
        )
    unit = DAYS_PER_UNIT[time_unit]
    sales = buyer_orders(orders, customer_key=customer_key, links=links)
    period_end = split if split is not None else end
    summary = _summarise(sales.filter(period_end.includes(sales.ordered_at)), period_end, unit)
    if split is None:
        return summary

    holdout = sales.filter(~split.includes(sales.ordered_at) & end.includes(sales.ordered_at))
    later = holdout.group_by("customer_id").aggregate(
        holdout_purchases=holdout.day.nunique(), holdout_revenue=holdout.amount.sum()
    )
    joined = summary.left_join(later, summary.customer_id == later.customer_id)
    return joined.select(
        *(summary[c] for c in SUMMARY_COLUMNS),
        holdout_purchases=later.holdout_purchases.fill_null(0),
        holdout_revenue=later.holdout_revenue.fill_null(0),
        holdout_duration=ibis.literal((end.date - split.date).days / unit, "float64"),
    )


class _Bound:
    """An inclusive end of a period, from a date (the whole day) or a datetime (an instant)."""

    def __init__(self, value: date):
        self.value = value
        self.date = value.date() if isinstance(value, datetime) else value
        self.text = value.isoformat()

    @property
    def day_after(self) -> datetime:
        """A datetime to compare bounds by (the instant itself, or the end of the day)."""
        if isinstance(self.value, datetime):
            return self.value.replace(tzinfo=None)
        return datetime.combine(self.date + timedelta(days=1), time())

    def includes(self, at: ir.TimestampValue) -> ir.BooleanValue:
        """Whether the timestamp ``at`` is at or before this bound."""
        if isinstance(self.value, datetime):
            return at <= ibis.literal(self.value.replace(tzinfo=None), "timestamp")
        # Before the next midnight, so that the whole day counts whatever the time of day.
        return at < ibis.literal(self.day_after, "timestamp")


def _bound(value: object, name: str) -> _Bound:
    if not isinstance(value, date):
        raise InputError("metrics.not_a_date", field=name, value=repr(value))
    return _Bound(value)


def _summarise(sales: ir.Table, end: _Bound, unit: float) -> ir.Table:
    daily = sales.group_by("customer_id", "day").aggregate(revenue=sales.amount.sum())
    first_day = daily.day.min().over(group_by=daily.customer_id)
    # The first day's spend is left out of the monetary value: the spend model describes
    # repeat purchases only (Fader, Hardie & Lee 2005; lifetimes does the same).
    daily = daily.mutate(repeat_revenue=(daily.day == first_day).ifelse(0, daily.revenue))
    days = daily.group_by("customer_id").aggregate(
        first_day=daily.day.min(),
        last_day=daily.day.max(),
        purchase_days=daily.count(),
        repeat_revenue=daily.repeat_revenue.sum(),
    )
    per = sales.group_by("customer_id").aggregate(
        first_purchase=sales.ordered_at.min(),
        last_purchase=sales.ordered_at.max(),
        orders=sales.count(),
        total_revenue=sales.amount.sum(),
        channels=sales.channel.nunique(),
        devices=sales.device.nunique(),
    )
    main = _main_channel_group(sales)

    joined = per.join(days, per.customer_id == days.customer_id).left_join(
        main, per.customer_id == main.customer_id
    )
    end_day = ibis.literal(end.date, "date")
    frequency = days.purchase_days - 1
    age_days = end_day.delta(days.first_day, unit="day")
    return joined.select(
        customer_id=per.customer_id,
        first_purchase=per.first_purchase,
        last_purchase=per.last_purchase,
        orders=per.orders,
        purchase_days=days.purchase_days,
        frequency=frequency,
        recency=days.last_day.delta(days.first_day, unit="day").cast("float64") / unit,
        T=age_days.cast("float64") / unit,
        monetary_value=(days.repeat_revenue.cast("float64") / frequency.nullif(0)).fill_null(0.0),
        total_revenue=per.total_revenue,
        average_order_value=per.total_revenue.cast("float64") / per.orders,
        tenure_days=age_days,
        days_since_last_purchase=end_day.delta(days.last_day, unit="day"),
        channels=per.channels,
        devices=per.devices,
        main_channel_group=main.main_channel_group,
    )


def _main_channel_group(sales: ir.Table) -> ir.Table:
    """The channel group of most of each customer's orders; ties go to the first name."""
    known = sales.filter(sales.channel_group.notnull())
    counts = known.group_by("customer_id", "channel_group").aggregate(n=known.count())
    place = ibis.row_number().over(
        group_by=counts.customer_id, order_by=[ibis.desc(counts.n), counts.channel_group]
    )
    ranked = counts.mutate(place=place)
    return ranked.filter(ranked.place == 0).select(
        "customer_id", main_channel_group=ranked.channel_group
    )


def _require_columns(t: ir.Table, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in t.columns]
    if missing:
        raise InputError("metrics.missing_columns", table=name, columns=", ".join(missing))
