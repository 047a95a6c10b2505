"""The Gamma-Gamma model of the average spend per transaction of repeat buyers.

Sources: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
Analysis", Journal of Marketing Research 42(4):415-430 (appendix), and Fader & Hardie (2013),
"The Gamma-Gamma Model of Monetary Value" (note at brucehardie.com).

Each transaction value of a customer is gamma distributed with shape ``p`` and rate ``nu``;
``nu`` varies across customers as a gamma with shape ``q`` and rate ``v`` (the note's gamma).
The mean ``m`` of a customer's ``x`` transaction values is then gamma with shape ``p x`` and rate
``nu x``, and integrating ``nu`` out gives the marginal density of ``m`` that is maximised here.
Spend is assumed independent of the transaction process, so the model is fitted on repeat buyers
only.

>>> from chandung.models.clv.simulate_more import simulate_gamma_gamma
>>> spend = simulate_gamma_gamma(2000, {"p": 6.0, "q": 4.0, "v": 15.0}, seed=3)
>>> model = GammaGamma().fit(spend.frequency, spend.monetary_value)
>>> round(model.expected_spend_new())  # the true p v / (q − 1) is 30
30
>>> model.expected_spend([1, 10], [60.0, 60.0]).round(1).tolist()  # shrunk toward 30
[51.2, 58.8]
"""

from __future__ import annotations

import math
from typing import Self

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln  # type: ignore[import-untyped, unused-ignore]

from ...errors import InputError
from ._base import (
    FloatArray,
    as_vector,
    as_weights,
    check_fitted,
    compress_patterns,
    maximise_likelihood,
    named,
    same_length,
    standard_errors,
)

PARAMETER_NAMES = ("p", "q", "v")


def _require_whole(values: FloatArray, name: str) -> None:
    if np.any(values != np.round(values)):
        raise InputError("model.not_whole", field=name)


def gamma_gamma_log_likelihood(
    params: FloatArray,
    frequency: FloatArray,
    monetary_value: FloatArray,
    weights: FloatArray,
) -> tuple[float, FloatArray]:
    """The weighted log-likelihood of repeat buyers and its gradient in ``(p, q, v)``.

    The marginal density of the mean ``m`` of ``x`` transaction values (Fader & Hardie 2013;
    Fader, Hardie & Lee 2005, appendix)::

        log f(m | p, q, v, x) = log Γ(px + q) − log Γ(px) − log Γ(q) + q log v
                                + (px − 1) log m + px log x − (px + q) log(v + x m)

    Parameters
    ----------
    params
        ``(p, q, v)``, all positive.
    frequency, monetary_value, weights
        Repeat transactions ``x > 0``, their mean value ``m > 0`` and the number of customers
        with that pattern.
    """
    p, q, v = params
    x, m, w = frequency, monetary_value, weights
    px = p * x
    log_total = np.log(v + x * m)
    per_customer = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * log_total
    )
    psi_sum = digamma(px + q)
    d_p = x * (psi_sum - digamma(px) + np.log(m) + np.log(x) - log_total)
    d_q = psi_sum - digamma(q) + np.log(v) - log_total
    d_v = q / v - (px + q) / (v + x * m)
    gradient = np.array([w @ d_p, w @ d_q, w @ d_v])
    return float(w @ per_customer), gradient


