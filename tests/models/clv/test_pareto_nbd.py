"""Pareto/NBD: the quadrature of 2F1, the published CDNOW fit, gradient, simulation, inputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import hyp2f1

from chandung.errors import InputError
from chandung.models.clv import ParetoNBD
from chandung.models.clv._base import ModelNotFittedError
from chandung.models.clv.pareto_nbd import log_hyp2f1_next, pareto_nbd_log_likelihood
from chandung.models.clv.simulate import simulate_pareto_nbd

# Fader, Hardie & Lee (2005), table 1 and Fader & Hardie's note, to 3 decimals.
PUBLISHED = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
PUBLISHED_LL = -9595.0
TRUE = {"r": 0.55, "alpha": 10.5, "s": 0.6, "beta": 11.7}


@pytest.fixture(scope="module")
def model(cdnow: dict[str, np.ndarray]) -> ParetoNBD:
    return ParetoNBD().fit(**cdnow)


def _with(params: dict[str, float]) -> ParetoNBD:
    # A model "fitted" to known parameters, to check the formulas against simulation.
    model = ParetoNBD()
    model.params_ = dict(params)
    return model


def _simulated_ages(n: int, seed: int) -> np.ndarray:
    # Ages uniform between 20 and 52 weeks, in whole days as real summaries are.
    return np.random.default_rng(seed).integers(20 * 7, 52 * 7 + 1, n) / 7


# --- the quadrature of 2F1(a, b; a + 1; z) ---------------------------------------------------


def _realistic_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # In the likelihood a = r + s + x and b is s + 1 or r + x, so a > b − 1 always.
    a, b, z = np.meshgrid(
        [0.2, 0.5, 0.9, 1.0, 1.2, 2.0, 3.5, 8.0, 20.0, 60.0, 150.0],
        [1.05, 1.3, 1.6, 2.0, 3.0, 6.0, 15.0, 40.0, 100.0],
        np.linspace(0.0, 0.9, 13),
        indexing="ij",
    )
    keep = a > b - 1
    return a[keep], b[keep], z[keep]


def test_quadrature_matches_scipy_hyp2f1() -> None:
    a, b, z = _realistic_grid()
    value = np.exp(log_hyp2f1_next(a, b, z)[0])
    reference = hyp2f1(a, b, a + 1, z)
    np.testing.assert_allclose(value, reference, rtol=1e-9)


def test_quadrature_derivative_in_z_matches_the_contiguous_function() -> None:
    # d/dz 2F1(a, b; c; z) = a b / c · 2F1(a + 1, b + 1; c + 1; z), DLMF 15.5.1.
    a, b, z = _realistic_grid()
    _, _, _, d_z = log_hyp2f1_next(a, b, z)
    exact = a * b / (a + 1) * hyp2f1(a + 1, b + 1, a + 2, z) / hyp2f1(a, b, a + 1, z)
    np.testing.assert_allclose(d_z, exact, rtol=1e-8)


def test_quadrature_derivatives_in_a_and_b_match_differences_of_scipy() -> None:
    a, b, z = _realistic_grid()
    _, d_a, d_b, _ = log_hyp2f1_next(a, b, z)
    step_a, step_b = 1e-6 * a, 1e-6 * b
    numeric_a = (
        np.log(hyp2f1(a + step_a, b, a + step_a + 1, z))
        - np.log(hyp2f1(a - step_a, b, a - step_a + 1, z))
    ) / (2 * step_a)
    numeric_b = (
        np.log(hyp2f1(a, b + step_b, a + 1, z)) - np.log(hyp2f1(a, b - step_b, a + 1, z))
    ) / (2 * step_b)
    np.testing.assert_allclose(d_a, numeric_a, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(d_b, numeric_b, rtol=1e-5, atol=1e-9)


# --- the published fit -----------------------------------------------------------------------


def test_cdnow_estimates_match_the_paper(model: ParetoNBD) -> None:
    for name, value in PUBLISHED.items():
        assert model.params_[name] == pytest.approx(value, rel=0.005), name
    assert list(model.params_) == ["r", "alpha", "s", "beta"]
    assert model.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.1)
    assert model.n_customers_ == 2357


def test_cdnow_standard_errors_are_finite_and_positive(model: ParetoNBD) -> None:
    assert list(model.standard_errors_) == list(model.params_)
    for name, error in model.standard_errors_.items():
        assert np.isfinite(error) and 0 < error < model.params_[name], name


def test_patterns_with_counts_give_the_same_fit(
    model: ParetoNBD, cdnow: dict[str, np.ndarray]
) -> None:
    table = np.column_stack([cdnow["frequency"], cdnow["recency"], cdnow["T"]])
    patterns, counts = np.unique(table, axis=0, return_counts=True)
    weighted = ParetoNBD().fit(*patterns.T, weights=counts)
    for name, value in model.params_.items():
        assert weighted.params_[name] == pytest.approx(value, rel=1e-6), name
    assert weighted.log_likelihood_ == pytest.approx(model.log_likelihood_, abs=1e-6)
    assert weighted.n_patterns_ == model.n_patterns_ == len(patterns) < 2357
    assert model.log_likelihood(**cdnow).sum() == pytest.approx(model.log_likelihood_, abs=1e-6)


# --- the formulas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        [0.55, 10.6, 0.61, 11.7],  # α < β, near the CDNOW optimum
        [0.9, 14.0, 0.4, 3.0],  # α > β
        [2.0, 5.0, 1.5, 40.0],  # α much smaller than β
        [0.3, 8.0, 0.8, 8.0],  # α = β, z = 0
    ],
)
def test_gradient_matches_central_differences(
    params: list[float], cdnow: dict[str, np.ndarray]
) -> None:
    point = np.array(params)
    ll, gradient = pareto_nbd_log_likelihood(point, **cdnow)
    numeric = np.empty((len(ll), 4))
    for i in range(4):
        step = 1e-6 * point[i]
        up, down = point.copy(), point.copy()
        up[i] += step
        down[i] -= step
        numeric[:, i] = (
            pareto_nbd_log_likelihood(up, **cdnow)[0] - pareto_nbd_log_likelihood(down, **cdnow)[0]
        ) / (2 * step)
    np.testing.assert_allclose(gradient.sum(axis=0), numeric.sum(axis=0), rtol=1e-5)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7)


def test_likelihood_is_continuous_where_alpha_meets_beta(cdnow: dict[str, np.ndarray]) -> None:
    # The note's two forms (α >= β and α < β) must describe one function.
    below = pareto_nbd_log_likelihood([0.5, 10.0 - 1e-9, 0.6, 10.0], **cdnow)[0]
    above = pareto_nbd_log_likelihood([0.5, 10.0 + 1e-9, 0.6, 10.0], **cdnow)[0]
    np.testing.assert_allclose(below, above, rtol=1e-8)


def test_probability_alive_is_a_probability(model: ParetoNBD, cdnow: dict[str, np.ndarray]) -> None:
    alive = model.probability_alive(**cdnow)
    assert np.all((alive > 0) & (alive <= 1))
    recent, silent = model.probability_alive([5, 5], [38.0, 5.0], [39.0, 39.0])
    assert 0 < silent < recent < 1
    # A customer who just arrived is almost surely still there.
    assert model.probability_alive([0], [0.0], [0.0])[0] == pytest.approx(1.0)


def test_expected_purchases_over_no_time_is_zero(
    model: ParetoNBD, cdnow: dict[str, np.ndarray]
) -> None:
    assert np.all(model.expected_purchases(0.0, **cdnow) == 0.0)
    assert np.all(model.expected_purchases_new([0.0]) == 0.0)


def test_expected_purchases_equal_the_literal_formula(
    model: ParetoNBD, cdnow: dict[str, np.ndarray]
) -> None:
    r, alpha, s, beta = (model.params_[k] for k in ("r", "alpha", "s", "beta"))
    x, age = cdnow["frequency"], cdnow["T"]
    t = 39.0
    literal = (
        (r + x)
        * (beta + age)
        / ((alpha + age) * (s - 1))
        * (1 - ((beta + age) / (beta + age + t)) ** (s - 1))
        * model.probability_alive(**cdnow)
    )
    np.testing.assert_allclose(model.expected_purchases(t, **cdnow), literal, rtol=1e-10)
    new = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + t)) ** (s - 1))
    assert model.expected_purchases_new(t)[0] == pytest.approx(new, rel=1e-12)


def test_expectations_have_a_limit_at_s_equal_1() -> None:
    near = _with({"r": 0.5, "alpha": 10.0, "s": 1 + 1e-9, "beta": 12.0})
    at = _with({"r": 0.5, "alpha": 10.0, "s": 1.0, "beta": 12.0})
    assert at.expected_purchases_new([52.0])[0] == pytest.approx(
        near.expected_purchases_new([52.0])[0], rel=1e-7
    )
    assert at.expected_purchases(52.0, [3], [20.0], [30.0])[0] == pytest.approx(
        near.expected_purchases(52.0, [3], [20.0], [30.0])[0], rel=1e-7
    )


# --- against simulation ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated_fit() -> ParetoNBD:
    data = simulate_pareto_nbd(50_000, TRUE, _simulated_ages(50_000, 41), seed=42)
    return ParetoNBD().fit(data["frequency"], data["recency"], data["T"])


def test_simulated_parameters_are_recovered_within_3_standard_errors(
    simulated_fit: ParetoNBD,
) -> None:
    for name, truth in TRUE.items():
        estimate = simulated_fit.params_[name]
        error = simulated_fit.standard_errors_[name]
        assert abs(estimate - truth) < 3 * error, (name, estimate, error)


@pytest.mark.parametrize("t", [13.0, 52.0])
def test_expected_purchases_new_match_monte_carlo(t: float) -> None:
    simulated = simulate_pareto_nbd(200_000, TRUE, t, seed=51)
    expected = _with(TRUE).expected_purchases_new([t])[0]
    assert expected == pytest.approx(simulated["frequency"].mean(), rel=0.02)


def test_conditional_expectation_matches_simulated_holdout() -> None:
    data = simulate_pareto_nbd(200_000, TRUE, _simulated_ages(200_000, 61), seed=62, holdout=39.0)
    expected = _with(TRUE).expected_purchases(39.0, data["frequency"], data["recency"], data["T"])
    holdout = data["holdout_purchases"]
    assert expected.sum() == pytest.approx(holdout.sum(), rel=0.02)
    repeat = data["frequency"] > 0
    assert expected[repeat].sum() == pytest.approx(holdout[repeat].sum(), rel=0.02)


# --- inputs ----------------------------------------------------------------------------------

GOOD = {"frequency": [0, 1, 2], "recency": [0.0, 5.0, 8.0], "T": [10.0, 10.0, 10.0]}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"frequency": [0, -1, 2]}, "model.negative"),
        ({"recency": [0.0, 5.0, 12.0]}, "model.recency_after_age"),
        ({"recency": [1.0, 5.0, 8.0]}, "model.recency_without_frequency"),
        ({"T": [10.0, 10.0]}, "model.lengths_differ"),
        ({"recency": [0.0, np.nan, 8.0]}, "model.not_finite"),
        ({"frequency": [0, 1, 2.5]}, "model.not_whole"),
    ],
)
def test_bad_inputs_are_refused_with_their_code(
    change: dict[str, object], code: str, model: ParetoNBD
) -> None:
    arguments = {**GOOD, **change}
    with pytest.raises(InputError) as fit_error:
        ParetoNBD().fit(**arguments)
    assert fit_error.value.code == code
    with pytest.raises(InputError) as predict_error:
        model.probability_alive(**arguments)
    assert predict_error.value.code == code


def test_too_few_customers_are_refused() -> None:
    with pytest.raises(InputError) as error:
        ParetoNBD().fit(**GOOD)
    assert error.value.code == "model.too_few"


def test_predicting_before_fitting_is_refused() -> None:
    with pytest.raises(ModelNotFittedError):
        ParetoNBD().probability_alive(**GOOD)
    with pytest.raises(ModelNotFittedError):
        ParetoNBD().expected_purchases(1.0, **GOOD)
    with pytest.raises(ModelNotFittedError):
        ParetoNBD().expected_purchases_new(1.0)
