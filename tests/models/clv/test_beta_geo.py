"""BG/NBD: the published CDNOW fit, gradient, predictions against simulation, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import hyp2f1

from chandung.errors import InputError
from chandung.models.clv import BetaGeo, _base
from chandung.models.clv._base import ModelNotFittedError
from chandung.models.clv._transaction import Transactions, transactions
from chandung.models.clv.beta_geo import _WeightedLikelihood, beta_geo_log_likelihood
from chandung.models.clv.simulate import simulate_beta_geo

# Fader, Hardie & Lee (2005), as reproduced to more digits (tests/models/clv/reference_results.md).
PUBLISHED = {"r": 0.24259, "alpha": 4.41353, "a": 0.79289, "b": 2.42575}
PUBLISHED_LL = -9582.4256
TRUE = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}


@pytest.fixture(scope="module")
def model(cdnow: dict[str, np.ndarray]) -> BetaGeo:
    return BetaGeo().fit(**cdnow)


def _with(params: dict[str, float]) -> BetaGeo:
    # A model "fitted" to known parameters, to check the formulas against simulation.
    model = BetaGeo()
    model.params_ = dict(params)
    return model


def _simulated_ages(n: int, seed: int) -> np.ndarray:
    # Ages uniform between 20 and 52 weeks, in whole days as real summaries are.
    return np.random.default_rng(seed).integers(20 * 7, 52 * 7 + 1, n) / 7


# --- the published fit -----------------------------------------------------------------------


def test_cdnow_estimates_match_the_paper(model: BetaGeo) -> None:
    for name, value in PUBLISHED.items():
        assert model.params_[name] == pytest.approx(value, rel=0.005), name
    assert list(model.params_) == ["r", "alpha", "a", "b"]
    assert model.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.1)
    assert model.n_customers_ == 2357


def test_cdnow_standard_errors_are_finite_and_positive(model: BetaGeo) -> None:
    assert list(model.standard_errors_) == list(model.params_)
    for name, error in model.standard_errors_.items():
        assert np.isfinite(error) and 0 < error < model.params_[name], name


def test_per_customer_log_likelihood_sums_to_the_total(
    model: BetaGeo, cdnow: dict[str, np.ndarray]
) -> None:
    assert model.log_likelihood(**cdnow).sum() == pytest.approx(model.log_likelihood_, abs=1e-6)


def test_patterns_with_counts_give_the_same_fit(
    model: BetaGeo, cdnow: dict[str, np.ndarray]
) -> None:
    table = np.column_stack([cdnow["frequency"], cdnow["recency"], cdnow["T"]])
    patterns, counts = np.unique(table, axis=0, return_counts=True)
    weighted = BetaGeo().fit(*patterns.T, weights=counts)
    for name, value in model.params_.items():
        assert weighted.params_[name] == pytest.approx(value, rel=1e-6), name
    assert weighted.log_likelihood_ == pytest.approx(model.log_likelihood_, abs=1e-6)
    assert weighted.n_patterns_ == model.n_patterns_ == len(patterns) < 2357


def test_fit_works_on_distinct_patterns_only(model: BetaGeo, cdnow: dict[str, np.ndarray]) -> None:
    # 40 copies of every customer: same patterns, same estimates, 40 times the likelihood.
    copies = BetaGeo().fit(*(np.tile(cdnow[k], 40) for k in ("frequency", "recency", "T")))
    assert copies.n_patterns_ == model.n_patterns_
    assert copies.n_customers_ == 40 * 2357
    for name, value in model.params_.items():
        assert copies.params_[name] == pytest.approx(value, rel=1e-5), name
    assert copies.log_likelihood_ == pytest.approx(40 * model.log_likelihood_, rel=1e-9)


# --- the formulas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params", [[0.24, 4.4, 0.79, 2.4], [0.8, 12.0, 1.7, 0.6], [2.5, 1.5, 0.3, 9.0]]
)
def test_gradient_matches_central_differences(
    params: list[float], cdnow: dict[str, np.ndarray]
) -> None:
    point = np.array(params)
    ll, gradient = beta_geo_log_likelihood(point, **cdnow)
    numeric = np.empty((len(ll), 4))
    for i in range(4):
        step = 1e-6 * point[i]
        up, down = point.copy(), point.copy()
        up[i] += step
        down[i] -= step
        numeric[:, i] = (
            beta_geo_log_likelihood(up, **cdnow)[0] - beta_geo_log_likelihood(down, **cdnow)[0]
        ) / (2 * step)
    np.testing.assert_allclose(gradient.sum(axis=0), numeric.sum(axis=0), rtol=1e-5)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7)


class _ByLbfgs(BetaGeo):
    """BG/NBD fitted the way models without an analytic Hessian are: L-BFGS on all patterns,
    the Hessian for the standard errors by differences of the gradient."""

    def _curved_objective(self, data: Transactions, weights: np.ndarray) -> None:
        return None


@pytest.mark.parametrize(
    "params", [[0.24, 4.4, 0.79, 2.4], [0.8, 12.0, 1.7, 0.6], [2.5, 1.5, 0.3, 9.0]]
)
def test_weighted_objective_sums_the_rows_and_has_the_right_hessian(
    params: list[float], cdnow: dict[str, np.ndarray]
) -> None:
    # Customers in their file order (one-time buyers interleaved), weighted unevenly.
    data = transactions(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    weights = np.linspace(0.5, 3.0, len(data))
    objective = _WeightedLikelihood(data, weights)
    point = np.array(params)
    value, gradient, hessian = objective(point, True)
    ll, per_row = beta_geo_log_likelihood(point, **cdnow)
    assert value == pytest.approx(-weights @ ll, rel=1e-12)
    np.testing.assert_allclose(gradient, -weights @ per_row, rtol=1e-9, atol=1e-9)
    assert hessian is not None
    np.testing.assert_allclose(hessian, hessian.T)
    numeric = np.empty((4, 4))
    for i in range(4):
        step = 1e-6 * point[i]
        up, down = point.copy(), point.copy()
        up[i] += step
        down[i] -= step
        numeric[:, i] = (objective(up, False)[1] - objective(down, False)[1]) / (2 * step)
    np.testing.assert_allclose(hessian, numeric, rtol=1e-5, atol=1e-6 * np.abs(numeric).max())


def test_newton_finds_the_lbfgs_estimates_and_errors(
    model: BetaGeo, cdnow: dict[str, np.ndarray]
) -> None:
    reference = _ByLbfgs().fit(**cdnow)
    for name, value in reference.params_.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-6), name
        assert model.standard_errors_[name] == pytest.approx(
            reference.standard_errors_[name], rel=1e-4
        ), name
    assert model.log_likelihood_ >= reference.log_likelihood_ - 1e-8


def test_warm_start_on_a_subsample_gives_the_same_fit(
    model: BetaGeo, cdnow: dict[str, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Large fits start on every k-th pattern: made to happen here on CDNOW's 1,000 or so.
    monkeypatch.setattr(_base, "WARM_START_PATTERNS", 100)
    warm = BetaGeo().fit(**cdnow)
    for name, value in model.params_.items():
        assert warm.params_[name] == pytest.approx(value, rel=1e-8), name
    assert warm.log_likelihood_ == pytest.approx(model.log_likelihood_, abs=1e-6)


def test_summaries_in_whole_days_fit_as_in_any_unit(cdnow: dict[str, np.ndarray]) -> None:
    # Times in weeks of whole days are compressed on one integer key; the same times shifted
    # off that grid by a hair take the general path: the same patterns, the same fit.
    days = {k: np.round(cdnow[k] * 7) for k in ("recency", "T")}
    in_weeks = BetaGeo().fit(cdnow["frequency"], days["recency"] / 7, days["T"] / 7)
    off_grid = BetaGeo().fit(
        cdnow["frequency"], days["recency"] / 7 * (1 + 1e-15), days["T"] / 7 * (1 + 1e-15)
    )
    assert in_weeks.n_patterns_ == off_grid.n_patterns_
    for name, value in in_weeks.params_.items():
        assert off_grid.params_[name] == pytest.approx(value, rel=1e-8), name


def test_probability_alive_is_one_without_repeat_purchases(
    model: BetaGeo, cdnow: dict[str, np.ndarray]
) -> None:
    alive = model.probability_alive(**cdnow)
    assert np.all(alive[cdnow["frequency"] == 0] == 1.0)
    assert np.all((alive >= 0) & (alive <= 1))
    # A buyer long silent is less likely alive than one who just bought.
    recent, silent = model.probability_alive([5, 5], [38.0, 5.0], [39.0, 39.0])
    assert 0 < silent < recent < 1


def test_expected_purchases_over_no_time_is_zero(
    model: BetaGeo, cdnow: dict[str, np.ndarray]
) -> None:
    assert np.all(model.expected_purchases(0.0, **cdnow) == 0.0)
    assert np.all(model.expected_purchases_new([0.0]) == 0.0)


def test_expected_purchases_equal_the_papers_literal_formula(
    model: BetaGeo, cdnow: dict[str, np.ndarray]
) -> None:
    # Equation (10) exactly as printed, for comparison with the overflow-free form used.
    r, alpha, a, b = (model.params_[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    t = 39.0
    z = t / (alpha + age + t)
    bracket = 1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    with np.errstate(invalid="ignore"):
        odds = np.where(x > 0, a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x), 0.0)
    literal = (a + b + x - 1) / (a - 1) * bracket / (1 + odds)
    np.testing.assert_allclose(model.expected_purchases(t, **cdnow), literal, rtol=1e-9)
    # Equation (9) for a new customer.
    new = (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )
    assert model.expected_purchases_new([t])[0] == pytest.approx(new, rel=1e-10)


def test_expected_purchases_accept_one_horizon_per_customer(model: BetaGeo) -> None:
    each = model.expected_purchases([10.0, 20.0], [2, 2], [30.0, 30.0], [38.0, 38.0])
    assert each[0] < each[1]
    assert each[1] == pytest.approx(model.expected_purchases(20.0, [2], [30.0], [38.0])[0])


def test_expectations_have_a_limit_at_a_equal_1() -> None:
    def expected(a: float) -> tuple[float, float]:
        model = _with({"r": 0.3, "alpha": 5.0, "a": a, "b": 2.0})
        return (
            model.expected_purchases(26.0, [3], [20.0], [30.0])[0],
            model.expected_purchases_new([26.0])[0],
        )

    at = expected(1.0)
    around = np.mean([expected(1 - 1e-3), expected(1 + 1e-3)], axis=0)
    np.testing.assert_allclose(at, around, rtol=1e-5)
    assert np.all(np.isfinite(at))


def test_heavy_buyers_do_not_overflow(model: BetaGeo) -> None:
    # 400 purchases in 39 weeks, the last one at the end: about 10 a week, and still active.
    expected = model.expected_purchases(52.0, [400.0], [39.0], [39.0])
    assert np.isfinite(expected[0]) and expected[0] > 100


# --- against simulation ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated_fit() -> BetaGeo:
    data = simulate_beta_geo(50_000, TRUE, _simulated_ages(50_000, 11), seed=12)
    return BetaGeo().fit(data["frequency"], data["recency"], data["T"])


def test_simulated_parameters_are_recovered_within_3_standard_errors(
    simulated_fit: BetaGeo,
) -> None:
    for name, truth in TRUE.items():
        estimate = simulated_fit.params_[name]
        error = simulated_fit.standard_errors_[name]
        assert abs(estimate - truth) < 3 * error, (name, estimate, error)


@pytest.mark.parametrize("t", [13.0, 52.0])
def test_expected_purchases_new_match_monte_carlo(t: float) -> None:
    simulated = simulate_beta_geo(200_000, TRUE, t, seed=21)
    expected = _with(TRUE).expected_purchases_new([t])[0]
    assert expected == pytest.approx(simulated["frequency"].mean(), rel=0.02)


def test_conditional_expectation_matches_simulated_holdout() -> None:
    data = simulate_beta_geo(200_000, TRUE, _simulated_ages(200_000, 31), seed=32, holdout=39.0)
    expected = _with(TRUE).expected_purchases(39.0, data["frequency"], data["recency"], data["T"])
    holdout = data["holdout_purchases"]
    assert expected.sum() == pytest.approx(holdout.sum(), rel=0.02)
    # Also among the repeat buyers, where P(alive) matters.
    repeat = data["frequency"] > 0
    assert expected[repeat].sum() == pytest.approx(holdout[repeat].sum(), rel=0.02)


# --- inputs ----------------------------------------------------------------------------------

GOOD = {"frequency": [0, 1, 2], "recency": [0.0, 5.0, 8.0], "T": [10.0, 10.0, 10.0]}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"frequency": [0, -1, 2]}, "model.negative"),
        ({"recency": [0.0, -5.0, 8.0]}, "model.negative"),
        ({"T": [10.0, 10.0, -10.0]}, "model.negative"),
        ({"recency": [0.0, 5.0, 12.0]}, "model.recency_after_age"),
        ({"recency": [1.0, 5.0, 8.0]}, "model.recency_without_frequency"),
        ({"recency": [0.0, 0.0, 8.0]}, "model.recency_without_frequency"),
        ({"frequency": [0, 1]}, "model.lengths_differ"),
        ({"T": [10.0, np.nan, 10.0]}, "model.not_finite"),
        ({"frequency": [0, 1.5, 2]}, "model.not_whole"),
        ({"frequency": [[0, 1, 2]]}, "model.not_a_vector"),
    ],
)
def test_bad_inputs_are_refused_with_their_code(
    change: dict[str, object], code: str, model: BetaGeo
) -> None:
    arguments = {**GOOD, **change}
    with pytest.raises(InputError) as fit_error:
        BetaGeo().fit(**arguments)
    assert fit_error.value.code == code
    with pytest.raises(InputError) as predict_error:
        model.expected_purchases(10.0, **arguments)
    assert predict_error.value.code == code


def test_float_noise_in_recency_is_tolerated(model: BetaGeo) -> None:
    alive = model.probability_alive([0, 2], [1e-14, 10.0 + 1e-13], [10.0, 10.0])
    assert alive[0] == 1.0 and 0 < alive[1] <= 1


def test_negative_horizon_is_refused(model: BetaGeo) -> None:
    with pytest.raises(InputError) as error:
        model.expected_purchases(-1.0, **GOOD)
    assert error.value.code == "model.negative"
    with pytest.raises(InputError) as error:
        model.expected_purchases([1.0, 2.0], **GOOD)
    assert error.value.code == "model.lengths_differ"


def test_too_few_customers_or_repeat_buyers_are_refused() -> None:
    with pytest.raises(InputError) as error:
        BetaGeo().fit(**GOOD)
    assert error.value.code == "model.too_few"
    one_time = {"frequency": [0] * 50 + [1], "recency": [0.0] * 50 + [3.0], "T": [9.0] * 51}
    with pytest.raises(InputError) as error:
        BetaGeo().fit(**one_time)
    assert error.value.code == "model.too_few"
    assert error.value.params["count"] == 1


def test_predicting_before_fitting_is_refused() -> None:
    with pytest.raises(ModelNotFittedError):
        BetaGeo().probability_alive(**GOOD)
    with pytest.raises(ModelNotFittedError):
        BetaGeo().expected_purchases(1.0, **GOOD)
    with pytest.raises(ModelNotFittedError):
        BetaGeo().expected_purchases_new(1.0)
    with pytest.raises(ModelNotFittedError):
        BetaGeo().log_likelihood(**GOOD)
