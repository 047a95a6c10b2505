"""Gamma-Gamma spend model: CDNOW reference estimates, gradient, simulation and input checks."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from chandung.errors import InputError
from chandung.models.clv import _base
from chandung.models.clv._base import ModelNotFittedError, maximise_likelihood, standard_errors
from chandung.models.clv.gamma_gamma import (
    GammaGamma,
    _SpendLikelihood,
    gamma_gamma_log_likelihood,
)
from chandung.models.clv.simulate_more import simulate_gamma_gamma

CDNOW = Path(__file__).parents[2] / "data" / "cdnow"
CALIBRATION_END = "19970930"


@pytest.fixture(scope="module")
def cdnow_spend() -> tuple[np.ndarray, np.ndarray]:
    """Repeat buyers of the CDNOW sample in the 39-week calibration period."""
    per_day: dict[tuple[str, str], float] = defaultdict(float)
    for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines():
        customer, _, date, _, amount = line.split()
        if date <= CALIBRATION_END:
            # Several orders on one day are one purchase occasion.
            per_day[customer, date] += float(amount)
    purchases: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (customer, date), amount in per_day.items():
        purchases[customer].append((date, amount))
    frequency, monetary = [], []
    for history in purchases.values():
        repeat = [amount for _, amount in sorted(history)[1:]]
        if repeat:
            frequency.append(len(repeat))
            monetary.append(sum(repeat) / len(repeat))
    return np.array(frequency, dtype=float), np.array(monetary)


@pytest.fixture(scope="module")
def cdnow_model(cdnow_spend: tuple[np.ndarray, np.ndarray]) -> GammaGamma:
    return GammaGamma().fit(*cdnow_spend)


def test_cdnow_has_946_repeat_buyers(cdnow_spend: tuple[np.ndarray, np.ndarray]) -> None:
    frequency, monetary = cdnow_spend
    assert len(frequency) == 946
    assert np.all(frequency >= 1) and np.all(monetary > 0)


def test_reproduces_the_published_cdnow_estimates(cdnow_model: GammaGamma) -> None:
    # Fader, Hardie & Lee (2005) JMR; Fader & Hardie (2013): p = 6.25, q = 3.74, γ = 15.44.
    published = {"p": 6.25, "q": 3.74, "v": 15.44}
    for name, value in published.items():
        assert cdnow_model.params_[name] == pytest.approx(value, rel=0.005), name
    # lifetimes 0.11 on the same data: p = 6.2488, q = 3.7446, v = 15.4427.
    lifetimes = {"p": 6.2488, "q": 3.7446, "v": 15.4427}
    for name, value in lifetimes.items():
        assert cdnow_model.params_[name] == pytest.approx(value, rel=5e-4), name
    assert cdnow_model.n_customers_ == 946
    assert set(cdnow_model.standard_errors_) == {"p", "q", "v"}
    assert all(0 < se < 5 for se in cdnow_model.standard_errors_.values())
    assert np.isfinite(cdnow_model.log_likelihood_)


def test_log_likelihood_is_the_sum_at_the_estimate(
    cdnow_model: GammaGamma, cdnow_spend: tuple[np.ndarray, np.ndarray]
) -> None:
    frequency, monetary = cdnow_spend
    params = np.array(list(cdnow_model.params_.values()))
    value, gradient = gamma_gamma_log_likelihood(params, frequency, monetary, np.ones(946))
    assert value == pytest.approx(cdnow_model.log_likelihood_, abs=1e-6)
    # At the maximum the gradient vanishes (relative to the size of each term).
    assert np.all(np.abs(gradient * params) < 1e-2)


def test_analytic_gradient_matches_central_differences(
    cdnow_spend: tuple[np.ndarray, np.ndarray],
) -> None:
    frequency, monetary = cdnow_spend
    weights = np.linspace(0.5, 2.0, len(frequency))
    params = np.array([3.0, 5.0, 20.0])
    _, gradient = gamma_gamma_log_likelihood(params, frequency, monetary, weights)
    for i in range(3):
        step = 1e-6 * params[i]
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        numeric = (
            gamma_gamma_log_likelihood(up, frequency, monetary, weights)[0]
            - gamma_gamma_log_likelihood(down, frequency, monetary, weights)[0]
        ) / (2 * step)
        assert gradient[i] == pytest.approx(numeric, rel=1e-5)


def test_hessian_matches_central_differences(
    cdnow_spend: tuple[np.ndarray, np.ndarray],
) -> None:
    frequency, monetary = cdnow_spend
    objective = _SpendLikelihood(frequency, monetary, np.linspace(0.5, 2.0, len(frequency)))
    params = np.array([3.0, 5.0, 20.0])
    _, _, hessian = objective(params, True)
    assert hessian is not None
    numeric = np.empty((3, 3))
    for i in range(3):
        step = 1e-6 * params[i]
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        numeric[:, i] = (objective(up, False)[1] - objective(down, False)[1]) / (2 * step)
    np.testing.assert_allclose(hessian, numeric, rtol=1e-5)
    np.testing.assert_allclose(hessian, hessian.T)


def test_newton_finds_the_lbfgs_estimates_and_errors(
    cdnow_model: GammaGamma, cdnow_spend: tuple[np.ndarray, np.ndarray]
) -> None:
    # The reference: L-BFGS on the likelihood, standard errors by differences of the gradient.
    frequency, monetary = cdnow_spend

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = gamma_gamma_log_likelihood(params, frequency, monetary, np.ones(946))
        return -value, -gradient

    params, minimum = maximise_likelihood(objective, np.array([1.0, 2.0, 30.0]))
    errors = standard_errors(objective, params)
    for i, name in enumerate(("p", "q", "v")):
        assert cdnow_model.params_[name] == pytest.approx(params[i], rel=1e-5), name
        assert cdnow_model.standard_errors_[name] == pytest.approx(errors[i], rel=1e-4), name
    assert cdnow_model.log_likelihood_ >= -minimum - 1e-8


def test_warm_start_on_a_subsample_gives_the_same_fit(
    cdnow_model: GammaGamma,
    cdnow_spend: tuple[np.ndarray, np.ndarray],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Large fits start on every k-th customer: made to happen here on CDNOW's 946.
    monkeypatch.setattr(_base, "WARM_START_PATTERNS", 100)
    warm = GammaGamma().fit(*cdnow_spend)
    assert warm.params_ == pytest.approx(cdnow_model.params_, rel=1e-8)
    assert warm.log_likelihood_ == pytest.approx(cdnow_model.log_likelihood_, abs=1e-6)


def test_rows_and_pattern_counts_give_the_same_fit() -> None:
    frequency = np.array([1, 1, 2, 3, 2, 5, 1, 4])
    monetary = np.array([20.0, 35.0, 18.5, 42.0, 27.5, 30.0, 12.0, 25.0])
    counts = np.array([30, 12, 25, 9, 14, 6, 40, 8])
    by_pattern = GammaGamma().fit(frequency, monetary, weights=counts)
    by_row = GammaGamma().fit(np.repeat(frequency, counts), np.repeat(monetary, counts))
    for name in ("p", "q", "v"):
        assert by_row.params_[name] == pytest.approx(by_pattern.params_[name], rel=1e-6)
    assert by_row.log_likelihood_ == pytest.approx(by_pattern.log_likelihood_, rel=1e-9)
    assert by_row.n_customers_ == by_pattern.n_customers_ == counts.sum()


def test_one_time_buyers_without_spend_are_ignored(
    cdnow_spend: tuple[np.ndarray, np.ndarray], cdnow_model: GammaGamma
) -> None:
    frequency, monetary = cdnow_spend
    with_one_time = GammaGamma().fit(
        np.concatenate([frequency, np.zeros(50)]), np.concatenate([monetary, np.zeros(50)])
    )
    assert with_one_time.params_ == pytest.approx(cdnow_model.params_, rel=1e-9)
    assert with_one_time.n_customers_ == 946


def test_estimates_follow_the_currency_unit(
    cdnow_spend: tuple[np.ndarray, np.ndarray], cdnow_model: GammaGamma
) -> None:
    # The same spend in đồng (about 25,000 per dollar): p and q unchanged, v scaled.
    frequency, monetary = cdnow_spend
    in_dong = GammaGamma().fit(frequency, monetary * 25_000)
    assert in_dong.params_["p"] == pytest.approx(cdnow_model.params_["p"], rel=1e-5)
    assert in_dong.params_["q"] == pytest.approx(cdnow_model.params_["q"], rel=1e-5)
    assert in_dong.params_["v"] == pytest.approx(25_000 * cdnow_model.params_["v"], rel=1e-5)


def test_expected_spend_shrinks_toward_the_population_mean(cdnow_model: GammaGamma) -> None:
    population = cdnow_model.expected_spend_new()
    p, q, v = (cdnow_model.params_[k] for k in ("p", "q", "v"))
    assert population == pytest.approx(p * v / (q - 1))
    frequency = np.array([0, 1, 2, 5, 20, 200], dtype=float)
    high = cdnow_model.expected_spend(frequency, np.full(6, 3 * population))
    low = cdnow_model.expected_spend(frequency, np.full(6, population / 3))
    # Frequency 0 is the population mean; more purchases move the estimate toward the
    # customer's own mean, from either side.
    assert high[0] == pytest.approx(population) and low[0] == pytest.approx(population)
    assert np.all(np.diff(high) > 0) and np.all(np.diff(low) < 0)
    assert np.all(high < 3 * population) and np.all(low > population / 3)
    assert high[-1] == pytest.approx(3 * population, rel=0.01)
    # The weight on the customer's mean is p x / (p x + q − 1).
    weight = p / (p + q - 1)
    expected = (1 - weight) * population + weight * 3 * population
    assert high[1] == pytest.approx(expected)


def test_expected_spend_ignores_monetary_value_without_repeat(cdnow_model: GammaGamma) -> None:
    spend = cdnow_model.expected_spend([0, 0], [0.0, 99.0])
    assert spend.tolist() == pytest.approx([cdnow_model.expected_spend_new()] * 2)


def test_infinite_population_mean_when_q_at_most_one() -> None:
    model = GammaGamma()
    model.params_ = {"p": 2.0, "q": 0.8, "v": 10.0}
    assert model.expected_spend_new() == np.inf
    spend = model.expected_spend([0, 1], [0.0, 20.0])
    assert spend[0] == np.inf
    assert spend[1] == pytest.approx(2.0 * (10.0 + 20.0) / (2.0 + 0.8 - 1))


def test_simulated_parameters_are_recovered() -> None:
    truth = {"p": 6.25, "q": 3.74, "v": 15.44}
    data = simulate_gamma_gamma(50_000, truth, seed=20_240_601)
    model = GammaGamma().fit(data.frequency, data.monetary_value)
    for name, value in truth.items():
        error = abs(model.params_[name] - value)
        assert error < 3 * model.standard_errors_[name], (name, model.params_[name])


@pytest.mark.parametrize(
    ("frequency", "monetary", "code"),
    [
        ([1, 0, 2], [10.0, 5.0, 8.0], "model.monetary_without_repeat"),
        ([1, 2, 2], [10.0, 0.0, 8.0], "model.monetary_not_positive"),
        ([1, 1.5, 2], [10.0, 5.0, 8.0], "model.not_whole"),
        ([1, -1, 2], [10.0, 5.0, 8.0], "model.negative"),
        ([1, 2, 2], [10.0, -5.0, 8.0], "model.negative"),
        ([1, 2, 2], [10.0, np.nan, 8.0], "model.not_finite"),
        ([1, 2], [10.0, 5.0, 8.0], "model.lengths_differ"),
        ([[1, 2]], [[10.0, 5.0]], "model.not_a_vector"),
        ([1, 2, 0], [10.0, 5.0, 0.0], "model.too_few"),
    ],
)
def test_bad_inputs_are_refused(frequency: list[float], monetary: list[float], code: str) -> None:
    with pytest.raises(InputError) as caught:
        GammaGamma().fit(frequency, monetary)
    assert caught.value.code == code


def test_bad_weights_are_refused() -> None:
    with pytest.raises(InputError) as caught:
        GammaGamma().fit([1, 2, 3], [10.0, 5.0, 8.0], weights=[1, 2])
    assert caught.value.code == "model.lengths_differ"


def test_predicting_before_fitting_is_refused() -> None:
    with pytest.raises(ModelNotFittedError):
        GammaGamma().expected_spend([1], [10.0])
    with pytest.raises(ModelNotFittedError):
        GammaGamma().expected_spend_new()


def test_prediction_inputs_are_checked(cdnow_model: GammaGamma) -> None:
    with pytest.raises(InputError) as caught:
        cdnow_model.expected_spend([1, 2], [10.0])
    assert caught.value.code == "model.lengths_differ"
    with pytest.raises(InputError) as caught:
        cdnow_model.expected_spend([0.5], [10.0])
    assert caught.value.code == "model.not_whole"
