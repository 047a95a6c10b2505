"""BG/BB model: the donations reference fit, gradient, predictions against simulation, inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chandung.errors import InputError
from chandung.models.clv import beta_geo_beta_binom as bgbb
from chandung.models.clv._base import ModelNotFittedError
from chandung.models.clv.beta_geo_beta_binom import (
    BetaGeoBetaBinom,
    beta_geo_beta_binom_log_likelihood,
)
from chandung.models.clv.simulate_more import simulate_beta_geo_beta_binom

CDNOW = Path(__file__).parents[2] / "data" / "cdnow"
# Fader, Hardie & Shang (2010), the 1995 cohort of donors over 6 opportunities.
PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


@pytest.fixture(scope="module")
def donations() -> dict[str, np.ndarray]:
    table = np.loadtxt(CDNOW / "donations.csv", delimiter=",", skiprows=1)
    return {
        "frequency": table[:, 0],
        "recency": table[:, 1],
        "n_periods": table[:, 2],
        "weights": table[:, 3],
    }


@pytest.fixture(scope="module")
def donations_model(donations: dict[str, np.ndarray]) -> BetaGeoBetaBinom:
    return BetaGeoBetaBinom().fit(**donations)


def _with(params: dict[str, float]) -> BetaGeoBetaBinom:
    model = BetaGeoBetaBinom()
    model.params_ = params
    return model


def test_reproduces_the_published_donations_fit(donations_model: BetaGeoBetaBinom) -> None:
    for name, value in PUBLISHED.items():
        assert donations_model.params_[name] == pytest.approx(value, rel=0.005), name
    assert donations_model.log_likelihood_ == pytest.approx(-33_225.6, abs=0.1)
    assert donations_model.n_customers_ == 11_104
    assert all(0 < se < 1 for se in donations_model.standard_errors_.values())


def test_rows_and_pattern_counts_give_the_same_fit(
    donations: dict[str, np.ndarray], donations_model: BetaGeoBetaBinom
) -> None:
    counts = donations["weights"].astype(int)
    rows = BetaGeoBetaBinom().fit(
        np.repeat(donations["frequency"], counts),
        np.repeat(donations["recency"], counts),
        np.repeat(donations["n_periods"], counts),
    )
    assert rows.params_ == pytest.approx(donations_model.params_, rel=1e-6)
    assert rows.log_likelihood_ == pytest.approx(donations_model.log_likelihood_, rel=1e-10)


def _mixed_histories() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # Customers observed over different numbers of opportunities, so the grid of "became
    # inactive after t_x + i" terms is ragged.
    frequency = np.array([0, 1, 1, 2, 3, 0, 4, 2, 7, 1, 0, 5], dtype=float)
    recency = np.array([0, 1, 3, 5, 6, 0, 4, 9, 10, 1, 0, 12], dtype=float)
    n_periods = np.array([6, 6, 6, 6, 6, 3, 8, 10, 12, 2, 12, 12], dtype=float)
    weights = np.array([30, 12, 8, 6, 5, 20, 4, 3, 2, 9, 15, 1], dtype=float)
    return frequency, recency, n_periods, weights


def test_analytic_gradient_matches_central_differences() -> None:
    frequency, recency, n_periods, weights = _mixed_histories()
    params = np.array([0.9, 1.7, 0.45, 3.1])

    def log_likelihood(p: np.ndarray) -> float:
        return beta_geo_beta_binom_log_likelihood(p, frequency, recency, n_periods, weights)[0]

    _, gradient = beta_geo_beta_binom_log_likelihood(params, frequency, recency, n_periods, weights)
    for i in range(4):
        step = 1e-6 * params[i]
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        numeric = (log_likelihood(up) - log_likelihood(down)) / (2 * step)
        assert gradient[i] == pytest.approx(numeric, rel=1e-5)


def test_likelihood_is_a_distribution_over_histories() -> None:
    # Over n opportunities, the probabilities of all histories sum to one; a pattern (x, t_x)
    # with x >= 1 stands for C(t_x − 1, x − 1) purchase sequences.
    from math import comb

    n = 7
    patterns = [(0, 0)] + [(x, t) for t in range(1, n + 1) for x in range(1, t + 1)]
    x = np.array([p[0] for p in patterns], dtype=float)
    t_x = np.array([p[1] for p in patterns], dtype=float)
    sequences = np.array([comb(t - 1, k - 1) if k else 1 for k, t in patterns], dtype=float)
    total = 0.0
    for k in range(len(patterns)):
        single = beta_geo_beta_binom_log_likelihood(
            np.array(list(PUBLISHED.values())),
            x[k : k + 1],
            t_x[k : k + 1],
            np.array([n]),
            np.ones(1),
        )[0]
        total += sequences[k] * np.exp(single)
    assert total == pytest.approx(1.0, rel=1e-12)


def test_chunked_evaluation_gives_the_same_likelihood(monkeypatch: pytest.MonkeyPatch) -> None:
    frequency, recency, n_periods, weights = _mixed_histories()
    params = np.array([0.9, 1.7, 0.45, 3.1])
    whole = beta_geo_beta_binom_log_likelihood(params, frequency, recency, n_periods, weights)
    monkeypatch.setattr(bgbb, "_GRID_CELLS", 20)
    chunked = beta_geo_beta_binom_log_likelihood(params, frequency, recency, n_periods, weights)
    assert chunked[0] == pytest.approx(whole[0], rel=1e-13)
    assert chunked[1] == pytest.approx(whole[1], rel=1e-12)


def test_expected_purchases_new_matches_monte_carlo() -> None:
    model = _with(PUBLISHED)
    for t in (3, 10):
        simulated = simulate_beta_geo_beta_binom(50_000, PUBLISHED, t, seed=100 + t)
        expected = model.expected_purchases_new(t)[0]
        assert expected == pytest.approx(simulated.frequency.mean(), rel=0.02)


def test_conditional_expectations_match_simulated_holdout() -> None:
    model = _with(PUBLISHED)
    data = simulate_beta_geo_beta_binom(50_000, PUBLISHED, 6, seed=5, holdout_periods=5)
    expected = model.expected_purchases(5, data.frequency, data.recency, data.n_periods)
    assert expected.sum() == pytest.approx(data.holdout_purchases.sum(), rel=0.02)
    # and they rank customers: the group expected to buy most does buy most.
    top = expected >= np.quantile(expected, 0.9)
    assert data.holdout_purchases[top].mean() > 3 * data.holdout_purchases[~top].mean()


def test_expected_purchases_grows_with_the_horizon(donations_model: BetaGeoBetaBinom) -> None:
    history = ([2] * 11, [4] * 11, [6] * 11)
    values = donations_model.expected_purchases(np.arange(11), *history)
    assert values[0] == 0.0
    assert np.all(np.diff(values) > 0)
    # Customers keep leaving, so each further opportunity adds less than the one before.
    assert np.all(np.diff(values, n=2) < 0)
    new = donations_model.expected_purchases_new([0, 1, 5])
    assert new[0] == 0.0 and new[1] < new[2]


def test_gamma_near_one_uses_the_limit() -> None:
    near = _with({"alpha": 1.2, "beta": 0.8, "gamma": 1.0 + 1e-9, "delta": 2.5})
    off = _with({"alpha": 1.2, "beta": 0.8, "gamma": 1.0 + 1e-5, "delta": 2.5})
    assert near.expected_purchases_new(6)[0] == pytest.approx(
        off.expected_purchases_new(6)[0], rel=1e-4
    )
    history = ([3], [5], [6])
    assert near.expected_purchases(4, *history)[0] == pytest.approx(
        off.expected_purchases(4, *history)[0], rel=1e-4
    )


def test_probability_alive(donations_model: BetaGeoBetaBinom) -> None:
    gamma, delta = donations_model.params_["gamma"], donations_model.params_["delta"]
    n = 6
    # A customer who bought at every opportunity cannot have left yet: P(alive at n) = 1, and
    # P(alive at n + 1) = E[1 − θ | survived n] = (δ + n) / (γ + δ + n).
    assert donations_model.probability_alive([n], [n], [n], ahead=0)[0] == pytest.approx(1.0)
    assert donations_model.probability_alive([n], [n], [n])[0] == pytest.approx(
        (delta + n) / (gamma + delta + n)
    )
    # An early last purchase makes it likelier the customer has gone.
    alive = donations_model.probability_alive([1, 1, 1, 1], [1, 3, 5, 6], [n] * 4)
    assert np.all(np.diff(alive) > 0)
    assert np.all((alive > 0) & (alive < 1))


def test_simulated_parameters_are_recovered() -> None:
    data = simulate_beta_geo_beta_binom(50_000, PUBLISHED, 6, seed=2)
    model = BetaGeoBetaBinom().fit(data.frequency, data.recency, data.n_periods)
    for name, value in PUBLISHED.items():
        error = abs(model.params_[name] - value)
        assert error < 3 * model.standard_errors_[name], (name, model.params_[name])


@pytest.mark.parametrize(
    ("frequency", "recency", "n_periods", "code"),
    [
        ([1, 3, 0], [2, 2, 0], [6, 6, 6], "model.frequency_above_recency"),
        ([1, 2, 0], [2, 7, 0], [6, 6, 6], "model.frequency_above_periods"),
        ([1, 0, 0], [2, 3, 0], [6, 6, 6], "model.recency_without_frequency"),
        ([1, 2, 0], [2, 3.5, 0], [6, 6, 6], "model.not_whole"),
        ([1, 2, -1], [2, 3, 0], [6, 6, 6], "model.negative"),
        ([1, 2], [2, 3, 0], [6, 6, 6], "model.lengths_differ"),
        ([1, 2, 0], [2, 3, 0], [6, 6, np.nan], "model.not_finite"),
        ([1, 2, 0], [2, 3, 0], [6, 6, 6], "model.too_few"),
    ],
)
def test_bad_inputs_are_refused(
    frequency: list[float], recency: list[float], n_periods: list[float], code: str
) -> None:
    with pytest.raises(InputError) as caught:
        BetaGeoBetaBinom().fit(frequency, recency, n_periods)
    assert caught.value.code == code


def test_prediction_inputs_are_checked(donations_model: BetaGeoBetaBinom) -> None:
    with pytest.raises(InputError) as caught:
        donations_model.expected_purchases(5, [2], [1], [6])
    assert caught.value.code == "model.frequency_above_recency"
    with pytest.raises(InputError) as caught:
        donations_model.probability_alive([2], [7], [6])
    assert caught.value.code == "model.frequency_above_periods"
    with pytest.raises(InputError) as caught:
        donations_model.expected_purchases(-1, [2], [3], [6])
    assert caught.value.code == "model.negative"


def test_predicting_before_fitting_is_refused() -> None:
    model = BetaGeoBetaBinom()
    with pytest.raises(ModelNotFittedError):
        model.expected_purchases(5, [1], [2], [6])
    with pytest.raises(ModelNotFittedError):
        model.expected_purchases_new(5)
    with pytest.raises(ModelNotFittedError):
        model.probability_alive([1], [2], [6])
