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
from collections.abc import Iterator
from typing import Self

import numpy as np
import numpy.typing as npt
from scipy.special import (  # type: ignore[import-untyped, unused-ignore]
    digamma,
    gammaln,
    polygamma,
)

from ...errors import InputError
from ._base import (
    FloatArray,
    as_vector,
    as_weights,
    check_fitted,
    errors_from_hessian,
    maximise_curved,
    named,
    same_length,
    warm_start_rows,
    whole_levels,
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
    value, gradient, _ = _SpendLikelihood(
        np.asarray(frequency, dtype=np.float64),
        np.asarray(monetary_value, dtype=np.float64),
        np.asarray(weights, dtype=np.float64),
    )(np.asarray(params, dtype=np.float64), False)
    return -value, -gradient


def _dot(a: FloatArray, b: FloatArray) -> float:
    # einsum rather than BLAS: on a busy machine multithreaded BLAS threads spin and slow down
    # the rest of the evaluation more than the product itself takes.
    return float(np.einsum("i,i->", a, b))


#: Customers per block of the likelihood: its temporaries take a few MiB, allocated once.
_BLOCK = 32_768


class _SpendLikelihood:
    """The weighted negative log-likelihood of repeat buyers, with gradient and Hessian.

    Summed over customers, the log-likelihood separates into terms of the frequency alone
    (gamma functions, once per distinct frequency with the summed weight of its customers),
    sums that do not depend on the parameters (of ``log m`` and ``log x``, computed once) and
    ``−(px + q) Σ w log(v + x m)``, the only part computed customer by customer, with
    ``1/(v + x m)`` and its square for the derivatives in ``v``. The customers are taken in
    blocks of :data:`_BLOCK`, into buffers allocated once: no evaluation allocates memory
    (fresh arrays of a million values cost page faults, as much as the arithmetic itself).
    """

    def __init__(self, x: FloatArray, m: FloatArray, w: FloatArray) -> None:
        levels, index = whole_levels(x)
        self.levels = levels
        self.level_w = np.bincount(index, weights=w, minlength=len(levels))
        self.x, self.m, self.w = x, m, w
        self.total = float(w.sum())
        self.buffers = np.empty((3, min(_BLOCK, len(x))))
        # Σ w log m, and Σ w x (log m + log x) (in the gradient in p): fixed.
        self.sum_log_m, self.sum_x_log_xm = self._fixed_sums()

    def _blocks(self) -> Iterator[tuple[slice, FloatArray, FloatArray, FloatArray]]:
        """Per block: its rows, their weights, ``w x`` and ``x m`` (the last two in buffers)."""
        n = len(self.w)
        for start in range(0, n, _BLOCK):
            rows = slice(start, min(start + _BLOCK, n))
            size = rows.stop - start
            wx, xm = self.buffers[0, :size], self.buffers[1, :size]
            x = self.x[rows]
            np.multiply(self.w[rows], x, out=wx)
            np.multiply(x, self.m[rows], out=xm)
            yield rows, self.w[rows], wx, xm

    def _fixed_sums(self) -> tuple[float, float]:
        sum_log_m = sum_x_log_xm = 0.0
        for rows, w, wx, xm in self._blocks():
            log = self.buffers[2, : len(w)]
            np.log(self.m[rows], out=log)
            sum_log_m += _dot(w, log)
            np.log(xm, out=log)
            sum_x_log_xm += _dot(wx, log)
        return sum_log_m, sum_x_log_xm

    def _sums(self, v: float, curvature: bool) -> FloatArray:
        """``Σ w L``, ``Σ w x L`` with ``L = log(v + x m)``, the same of ``1/(v + x m)`` and
        (with ``curvature``) of its square."""
        sums = np.zeros(6)
        for _, w, wx, xm in self._blocks():
            inverse = self.buffers[2, : len(w)]
            xm += v
            np.divide(1.0, xm, out=inverse)
            np.log(xm, out=xm)
            sums[0] += _dot(w, xm)
            sums[1] += _dot(wx, xm)
            sums[2] += _dot(w, inverse)
            sums[3] += _dot(wx, inverse)
            if curvature:
                inverse *= inverse
                sums[4] += _dot(w, inverse)
                sums[5] += _dot(wx, inverse)
        return sums

    def __call__(
        self, params: FloatArray, curvature: bool
    ) -> tuple[float, FloatArray, FloatArray | None]:
        p, q, v = (float(value) for value in params)
        levels, lw, total = self.levels, self.level_w, self.total
        sum_log, sum_x_log, sum_inv, sum_x_inv, sum_inv2, sum_x_inv2 = self._sums(v, curvature)
        px = p * levels
        lw_x = lw * levels
        psi_sum = digamma(px + q)
        ll = (
            float(lw @ (gammaln(px + q) - gammaln(px)))
            - total * (gammaln(q) - q * np.log(v))
            + p * self.sum_x_log_xm
            - self.sum_log_m
            - p * sum_x_log
            - q * sum_log
        )
        gradient = np.array(
            [
                float(lw_x @ (psi_sum - digamma(px))) + self.sum_x_log_xm - sum_x_log,
                float(lw @ psi_sum) - total * (digamma(q) - np.log(v)) - sum_log,
                total * q / v - p * sum_x_inv - q * sum_inv,
            ]
        )
        if not curvature:
            return -ll, -gradient, None
        tri_sum = polygamma(1, px + q)
        h = np.empty((3, 3))
        h[0, 0] = float((lw_x * levels) @ (tri_sum - polygamma(1, px)))
        h[0, 1] = h[1, 0] = float(lw_x @ tri_sum)
        h[0, 2] = h[2, 0] = -sum_x_inv
        h[1, 1] = float(lw @ tri_sum) - total * float(polygamma(1, q))
        h[1, 2] = h[2, 1] = total / v - sum_inv
        h[2, 2] = -total * q / v**2 + p * sum_x_inv2 + q * sum_inv2
        return -ll, -gradient, -h


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
        x, m, w = x[repeat], m[repeat], w[repeat]
        usable = float(w.sum())
        if usable < len(PARAMETER_NAMES):
            raise InputError("model.too_few", model="Gamma-Gamma", count=usable, minimum=3)
        # No compression to distinct (x, m): the mean spends are rarely equal, and the
        # likelihood costs a logarithm and a division per customer, less than a sort would.
        rows = warm_start_rows(len(x))
        warm = None
        if rows is not None and float(w[rows].sum()) > 0:
            warm = (_SpendLikelihood(x[rows], m[rows], w[rows]), float(w[rows].sum()))
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            params, minimum, curvature = maximise_curved(
                _SpendLikelihood(x, m, w),
                _initial_guess(m, w),
                usable,
                tolerance=self.tolerance,
                max_iterations=self.max_iterations,
                warm=warm,
            )
        self.params_ = named(PARAMETER_NAMES, params)
        self.standard_errors_ = named(PARAMETER_NAMES, errors_from_hessian(curvature))
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
    mean = _dot(w, m) / float(w.sum())
    return np.array([1.0, 2.0, max(mean, 1e-8)])
