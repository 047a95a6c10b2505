"""The shifted-beta-geometric (sBG) model of retention in a contractual setting.

Sources: Fader & Hardie (2007), "How to Project Customer Retention", Journal of Interactive
Marketing 21(1):76-90, and Fader & Hardie (2010), "Customer-Base Valuation in a Contractual
Setting: The Perils of Ignoring Heterogeneity", Marketing Science 29(1):85-93.

At the end of each period an active customer cancels with probability ``θ``, and ``θ`` varies
across the cohort as a beta(α, β). ``T`` is the period in which a customer cancels (T = 1, 2, ...).

>>> regular = [1000, 631, 468, 382, 326, 289, 262, 241]
>>> model = ShiftedBetaGeometric().fit(regular)
>>> {k: round(v, 3) for k, v in model.params_.items()}
{'alpha': 0.704, 'beta': 1.182}
>>> round(model.log_likelihood_, 2)
-1680.27
>>> [round(1000 * s) for s in model.survival([8, 9, 10])]
[220, 204, 191]
"""

from __future__ import annotations

import math
from typing import Self

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, digamma, hyp2f1  # type: ignore[import-untyped, unused-ignore]

from ...errors import InputError
from ._base import (
    FloatArray,
    as_vector,
    check_fitted,
    maximise_likelihood,
    named,
    standard_errors,
)

PARAMETER_NAMES = ("alpha", "beta")


def _periods(values: npt.ArrayLike, name: str, *, minimum: int = 0) -> FloatArray:
    t = as_vector(values, name)
    if np.any(t != np.round(t)):
        raise InputError("model.not_whole", field=name)
    if np.any(t < minimum):
        raise InputError("model.below_minimum", field=name, minimum=minimum)
    return t


def _discount(discount_rate: float) -> float:
    if not math.isfinite(discount_rate):
        raise InputError("model.not_finite", field="discount_rate")
    if discount_rate < 0:
        raise InputError("model.negative", field="discount_rate")
    return 1.0 / (1.0 + discount_rate)


def shifted_beta_geometric_log_likelihood(
    params: FloatArray, alive: FloatArray
) -> tuple[float, FloatArray]:
    """The log-likelihood of a cohort's survivor counts and its gradient in ``(α, β)``.

    Fader & Hardie (2007), appendix B: with ``n_t = alive[t−1] − alive[t]``
    customers lost in period ``t`` and ``alive[−1]`` still active after the last period ``n``::

        LL = Σ_t n_t log P(T = t) + alive[−1] log S(n),
        P(T = t) = B(α + 1, β + t − 1) / B(α, β),   S(t) = B(α, β + t) / B(α, β).
    """
    a, b = params
    n = len(alive) - 1
    t = np.arange(1, n + 1, dtype=np.float64)
    lost = alive[:-1] - alive[1:]
    remaining = alive[-1]
    log_norm = betaln(a, b)
    log_churn = betaln(a + 1, b + t - 1) - log_norm
    log_survive = betaln(a, b + n) - log_norm
    value = lost @ log_churn + remaining * log_survive

    # d/da log B(a, b) = ψ(a) − ψ(a + b), and likewise for b.
    norm_a = digamma(a) - digamma(a + b)
    norm_b = digamma(b) - digamma(a + b)
    psi_end = digamma(a + b + t)
    churn_a = digamma(a + 1) - psi_end - norm_a
    churn_b = digamma(b + t - 1) - psi_end - norm_b
    survive_a = digamma(a) - digamma(a + b + n) - norm_a
    survive_b = digamma(b + n) - digamma(a + b + n) - norm_b
    gradient = np.array(
        [lost @ churn_a + remaining * survive_a, lost @ churn_b + remaining * survive_b]
    )
    return float(value), gradient


