"""Shifted-beta-geometric retention model: Fader & Hardie (2007) cohorts, DERL and simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chandung.errors import InputError
from chandung.models.clv._base import ModelNotFittedError
from chandung.models.clv.shifted_beta_geometric import (
    ShiftedBetaGeometric,
    shifted_beta_geometric_log_likelihood,
)
from chandung.models.clv.simulate_more import simulate_shifted_beta_geometric

# Fader & Hardie (2007), "How to Project Customer Retention": active at the start of years 0..12.
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]
COHORTS = {
    "regular": (REGULAR, {"alpha": 0.704, "beta": 1.182}, -1680.27),
    "high end": (HIGH_END, {"alpha": 0.668, "beta": 3.806}, -1611.16),
}


def _fitted(params: dict[str, float]) -> ShiftedBetaGeometric:
    model = ShiftedBetaGeometric()
    model.params_ = params
    return model


@pytest.mark.parametrize("cohort", COHORTS)
def test_reproduces_the_published_estimates(cohort: str) -> None:
    alive, published, log_likelihood = COHORTS[cohort]
    model = ShiftedBetaGeometric().fit(alive[:8])
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=0.005), name
    assert model.log_likelihood_ == pytest.approx(log_likelihood, abs=0.1)
    assert model.n_customers_ == 1000
    assert all(0 < se < 1 for se in model.standard_errors_.values())


@pytest.mark.parametrize("cohort", COHORTS)
def test_projects_years_8_to_12(cohort: str) -> None:
    alive = COHORTS[cohort][0]
    model = ShiftedBetaGeometric().fit(alive[:8])
    projected = 1000 * model.survival(np.arange(8, 13))
    actual = np.array(alive[8:], dtype=float)
    # The sBG slightly under-projects both cohorts, as in the paper; within 5%.
    assert np.all(np.abs(projected - actual) / actual < 0.05), projected.round()
    # and it follows the calibration years within 3%.
    fitted = 1000 * model.survival(np.arange(8))
    assert np.all(np.abs(fitted - alive[:8]) / np.array(alive[:8]) < 0.03)


def test_analytic_gradient_matches_central_differences() -> None:
    alive = np.array(HIGH_END, dtype=float)
    params = np.array([1.3, 2.2])
    _, gradient = shifted_beta_geometric_log_likelihood(params, alive)
    for i in range(2):
        step = 1e-6 * params[i]
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        numeric = (
            shifted_beta_geometric_log_likelihood(up, alive)[0]
            - shifted_beta_geometric_log_likelihood(down, alive)[0]
        ) / (2 * step)
        assert gradient[i] == pytest.approx(numeric, rel=1e-5)


def test_survival_retention_and_churn_agree() -> None:
    model = _fitted({"alpha": 0.668, "beta": 3.806})
    t = np.arange(0, 30)
    survival = model.survival(t)
    assert survival[0] == 1.0
    assert np.all(np.diff(survival) < 0)
    retention = model.retention_rate(t[1:])
    # Retention rises with tenure: the likeliest to cancel leave first.
    assert np.all(np.diff(retention) > 0)
    assert retention == pytest.approx(survival[1:] / survival[:-1], rel=1e-12)
    churn = model.churn_probability(t[1:])
    assert churn == pytest.approx(survival[:-1] - survival[1:], rel=1e-10)
    assert churn.sum() + survival[-1] == pytest.approx(1.0)


def test_expected_lifetime() -> None:
    model = _fitted({"alpha": 3.0, "beta": 2.0})
    # E(T) = Σ_{t >= 0} S(t) = (α + β − 1) / (α − 1).
    assert model.expected_lifetime() == pytest.approx(2.0)
    assert model.survival(np.arange(0, 20_000)).sum() == pytest.approx(2.0, rel=1e-6)
    assert _fitted({"alpha": 0.7, "beta": 1.2}).expected_lifetime() == math.inf
    assert _fitted({"alpha": 1.0, "beta": 1.2}).expected_lifetime() == math.inf


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_derl_is_the_discounted_sum_of_survival(n: int) -> None:
    model = _fitted({"alpha": 0.668, "beta": 3.806})
    d = 0.1
    t = np.arange(n, n + 3_000)
    survival = model.survival(t) / model.survival([n - 1])[0]
    direct = np.sum(survival / (1 + d) ** (t - n))
    assert model.derl(d, n) == pytest.approx(direct, rel=1e-9)


def test_derl_and_del() -> None:
    model = _fitted({"alpha": 0.668, "beta": 3.806})
    d = 0.1
    # DEL counts the first (undiscounted) period, then the residual lifetime one period later.
    assert model.discounted_expected_lifetime(d) == pytest.approx(1 + model.derl(d) / (1 + d))
    # DERL grows with tenure: survivors are the better risks.
    values = [model.derl(d, n) for n in range(1, 12)]
    assert np.all(np.diff(values) > 0)
    # The same high-end DERL (d = 10%, 7 renewals made) as the independent implementation
    # jdmaturen/shifted_beta_geometric_py: 7.530.
    assert model.derl(d, 8) == pytest.approx(7.530, abs=5e-3)
    # Undiscounted lifetimes are infinite when α <= 1.
    assert model.derl(0.0) == math.inf
    assert model.discounted_expected_lifetime(0.0) == math.inf
    finite = _fitted({"alpha": 3.0, "beta": 2.0})
    assert finite.discounted_expected_lifetime(0.0) == pytest.approx(finite.expected_lifetime())


def test_simulated_parameters_are_recovered() -> None:
    truth = {"alpha": 0.704, "beta": 1.182}
    alive = simulate_shifted_beta_geometric(50_000, truth, n_periods=12, seed=11)
    model = ShiftedBetaGeometric().fit(alive)
    for name, value in truth.items():
        error = abs(model.params_[name] - value)
        assert error < 3 * model.standard_errors_[name], (name, model.params_[name])


@pytest.mark.parametrize(
    ("alive", "code"),
    [
        ([1000, 800, 850, 700], "model.alive_not_decreasing"),
        ([1000, 800.5, 700], "model.not_whole"),
        ([1000, 800], "model.below_minimum"),
        ([0, 0, 0], "model.too_few"),
        ([1000, -1, -2], "model.negative"),
        ([1000, np.inf, 2], "model.not_finite"),
    ],
)
def test_bad_inputs_are_refused(alive: list[float], code: str) -> None:
    with pytest.raises(InputError) as caught:
        ShiftedBetaGeometric().fit(alive)
    assert caught.value.code == code


def test_growing_period_is_named() -> None:
    with pytest.raises(InputError) as caught:
        ShiftedBetaGeometric().fit([1000, 800, 850, 700])
    assert caught.value.params["period"] == 2


def test_prediction_inputs_are_checked() -> None:
    model = _fitted({"alpha": 0.7, "beta": 1.2})
    for call, code in [
        (lambda: model.retention_rate([0, 1]), "model.below_minimum"),
        (lambda: model.churn_probability([0]), "model.below_minimum"),
        (lambda: model.survival([1.5]), "model.not_whole"),
        (lambda: model.survival([-1]), "model.negative"),
        (lambda: model.derl(-0.1), "model.negative"),
        (lambda: model.derl(0.1, 0), "model.below_minimum"),
        (lambda: model.discounted_expected_lifetime(math.nan), "model.not_finite"),
    ]:
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.code == code


def test_predicting_before_fitting_is_refused() -> None:
    model = ShiftedBetaGeometric()
    for call in (
        lambda: model.survival([1]),
        lambda: model.retention_rate([1]),
        lambda: model.churn_probability([1]),
        model.expected_lifetime,
        lambda: model.derl(0.1),
    ):
        with pytest.raises(ModelNotFittedError):
            call()
