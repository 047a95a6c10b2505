"""Customer value: the summary of every customer, the CLV models fitted on it, and the scores.

The warehouse does everything that grows with the data: the per-customer summary, and the
distinct ``(frequency, recency, T)`` patterns with their counts that the models are fitted on.
Only those patterns (sufficient statistics) come into Python. Scoring streams the summary in
batches, scores each batch with the fitted models and writes it back to the derived table
``customer_value``, swapped in whole when complete.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..errors import InputError
from ..metrics.customer_summary import buyer_orders, customer_summary
from ..metrics.overview import completed_orders
from ..metrics.rfm import rfm_scores
from ..models.clv.beta_geo import BetaGeo
from ..models.clv.beta_geo_beta_binom import BetaGeoBetaBinom
from ..models.clv.gamma_gamma import GammaGamma
from ..models.clv.lifetime_value import customer_lifetime_value
from ..models.clv.pareto_nbd import ParetoNBD
from ..models.clv.shifted_beta_geometric import ShiftedBetaGeometric
from .choices import MODELS
from .identity import LINKS_TABLE
from .stores import Stores, warehouse_step

VALUE_TABLE = "customer_value"
ModelName = Literal["bgnbd", "paretonbd", "gammagamma", "sbg", "bgbb"]
#: The transaction models are fitted in weeks, the unit of the papers they come from; their
#: parameters are then comparable with published ones.
TIME_UNIT: Literal["days", "weeks"] = "weeks"
DAYS_PER_WEEK = 7.0
DAYS_PER_MONTH = 365.25 / 12
#: Length of one period of the contractual (sBG) view: a quarter.
SBG_PERIOD_DAYS = 91
#: History a quarter needs after its start before its count of active customers is trusted.
SBG_SETTLE_DAYS = 365
#: Customers per scored batch: bounds memory whatever the size of the customer file.
SCORE_BATCH = 200_000
#: Frequency buckets of the validation table (the last one is "this many or more").
VALIDATION_BUCKETS = 8


@dataclass(frozen=True)
class FitReport:
    """A model fitted on the customer file."""

    model: str
    params: dict[str, float]
    standard_errors: dict[str, float]
    log_likelihood: float
    customers: int
    patterns: int
    time_unit: str
    observation_end: str
    seconds: float
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ScoreReport:
    """The value of every customer, written to ``customer_value``."""

    customers: int
    transaction_model: FitReport
    spend_model: FitReport
    horizon_months: int
    annual_discount_rate: float
    predicted_value_vnd: float
    expected_purchases_90d: float
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def observation_end(stores: Stores) -> date:
    """The day of the last completed order: the end of the observed history."""
    orders = completed_orders(stores.warehouse.table("orders"))
    last = orders.ordered_at.max().to_pyarrow().as_py()
    if last is None:
        raise InputError("value.no_orders")
    return last.date()  # type: ignore[no-any-return]


def _links(stores: Stores) -> ir.Table | None:
    wh = stores.warehouse
    return wh.table(LINKS_TABLE) if wh.has_table(LINKS_TABLE) else None


def summary_table(
    stores: Stores,
    *,
    end: date | None = None,
    calibration_end: date | None = None,
    time_unit: Literal["days", "weeks"] = TIME_UNIT,
) -> ir.Table:
    """The per-person summary (see :func:`chandung.metrics.customer_summary.customer_summary`)."""
    return customer_summary(
        stores.warehouse.table("orders"),
        observation_end=end or observation_end(stores),
        calibration_end=calibration_end,
        time_unit=time_unit,
        links=_links(stores),
    )


def _column(table: pa.Table, name: str) -> npt.NDArray[np.float64]:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def _transaction_patterns(summary: ir.Table) -> pa.Table:
    return summary.group_by(["frequency", "recency", "T"]).aggregate(n=summary.count()).to_pyarrow()


def _fit_transaction(model: str, patterns: pa.Table) -> BetaGeo | ParetoNBD:
    estimator: BetaGeo | ParetoNBD = BetaGeo() if model == "bgnbd" else ParetoNBD()
    return estimator.fit(
        _column(patterns, "frequency"),
        _column(patterns, "recency"),
        _column(patterns, "T"),
        weights=_column(patterns, "n"),
    )


def _fit_spend(summary: ir.Table) -> GammaGamma:
    repeat = summary.filter(summary.frequency > 0)
    patterns = (
        repeat.group_by(["frequency", "monetary_value"]).aggregate(n=repeat.count()).to_pyarrow()
    )
    return GammaGamma().fit(
        _column(patterns, "frequency"),
        _column(patterns, "monetary_value"),
        weights=_column(patterns, "n"),
    )


def sbg_alive_counts(stores: Stores, end: date) -> tuple[list[int], date]:
    """Customers of the first acquisition quarter still buying at the start of each quarter.

    Retail buying has no contract to cancel, so the contractual view takes a customer's last
    purchase as the moment they left: the customer counts as still active at the start of
    quarter ``i`` when they bought on or after it. The cohort is every customer whose first
    purchase falls in the first quarter of the history; only quarters that start at least
    :data:`SBG_SETTLE_DAYS` before ``end`` are counted.
    """
    sales = buyer_orders(stores.warehouse.table("orders"), links=_links(stores))
    sales = sales.filter(sales.day <= end)
    people = sales.group_by("customer_id").aggregate(first=sales.day.min(), last=sales.day.max())
    start = people.first.min().to_pyarrow().as_py()
    if start is None:
        raise InputError("value.no_orders")
    cohort = people.filter(people.first < start + timedelta(days=SBG_PERIOD_DAYS))
    # A customer still active at a quarter's start may simply not have bought again yet, so
    # only quarters followed by a full year of history are counted.
    periods = max(1, ((end - start).days - SBG_SETTLE_DAYS) // SBG_PERIOD_DAYS + 1)
    since = (cohort.last.delta(ibis.date(start), unit="day") // SBG_PERIOD_DAYS).name("period")
    rows = cohort.group_by(since).aggregate(n=cohort.count()).to_pyarrow().to_pylist()
    counts = {int(r["period"]): int(r["n"]) for r in rows}
    # Quarter i counts those who bought on or after its start: alive[0] is the whole cohort.
    alive = [sum(n for p, n in counts.items() if p >= i) for i in range(periods)]
    return alive, start


def bgbb_patterns(stores: Stores, end: date) -> pa.Table:
    """``(frequency, recency, n_periods, n)``: each calendar month after a person's first is
    one opportunity to buy; ``frequency`` counts the months they bought in, ``recency`` is
    the last of them (0 when none)."""
    sales = buyer_orders(stores.warehouse.table("orders"), links=_links(stores))
    sales = sales.filter(sales.day <= end)
    month = (sales.day.year() * 12 + sales.day.month()).name("month")
    months = sales.select("customer_id", month=month).distinct()
    end_month = end.year * 12 + end.month
    per = months.group_by("customer_id").aggregate(
        first=months.month.min(), last=months.month.max(), bought=months.count()
    )
    per = per.select(
        frequency=per.bought - 1,
        recency=(per.bought > 1).ifelse(per.last - per.first, 0),
        n_periods=end_month - per.first,
    )
    per = per.filter(per.n_periods > 0)
    return per.group_by(["frequency", "recency", "n_periods"]).aggregate(n=per.count()).to_pyarrow()


def fit_model(stores: Stores, model: ModelName) -> FitReport:
    """Fit ``model`` on the customer file (sufficient statistics only)."""
    if model not in MODELS:
        raise InputError("value.model", value=model, models=", ".join(MODELS))
    started = time.perf_counter()
    end = observation_end(stores)
    data: dict[str, Any] = {}
    fitted: Any
    unit: str
    if model in ("bgnbd", "paretonbd"):
        patterns = _transaction_patterns(summary_table(stores, end=end))
        fitted = _fit_transaction(model, patterns)
        unit = TIME_UNIT
    elif model == "gammagamma":
        fitted = _fit_spend(summary_table(stores, end=end))
        unit = "VND"
    elif model == "sbg":
        alive, start = sbg_alive_counts(stores, end)
        fitted = ShiftedBetaGeometric().fit(alive)
        unit = "quarters"
        data = {
            "cohort_start": start.isoformat(),
            "alive": alive,
            "survival": [float(v) for v in fitted.survival(np.arange(len(alive)))],
            "expected_lifetime_quarters": float(fitted.expected_lifetime()),
        }
    else:
        patterns = bgbb_patterns(stores, end)
        fitted = BetaGeoBetaBinom().fit(
            _column(patterns, "frequency"),
            _column(patterns, "recency"),
            _column(patterns, "n_periods"),
            weights=_column(patterns, "n"),
        )
        unit = "months"
    return _report(model, fitted, unit, end, time.perf_counter() - started, data)


def _report(
    model: str, fitted: Any, unit: str, end: date, seconds: float, data: dict[str, Any]
) -> FitReport:
    return FitReport(
        model=model,
        params={k: float(v) for k, v in fitted.params_.items()},
        standard_errors={k: float(v) for k, v in fitted.standard_errors_.items()},
        log_likelihood=float(fitted.log_likelihood_),
        customers=int(getattr(fitted, "n_customers_", 0) or 0),
        patterns=int(getattr(fitted, "n_patterns_", 0) or 0),
        time_unit=unit,
        observation_end=end.isoformat(),
        seconds=seconds,
        data=data,
    )


@warehouse_step("value")
def score_customers(stores: Stores) -> ScoreReport:
    """Fit the transaction and spend models and write the value of every customer.

    ``customer_value`` gets one row per person: the summary, RFM scores and segment, the
    probability of being alive, expected purchases in the next 90 days, expected spend per
    purchase and the predicted lifetime value over the configured horizon.
    """
    started = time.perf_counter()
    end = observation_end(stores)
    # The summary feeds three reads (two sets of patterns and the scoring stream): computed
    # once from the orders into a temporary table instead of three times.
    work = f"_derived_summary_{uuid.uuid4().hex[:8]}"
    stores.warehouse.backend.create_table(work, summary_table(stores, end=end), temp=True)
    try:
        return _score(stores, stores.warehouse.backend.table(work), end, started)
    finally:
        stores.warehouse.backend.drop_table(work, force=True)


def _score(stores: Stores, summary: ir.Table, end: date, started: float) -> ScoreReport:
    settings = stores.workspace.settings.value
    fit_started = time.perf_counter()
    transactions = _fit_transaction(settings.transaction_model, _transaction_patterns(summary))
    transaction_report = _report(
        settings.transaction_model, transactions, TIME_UNIT, end,
        time.perf_counter() - fit_started, {},
    )  # fmt: skip
    fit_started = time.perf_counter()
    spend = _fit_spend(summary)
    spend_report = _report("gammagamma", spend, "VND", end, time.perf_counter() - fit_started, {})
    monthly_rate = (1 + settings.annual_discount_rate) ** (1 / 12) - 1
    totals = {"value": 0.0, "purchases": 0.0}

    def scored() -> Iterator[pa.Table]:
        for batch in rfm_scores(summary).to_pyarrow_batches(chunk_size=SCORE_BATCH):
            table = pa.Table.from_batches([batch])
            x, t_x, age = (_column(table, c) for c in ("frequency", "recency", "T"))
            money = _column(table, "monetary_value")
            alive = transactions.probability_alive(x, t_x, age)
            purchases_90d = transactions.expected_purchases(90 / DAYS_PER_WEEK, x, t_x, age)
            spend_each = np.asarray(spend.expected_spend(x, money), dtype=np.float64)
            value = customer_lifetime_value(
                transactions, spend, x, t_x, age, money,
                horizon=settings.horizon_months, discount_rate=monthly_rate,
                period_length=DAYS_PER_MONTH / DAYS_PER_WEEK,
            )  # fmt: skip
            totals["value"] += float(np.sum(value))
            totals["purchases"] += float(np.sum(purchases_90d))
            for name, values in (
                ("probability_alive", alive),
                ("expected_purchases_90d", purchases_90d),
                ("expected_spend_vnd", spend_each),
                ("predicted_clv_vnd", value),
            ):
                table = table.append_column(name, pa.array(values, pa.float64()))
            yield table

    customers = stores.warehouse.write_derived(VALUE_TABLE, scored())
    return ScoreReport(
        customers=customers,
        transaction_model=transaction_report,
        spend_model=spend_report,
        horizon_months=settings.horizon_months,
        annual_discount_rate=settings.annual_discount_rate,
        predicted_value_vnd=totals["value"],
        expected_purchases_90d=totals["purchases"],
        seconds=time.perf_counter() - started,
    )
