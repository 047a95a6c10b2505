"""Checking a CLV model against what customers did next: calibration, holdout, tracking.

The history is split at ``calibration_end``: the model is fitted on what happened before and
predicts the repeat purchases of the holdout period after it. The report compares predicted
and actual purchases by the number of repeat purchases in calibration (the test used by Fader,
Hardie & Lee 2005), the total over all customers, and the weekly tracking curve of cumulative
repeat purchases across both periods. All counting runs in the warehouse; Python receives the
distinct patterns and weekly counts.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any, Literal

import ibis
import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..metrics.customer_summary import buyer_orders
from .stores import Stores
from .value import (
    DAYS_PER_WEEK,
    VALIDATION_BUCKETS,
    _column,
    _fit_transaction,
    _links,
    observation_end,
    summary_table,
)


@dataclass(frozen=True)
class FrequencyBucket:
    """Customers with ``frequency`` repeat purchases in calibration (the last bucket: or more)."""

    frequency: int
    customers: int
    actual_mean: float
    predicted_mean: float


@dataclass(frozen=True)
class TrackingPoint:
    """Cumulative repeat purchases of the calibration customers at the end of a week."""

    week_ending: date
    actual: int
    predicted: float


@dataclass(frozen=True)
class ValidationReport:
    model: str
    params: dict[str, float]
    calibration_end: date
    observation_end: date
    holdout_weeks: float
    customers: int
    actual_holdout_purchases: int
    predicted_holdout_purchases: float
    relative_error: float
    bucket_mean_absolute_error: float
    buckets: list[FrequencyBucket]
    tracking: list[TrackingPoint]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["calibration_end"] = self.calibration_end.isoformat()
        out["observation_end"] = self.observation_end.isoformat()
        for point in out["tracking"]:
            point["week_ending"] = point["week_ending"].isoformat()
        return out


def validate_clv(
    stores: Stores,
    model: Literal["bgnbd", "paretonbd"] = "bgnbd",
    *,
    holdout_days: int | None = None,
) -> ValidationReport:
    """Fit ``model`` on the history before the holdout and compare its predictions."""
    if model not in ("bgnbd", "paretonbd"):
        raise InputError("value.validate_model", value=model)
    started = time.perf_counter()
    holdout_days = holdout_days or stores.workspace.settings.value.holdout_days
    end = observation_end(stores)
    calibration_end = end - timedelta(days=holdout_days)
    summary = summary_table(stores, end=end, calibration_end=calibration_end)
    patterns = (
        summary.group_by(["frequency", "recency", "T", "holdout_duration"])
        .aggregate(n=summary.count(), actual=summary.holdout_purchases.sum())
        .to_pyarrow()
    )
    if patterns.num_rows == 0:
        raise InputError("value.no_calibration", days=holdout_days)
    fitted = _fit_transaction(model, patterns)
    x, t_x, age = (_column(patterns, c) for c in ("frequency", "recency", "T"))
    n, actual = _column(patterns, "n"), _column(patterns, "actual")
    duration = _column(patterns, "holdout_duration")
    predicted = np.asarray(fitted.expected_purchases(duration, x, t_x, age), dtype=np.float64)
    buckets = _buckets(x, n, actual, predicted * n)
    total_actual = float(actual.sum())
    total_predicted = float((predicted * n).sum())
    customers = int(n.sum())
    bucket_error = sum(b.customers * abs(b.actual_mean - b.predicted_mean) for b in buckets) / max(
        customers, 1
    )
    return ValidationReport(
        model=model,
        params={k: float(v) for k, v in fitted.params_.items()},
        calibration_end=calibration_end,
        observation_end=end,
        holdout_weeks=holdout_days / DAYS_PER_WEEK,
        customers=customers,
        actual_holdout_purchases=int(total_actual),
        predicted_holdout_purchases=total_predicted,
        relative_error=(total_predicted - total_actual) / total_actual if total_actual else 0.0,
        bucket_mean_absolute_error=bucket_error,
        buckets=buckets,
        tracking=_tracking(stores, fitted, calibration_end, end),
        seconds=time.perf_counter() - started,
    )


def _buckets(
    frequency: np.ndarray[Any, Any],
    n: np.ndarray[Any, Any],
    actual: np.ndarray[Any, Any],
    predicted: np.ndarray[Any, Any],
) -> list[FrequencyBucket]:
    last = VALIDATION_BUCKETS - 1
    bucket = np.minimum(frequency, last).astype(int)
    out = []
    for b in range(VALIDATION_BUCKETS):
        inside = bucket == b
        customers = float(n[inside].sum())
        if not customers:
            continue
        out.append(
            FrequencyBucket(
                frequency=b,
                customers=int(customers),
                actual_mean=float(actual[inside].sum() / customers),
                predicted_mean=float(predicted[inside].sum() / customers),
            )
        )
    return out


def _tracking(stores: Stores, fitted: Any, calibration_end: date, end: date) -> list[TrackingPoint]:
    """Weekly cumulative repeat purchases, actual and expected, of the calibration customers."""
    sales = buyer_orders(stores.warehouse.table("orders"), links=_links(stores))
    days = sales.filter(sales.day <= end).select("customer_id", "day").distinct()
    first = days.group_by("customer_id").aggregate(first=days.day.min())
    cohort = first.filter(first.first <= calibration_end)
    start = cohort.first.min().to_pyarrow().as_py()
    if start is None:
        return []
    repeat = days.inner_join(cohort, "customer_id")
    repeat = repeat.filter(repeat.day > repeat.first)
    week = (repeat.day.delta(ibis.date(start), unit="day") // 7).name("week")
    weekly = repeat.group_by(week).aggregate(n=repeat.count()).to_pyarrow().to_pylist()
    by_week = {int(r["week"]): int(r["n"]) for r in weekly}
    starts: pa.Table = cohort.group_by("first").aggregate(n=cohort.count()).to_pyarrow()
    first_day = np.array(
        [(d - start).days for d in starts.column("first").to_pylist()], dtype=np.float64
    )
    counts = _column(starts, "n")
    weeks = (end - start).days // 7 + 1
    points = []
    cumulative = 0
    for k in range(weeks):
        cumulative += by_week.get(k, 0)
        at = (k + 1) * 7.0  # end of week k, in days since the first purchase of the cohort
        elapsed = np.clip(at - first_day, 0.0, None) / DAYS_PER_WEEK
        expected = float(np.sum(counts * fitted.expected_purchases_new(elapsed)))
        points.append(TrackingPoint(start + timedelta(days=(k + 1) * 7 - 1), cumulative, expected))
    return points


__all__ = ["FrequencyBucket", "TrackingPoint", "ValidationReport", "validate_clv"]
