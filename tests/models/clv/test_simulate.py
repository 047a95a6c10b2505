"""The BG/NBD and Pareto/NBD simulators: shapes, invariants, reproducibility, the model's story."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from chandung.models.clv.simulate import simulate_beta_geo, simulate_pareto_nbd

BETA_GEO = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
PARETO_NBD = {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.7}
SIMULATORS = [(simulate_beta_geo, BETA_GEO), (simulate_pareto_nbd, PARETO_NBD)]
Simulator = Callable[..., dict[str, np.ndarray]]


@pytest.mark.parametrize(("simulate", "params"), SIMULATORS)
def test_summaries_are_consistent(simulate: Simulator, params: dict[str, float]) -> None:
    ages = np.random.default_rng(0).uniform(20, 52, 20_000)
    data = simulate(20_000, params, ages, seed=1, holdout=10.0)
    assert sorted(data) == ["T", "frequency", "holdout_purchases", "recency"]
    x, t_x, age = data["frequency"], data["recency"], data["T"]
    assert all(len(v) == 20_000 for v in data.values())
    np.testing.assert_array_equal(age, ages)
    assert np.all(x == np.round(x)) and np.all(x >= 0)
    assert np.all((t_x == 0) == (x == 0))
    assert np.all((t_x >= 0) & (t_x <= age))
    assert np.all(data["holdout_purchases"] >= 0)
    # Some of everything: one-time buyers, repeat buyers, holdout buyers.
    assert 0.3 < np.mean(x == 0) < 0.9
    assert np.any(data["holdout_purchases"] > 0)


@pytest.mark.parametrize(("simulate", "params"), SIMULATORS)
def test_a_seed_reproduces_the_customers(simulate: Simulator, params: dict[str, float]) -> None:
    first = simulate(1000, params, 39.0, seed=7)
    again = simulate(1000, params, 39.0, seed=np.random.default_rng(7))
    other = simulate(1000, params, 39.0, seed=8)
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
    assert not np.array_equal(first["recency"], other["recency"])
    assert "holdout_purchases" not in first
    assert np.all(first["T"] == 39.0)


def test_beta_geo_customers_without_repeat_purchase_never_drop_out() -> None:
    # Dropout happens right after a repeat purchase, so with a dropout probability near 1
    # almost every customer makes exactly one repeat purchase over a long time.
    data = simulate_beta_geo(5000, {"r": 5.0, "alpha": 1.0, "a": 1000.0, "b": 0.001}, 100.0, seed=3)
    assert np.mean(data["frequency"] == 1) > 0.99


def test_pareto_nbd_customers_who_never_leave_buy_at_their_rate() -> None:
    # Dropout rates near 0 (tiny s / β): frequency is Poisson with the gamma-mixed rate,
    # whose mean is r / α · T.
    params = {"r": 2.0, "alpha": 4.0, "s": 1e-3, "beta": 1e6}
    data = simulate_pareto_nbd(100_000, params, 20.0, seed=4)
    assert data["frequency"].mean() == pytest.approx(2.0 / 4.0 * 20.0, rel=0.02)


def test_fifty_thousand_customers_are_quick() -> None:
    # Vectorised: a 50,000-customer draw is a handful of array operations (no timing assert,
    # only that it finishes and has the right size).
    data = simulate_pareto_nbd(50_000, PARETO_NBD, 52.0, seed=5, holdout=52.0)
    assert len(data["frequency"]) == 50_000


@pytest.mark.parametrize(
    ("params", "ages"),
    [
        ({"r": 0.25, "alpha": 4.0, "a": 0.8}, 39.0),
        ({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": -1.0}, 39.0),
        ({"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5, "s": 1.0}, 39.0),
        (BETA_GEO, [39.0, 40.0]),
        (BETA_GEO, -1.0),
    ],
)
def test_bad_settings_are_refused(params: dict[str, float], ages: Any) -> None:
    with pytest.raises(ValueError):
        simulate_beta_geo(3, params, ages, seed=0)
