"""Customer value from the warehouse: fits on sufficient statistics, scores, validation."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chandung.errors import InputError
from chandung.models.clv.beta_geo import BetaGeo
from chandung.services.analysis import run_analysis
from chandung.services.charts import validation_png
from chandung.services.clv_validation import validate_clv
from chandung.services.demo import generate_demo
from chandung.services.metrics_report import metrics_report
from chandung.services.stores import Stores, open_stores
from chandung.services.value import (
    MODELS,
    VALUE_TABLE,
    bgbb_patterns,
    fit_model,
    observation_end,
    sbg_alive_counts,
    score_customers,
    summary_table,
)
from chandung.workspace import Workspace


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    workspace = Workspace.open(tmp_path_factory.mktemp("value") / "shop")
    with open_stores(workspace) as stores:
        generate_demo(stores, customers=3000, seed=11)
        run_analysis(stores)
        yield stores


def test_every_model_fits_on_the_customer_file(shop: Stores) -> None:
    expected = {
        "bgnbd": {"r", "alpha", "a", "b"},
        "paretonbd": {"r", "alpha", "s", "beta"},
        "gammagamma": {"p", "q", "v"},
        "sbg": {"alpha", "beta"},
        "bgbb": {"alpha", "beta", "gamma", "delta"},
    }
    for model in MODELS:
        report = fit_model(shop, model)  # type: ignore[arg-type]
        assert set(report.params) == expected[model]
        assert all(v > 0 for v in report.params.values())
        assert all(np.isfinite(v) and v > 0 for v in report.standard_errors.values())
        assert report.log_likelihood < 0


def test_the_fit_equals_a_fit_on_every_customer(shop: Stores) -> None:
    # The service fits on distinct patterns with counts; a fit on one row per customer agrees.
    rows = summary_table(shop).select("frequency", "recency", "T").to_pandas()
    direct = BetaGeo().fit(rows.frequency, rows.recency, rows["T"])
    report = fit_model(shop, "bgnbd")
    assert report.customers == len(rows)
    assert report.patterns < len(rows)
    for name, value in direct.params_.items():
        assert report.params[name] == pytest.approx(value, rel=1e-6)


def test_sbg_counts_a_shrinking_cohort(shop: Stores) -> None:
    alive, start = sbg_alive_counts(shop, observation_end(shop))
    assert len(alive) >= 3
    assert all(a >= b for a, b in itertools.pairwise(alive))
    first = (
        summary_table(shop, time_unit="days")
        .to_pandas()
        .assign(first=lambda d: pd.to_datetime(d.first_purchase).dt.date)
    )
    cohort = first[(first["first"] >= start) & (first["first"] < start + pd.Timedelta(days=91))]
    assert alive[0] == len(cohort)


def test_bgbb_patterns_count_months_bought(shop: Stores) -> None:
    patterns = bgbb_patterns(shop, observation_end(shop)).to_pandas()
    assert (patterns.frequency <= patterns.recency).all()
    assert (patterns.recency <= patterns.n_periods).all()
    assert ((patterns.frequency == 0) == (patterns.recency == 0)).all()


def test_every_buyer_is_scored(shop: Stores) -> None:
    scored = shop.warehouse.table(VALUE_TABLE).to_pandas()
    buyers = summary_table(shop).count().to_pyarrow().as_py()
    assert len(scored) == buyers == scored.customer_id.nunique()
    assert scored.probability_alive.between(0, 1).all()
    assert (scored.loc[scored.frequency == 0, "probability_alive"] == 1).all()
    assert (scored.predicted_clv_vnd >= 0).all() and (scored.expected_purchases_90d >= 0).all()
    assert set(scored.rfm_segment) <= {
        "champions", "loyal", "potential_loyalist", "new", "promising", "need_attention",
        "about_to_sleep", "at_risk", "cannot_lose_them", "hibernating", "lost",
    }  # fmt: skip
    # Among customers with the same history length, more repeat purchases mean more value.
    heavy = scored[scored.frequency >= 5].predicted_clv_vnd.median()
    light = scored[scored.frequency == 1].predicted_clv_vnd.median()
    assert heavy > light


def test_scoring_again_replaces_the_table(shop: Stores) -> None:
    before = shop.warehouse.table(VALUE_TABLE).count().to_pyarrow().as_py()
    report = score_customers(shop)
    assert report.customers == before
    assert shop.warehouse.table(VALUE_TABLE).count().to_pyarrow().as_py() == before


def test_validation_tracks_the_holdout(shop: Stores, tmp_path: Path) -> None:
    report = validate_clv(shop, "bgnbd", holdout_days=120)
    assert sum(b.customers for b in report.buckets) == report.customers
    assert abs(report.relative_error) < 0.2
    actual = [p.actual for p in report.tracking]
    assert actual == sorted(actual) and actual[-1] > 0
    # The curve ends with every repeat purchase of the calibration customers, holdout included.
    calibration = summary_table(shop, calibration_end=report.calibration_end).to_pandas()
    assert actual[-1] == calibration.frequency.sum() + calibration.holdout_purchases.sum()
    assert report.tracking[-1].predicted == pytest.approx(actual[-1], rel=0.2)
    png = validation_png(report, tmp_path / "v.png", "en")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_validation_refuses_models_without_holdout_predictions(shop: Stores) -> None:
    with pytest.raises(InputError, match="gammagamma"):
        validate_clv(shop, "gammagamma")  # type: ignore[arg-type]


def test_metrics_report_holds_every_family(shop: Stores) -> None:
    report = metrics_report(shop)
    assert {
        "value", "concentration", "rfm_segments", "retention", "cohorts", "repeat_buying",
        "loyalty", "interactions", "cadence", "basket", "channel_mix", "device_mix",
        "conversion",
    } <= set(report)  # fmt: skip
    assert sum(s["customers"] for s in report["rfm_segments"]) == report["value"]["customers"]
    assert 0.2 < report["concentration"]["top_share"] <= 1


def test_analysis_without_orders_records_why_value_is_missing(stores: Stores) -> None:
    report = run_analysis(stores)
    assert report.value is None
    assert report.value_error is not None and report.value_error["error"] == "value.no_orders"


def test_unknown_model_is_refused(shop: Stores) -> None:
    with pytest.raises(InputError, match="nbd"):
        fit_model(shop, "arima")  # type: ignore[arg-type]