class ShiftedBetaGeometric:
    """Shifted-beta-geometric retention model (Fader & Hardie 2007).

    Parameters
    ----------
    tolerance
        Convergence tolerance of the likelihood maximisation.
    max_iterations
        Iteration limit of the optimiser.

    Attributes
    ----------
    params_ : dict[str, float]
        Maximum-likelihood estimates ``alpha`` and ``beta`` of the beta distribution of the
        churn probability.
    standard_errors_ : dict[str, float]
        Asymptotic standard errors of ``params_``.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_customers_ : float
        Cohort size.
    """

    params_: dict[str, float]
    standard_errors_: dict[str, float]
    log_likelihood_: float
    n_customers_: float

    def __init__(self, *, tolerance: float = 1e-10, max_iterations: int = 1000) -> None:
        self.tolerance = tolerance
        self.max_iterations = max_iterations

    def fit(self, alive: npt.ArrayLike) -> Self:
        """Fit by maximum likelihood on one cohort.

        Parameters
        ----------
        alive
            ``alive[i]`` is the number of customers still active at the start of period ``i``;
            ``alive[0]`` is the cohort size. Whole numbers that never grow; at least three
            values (two periods), since one period identifies only the mean churn rate.
        """
        counts = as_vector(alive, "alive")
        if np.any(counts != np.round(counts)):
            raise InputError("model.not_whole", field="alive")
        if len(counts) < 3:
            raise InputError("model.below_minimum", field="len(alive)", minimum=3)
        growing = np.flatnonzero(np.diff(counts) > 0)
        if len(growing):
            raise InputError("model.alive_not_decreasing", period=int(growing[0]) + 1)
        if counts[0] <= 0:
            raise InputError("model.too_few", model="sBG", count=0, minimum=1)

        def objective(params: FloatArray) -> tuple[float, FloatArray]:
            value, gradient = shifted_beta_geometric_log_likelihood(params, counts)
            return -value, -gradient

        params, minimum = maximise_likelihood(
            objective,
            np.ones(2),
            tolerance=self.tolerance,
            max_iterations=self.max_iterations,
        )
        self.params_ = named(PARAMETER_NAMES, params)
        self.standard_errors_ = named(PARAMETER_NAMES, standard_errors(objective, params))
        self.log_likelihood_ = -minimum
        self.n_customers_ = float(counts[0])
        return self

    def _params(self) -> tuple[float, float]:
        params = check_fitted(self)
        return params["alpha"], params["beta"]

    def survival(self, t: npt.ArrayLike) -> FloatArray:
        """Share of the cohort still active after ``t`` periods, S(t) = B(α, β + t) / B(α, β).

        Fader & Hardie (2007). ``S(0) = 1``; ``t`` are whole periods and the
        result is a 1-D array with one value per ``t``.
        """
        a, b = self._params()
        periods = _periods(t, "t")
        log_survival = np.asarray(betaln(a, b + periods) - betaln(a, b), dtype=np.float64)
        return np.exp(log_survival)

    def churn_probability(self, t: npt.ArrayLike) -> FloatArray:
        """Probability of cancelling in period ``t``: P(T = t) = B(α + 1, β + t − 1) / B(α, β).

        Fader & Hardie (2007); ``t >= 1``.
        """
        a, b = self._params()
        periods = _periods(t, "t", minimum=1)
        log_churn = np.asarray(betaln(a + 1, b + periods - 1) - betaln(a, b), dtype=np.float64)
        return np.exp(log_churn)

    def retention_rate(self, t: npt.ArrayLike) -> FloatArray:
        """Share of those active in period ``t − 1`` who are still active in period ``t``.

        Fader & Hardie (2007): ``r_t = S(t) / S(t − 1) = (β + t − 1) / (α + β + t − 1)`` for
        ``t >= 1``.
        It rises with ``t`` because the customers most likely to cancel leave first.
        """
        a, b = self._params()
        periods = _periods(t, "t", minimum=1)
        return (b + periods - 1) / (a + b + periods - 1)

    def expected_lifetime(self) -> float:
        """Expected number of periods a new customer stays, E(T) = (α + β − 1) / (α − 1).

        The sum of S(t) over t >= 0 (the undiscounted DEL of Fader & Hardie 2010); infinite when
        ``α <= 1``, where the churn probabilities pile up near 0.
        """
        a, b = self._params()
        return (a + b - 1) / (a - 1) if a > 1 else math.inf

    def discounted_expected_lifetime(self, discount_rate: float) -> float:
        """DEL: discounted expected lifetime of a customer at the start of period 1.

        Fader & Hardie (2010): ``DEL(d) = 2F1(1, β; α + β; 1 / (1 + d))``, the sum
        of ``S(t) / (1 + d)^t`` over ``t >= 0`` (the first period's payment undiscounted).
        Infinite when ``d = 0`` and ``α <= 1``.
        """
        a, b = self._params()
        z = _discount(discount_rate)
        if z == 1.0 and a <= 1:
            return math.inf
        return float(hyp2f1(1.0, b, a + b, z))

    def derl(self, discount_rate: float, n: int = 1) -> float:
        """DERL: discounted expected residual lifetime of an active customer.

        Fader & Hardie (2010), for a customer observed at the end of period ``n`` (who has made
        ``n − 1`` renewals so far) and just about to make the next renewal decision::

            DERL(d | α, β, n) = (β + n − 1) / (α + β + n − 1) · 2F1(1, β + n; α + β + n; 1/(1+d))

        It is the sum of ``S(t) / S(n − 1) / (1 + d)^(t − n)`` over ``t >= n``: the next
        payment, if the customer renews, is not discounted. With the default ``n = 1`` the
        customer has just joined and paid for period 1, and ``DEL = 1 + DERL / (1 + d)``.
        Infinite when ``d = 0`` and ``α <= 1``.
        """
        a, b = self._params()
        z = _discount(discount_rate)
        period = float(_periods(n, "n", minimum=1)[0])
        if z == 1.0 and a <= 1:
            return math.inf
        stay = (b + period - 1) / (a + b + period - 1)
        return float(stay * hyp2f1(1.0, b + period, a + b + period, z))