class GammaGamma:
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005; Fader & Hardie 2013).

    Parameters
    ----------
    tolerance
        Convergence tolerance of the likelihood maximisation.
    max_iterations
        Iteration limit of the optimiser.

    Attributes
    ----------
    params_ : dict[str, float]
        Maximum-likelihood estimates ``p`` (shape of each transaction value), ``q`` and ``v``
        (shape and rate of the customers' gamma-distributed rates; ``v`` is the papers' gamma).
    standard_errors_ : dict[str, float]
        Asymptotic standard errors of ``params_``.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_customers_ : float
        Number of repeat buyers (sum of their weights) the model was fitted on.
    """

    params_: dict[str, float]
    standard_errors_: dict[str, float]
    log_likelihood_: float
    n_customers_: float

    def __init__(self, *, tolerance: float = 1e-10, max_iterations: int = 1000) -> None:
        self.tolerance = tolerance
        self.max_iterations = max_iterations

    def fit(
        self,
        frequency: npt.ArrayLike,
        monetary_value: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood on the repeat buyers.

        Parameters
        ----------
        frequency
            Number of repeat transactions per customer (whole numbers).
        monetary_value
            Mean value of those repeat transactions (first purchase excluded), positive.
        weights
            Number of customers each row stands for (1 when not given).

        Customers with ``frequency == 0`` and ``monetary_value == 0`` are skipped: the model
        describes repeat buyers only, and this is how summaries usually code one-time buyers.
        A customer with ``frequency == 0`` and a positive monetary value is refused
        (``model.monetary_without_repeat``), since that value would be the first purchase,
        which the model must not see.
        """
        x = as_vector(frequency, "frequency")
        m = as_vector(monetary_value, "monetary_value")
        n = same_length(frequency=x, monetary_value=m)
        w = as_weights(weights, n)
        _require_whole(x, "frequency")
        one_time = x == 0
        if np.any(one_time & (m > 0)):
            raise InputError("model.monetary_without_repeat", count=int(np.sum(one_time & (m > 0))))
        repeat = ~one_time
        if np.any(repeat & (m <= 0)):
            raise InputError("model.monetary_not_positive", count=int(np.sum(repeat & (m <= 0))))
        (x, m), w = compress_patterns([x[repeat], m[repeat]], w[repeat])
        usable = float(w.sum())
        if usable < len(PARAMETER_NAMES):
            raise InputError("model.too_few", model="Gamma-Gamma", count=usable, minimum=3)

        def objective(params: FloatArray) -> tuple[float, FloatArray]:
            value, gradient = gamma_gamma_log_likelihood(params, x, m, w)
            return -value, -gradient

        params, minimum = maximise_likelihood(
            objective,
            _initial_guess(m, w),
            tolerance=self.tolerance,
            max_iterations=self.max_iterations,
        )
        self.params_ = named(PARAMETER_NAMES, params)
        self.standard_errors_ = named(PARAMETER_NAMES, standard_errors(objective, params))
        self.log_likelihood_ = -minimum
        self.n_customers_ = usable
        return self

    def expected_spend(self, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike) -> FloatArray:
        """Conditional expected average spend per transaction, E(M | p, q, v, m, x).

        The mean of the posterior of ``p / nu`` (Fader & Hardie 2013; Fader, Hardie & Lee 2005)::

            E(M | m, x) = p (v + x m) / (p x + q − 1)
                        = (q − 1) / (p x + q − 1) · p v / (q − 1) + p x / (p x + q − 1) · m

        a weighted mean of the population mean ``p v / (q − 1)`` and the customer's observed
        mean, the customer's weight growing with ``x``. For ``x = 0`` (no repeat purchase) it is
        the population mean and ``monetary_value`` is ignored. When the expectation does not
        exist (``p x + q <= 1``) the result is infinite.
        """
        p, q, v = (check_fitted(self)[k] for k in PARAMETER_NAMES)
        x = as_vector(frequency, "frequency")
        m = as_vector(monetary_value, "monetary_value")
        same_length(frequency=x, monetary_value=m)
        _require_whole(x, "frequency")
        denominator = p * x + q - 1
        observed = np.where(x > 0, m, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            spend = p * (v + x * observed) / denominator
        return np.where(denominator > 0, spend, np.inf)

    def expected_spend_new(self) -> float:
        """Expected average spend of a customer with no history: ``p v / (q − 1)``.

        The mean of ``p / nu`` under the gamma(q, v) mixing distribution (Fader & Hardie 2013);
        infinite when ``q <= 1``.
        """
        p, q, v = (check_fitted(self)[k] for k in PARAMETER_NAMES)
        return p * v / (q - 1) if q > 1 else math.inf


def _initial_guess(m: FloatArray, w: FloatArray) -> FloatArray:
    # Matching the population mean p v / (q − 1) to the observed mean starts the search on the
    # right scale, which matters when amounts are far from 1 (in đồng they run to millions).
    mean = float(w @ m / w.sum())
    return np.array([1.0, 2.0, max(mean, 1e-8)])
