"""Simulators of the Gamma-Gamma, sBG and BG/BB models: shapes, reproducibility and moments."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaln

from chandung.errors import InputError
from chandung.models.clv.simulate_more import (
    simulate_beta_geo_beta_binom,
    simulate_gamma_gamma,
    simulate_shifted_beta_geometric,
)

SPEND = {"p": 6.25, "q": 3.74, "v": 15.44}
RETENTION = {"alpha": 0.704, "beta": 1.182}
DISCRETE = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


def test_gamma_gamma_draws() -> None:
    first = simulate_gamma_gamma(40_000, SPEND, seed=1)
    again = simulate_gamma_gamma(40_000, SPEND, seed=1)
    assert np.array_equal(first.monetary_value, again.monetary_value)
    assert np.all(first.frequency >= 1) and np.all(first.monetary_value > 0)
    # E[m] = E[p / ν] = p v / (q − 1) whatever the frequency.
    population = SPEND["p"] * SPEND["v"] / (SPEND["q"] - 1)
    assert first.monetary_value.mean() == pytest.approx(population, rel=0.02)


def test_gamma_gamma_frequency_options() -> None:
    fixed = simulate_gamma_gamma(5, SPEND, frequency=3, seed=2)
    assert fixed.frequency.tolist() == [3.0] * 5
    given = simulate_gamma_gamma(3, SPEND, frequency=[1, 2, 7], seed=2)
    assert given.frequency.tolist() == [1.0, 2.0, 7.0]
    drawn = simulate_gamma_gamma(
        1_000, SPEND, frequency=lambda rng, n: 1 + rng.geometric(0.5, n), seed=2
    )
    assert drawn.frequency.min() >= 2


def test_gamma_gamma_mean_spend_varies_less_with_more_purchases() -> None:
    one = simulate_gamma_gamma(20_000, SPEND, frequency=1, seed=3).monetary_value
    many = simulate_gamma_gamma(20_000, SPEND, frequency=20, seed=3).monetary_value
    assert many.std() < one.std()


def test_shifted_beta_geometric_draws() -> None:
    alive = simulate_shifted_beta_geometric(200_000, RETENTION, n_periods=10, seed=4)
    assert len(alive) == 11 and alive[0] == 200_000
    assert np.all(np.diff(alive) <= 0)
    assert np.array_equal(
        alive, simulate_shifted_beta_geometric(200_000, RETENTION, n_periods=10, seed=4)
    )
    t = np.arange(11)
    survival = np.exp(
        betaln(RETENTION["alpha"], RETENTION["beta"] + t)
        - betaln(RETENTION["alpha"], RETENTION["beta"])
    )
    assert alive / 200_000 == pytest.approx(survival, abs=0.005)


def test_beta_geo_beta_binom_draws() -> None:
    data = simulate_beta_geo_beta_binom(30_000, DISCRETE, 6, seed=5, holdout_periods=4)
    x, t_x, n = data.frequency, data.recency, data.n_periods
    assert np.all(n == 6)
    assert np.all((x <= t_x) & (t_x <= n))
    assert np.array_equal(x == 0, t_x == 0)
    assert np.all((data.holdout_purchases >= 0) & (data.holdout_purchases <= 4))
    again = simulate_beta_geo_beta_binom(30_000, DISCRETE, 6, seed=5, holdout_periods=4)
    assert np.array_equal(again.recency, t_x)
    without_holdout = simulate_beta_geo_beta_binom(100, DISCRETE, 6, seed=5)
    assert np.all(without_holdout.holdout_purchases == 0)


def test_beta_geo_beta_binom_share_of_zero_repeaters() -> None:
    # P(X(n) = 0) = B(α, β + n)/B(α, β) · B(γ, δ + n)/B(γ, δ)
    #              + Σ_{i=0}^{n−1} B(α, β + i)/B(α, β) · B(γ + 1, δ + i)/B(γ, δ)
    a, b, g, d = DISCRETE.values()
    n = 6
    i = np.arange(n)
    none = np.exp(betaln(a, b + n) - betaln(a, b) + betaln(g, d + n) - betaln(g, d)) + np.sum(
        np.exp(betaln(a, b + i) - betaln(a, b) + betaln(g + 1, d + i) - betaln(g, d))
    )
    data = simulate_beta_geo_beta_binom(100_000, DISCRETE, n, seed=6)
    assert np.mean(data.frequency == 0) == pytest.approx(none, abs=0.005)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: simulate_gamma_gamma(0, SPEND), "model.below_minimum"),
        (lambda: simulate_gamma_gamma(3, SPEND, frequency=[1, 0, 2]), "model.below_minimum"),
        (lambda: simulate_gamma_gamma(2, SPEND, frequency=[1, 1.5]), "model.not_whole"),
        (lambda: simulate_shifted_beta_geometric(100, RETENTION, 0), "model.below_minimum"),
        (lambda: simulate_beta_geo_beta_binom(10, DISCRETE, 2.5), "model.not_whole"),  # type: ignore[arg-type]
        (
            lambda: simulate_beta_geo_beta_binom(10, DISCRETE, 6, holdout_periods=-1),
            "model.below_minimum",
        ),
    ],
)
def test_bad_settings_are_refused(call: object, code: str) -> None:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == code
