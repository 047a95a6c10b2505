"""The BG/NBD model of repeat purchasing (beta-geometric / negative binomial distribution).

Source: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to
the Pareto/NBD Model", Marketing Science 24(2):275-284; for P(alive), Fader, Hardie & Lee
(2008), "Computing P(alive) Using the BG/NBD Model" (note at brucehardie.com).

The story: while active, a customer buys at the times of a Poisson process with rate ``λ``;
right after each repeat purchase the customer becomes inactive for good with probability
``p``. Across customers ``λ`` is gamma with shape ``r`` and rate ``α``, and ``p`` is beta with
parameters ``a`` and ``b``.

>>> frequency = [0, 0, 0, 1, 1, 2, 3, 0, 5, 0, 2, 0, 1, 4, 0, 0]
>>> recency = [0, 0, 0, 10, 3, 20, 30, 0, 35, 0, 12, 0, 4, 25, 0, 0]
>>> model = BetaGeo().fit(frequency, recency, [38.0] * 16)
>>> sorted(model.params_)
['a', 'alpha', 'b', 'r']
>>> float(model.probability_alive([0], [0], [38.0])[0])
1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1, polygamma

from ._base import CurvedObjective, FloatArray, as_vector, whole_levels
from ._transaction import IntArray, TransactionModel, Transactions, horizon, transactions

PARAMETER_NAMES = ("r", "alpha", "a", "b")
#: Half-width of the interval around a = 1 where the expectations are interpolated.
_NEAR_ONE = 1e-6


@dataclass(frozen=True)
class _Prepared:
    data: Transactions
    levels: FloatArray
    level_index: IntArray
    repeat: npt.NDArray[np.bool_]


def _prepare(data: Transactions) -> _Prepared:
    levels, index = data.frequency_levels()
    return _Prepared(data, levels, index, data.frequency > 0)


def _log_dropout_odds(
    params: FloatArray, prepared: _Prepared, levels_log_odds: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``log D`` with ``D = a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x)``, and its logs.

    ``D`` is the odds that a customer dropped out right after the last repeat purchase rather
    than being still active at ``T``; ``-inf`` for customers without a repeat purchase.
    """
    r, alpha = params[0], params[1]
    data = prepared.data
    log_age = np.log(alpha + data.age)
    log_last = np.log(alpha + data.recency)
    log_odds = np.where(
        prepared.repeat,
        levels_log_odds[prepared.level_index] + (r + data.frequency) * (log_age - log_last),
        -np.inf,
    )
    return log_odds, log_age, log_last


def _levels_log_odds(a: float, b: float, levels: FloatArray) -> FloatArray:
    # log(a / (b + x − 1)); for x = 0 the term is unused, and b + 0 keeps the log defined.
    return np.asarray(np.log(a) - np.log(b + np.maximum(levels - 1, 0)), dtype=np.float64)


def _log_likelihood(params: FloatArray, prepared: _Prepared) -> tuple[FloatArray, FloatArray]:
    """Log-likelihood of each row of ``prepared`` and its gradient in ``(r, α, a, b)``.

    Fader, Hardie & Lee (2005), the likelihood of a randomly chosen customer, rearranged
    around the ratio
    ``B(a + 1, b + x − 1) / B(a, b + x) = a / (b + x − 1)``::

        log L = log Γ(r + x) − log Γ(r) + r log α − (r + x) log(α + T)
                + log B(a, b + x) − log B(a, b) + log(1 + D)
        D = δ(x > 0) · a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x)

    ``log(1 + D)`` is taken as ``logaddexp(0, log D)``, so a large ``D`` cannot overflow. The
    gradient follows by hand; ``π = D / (1 + D)`` weighs the derivatives of ``log D``.
    """
    r, alpha, a, b = params
    data = prepared.data
    x = data.frequency
    index = prepared.level_index
    levels = prepared.levels

    # Terms that depend on the frequency alone, once per distinct frequency.
    lv_gamma = gammaln(r + levels) - gammaln(r)
    lv_beta = betaln(a, b + levels) - betaln(a, b)
    lv_d_r = digamma(r + levels) - digamma(r)
    lv_d_a = digamma(a + b) - digamma(a + b + levels)
    lv_d_b = digamma(b + levels) - digamma(b) + lv_d_a
    lv_b_shift = b + np.maximum(levels - 1, 0)

    log_odds, log_age, log_last = _log_dropout_odds(
        params, prepared, _levels_log_odds(a, b, levels)
    )
    rx = r + x
    ll = (
        lv_gamma[index]
        + r * np.log(alpha)
        - rx * log_age
        + lv_beta[index]
        + np.logaddexp(0.0, log_odds)
    )
    share = expit(log_odds)
    gradient = np.empty((len(x), 4))
    gradient[:, 0] = lv_d_r[index] + np.log(alpha) - log_age + share * (log_age - log_last)
    gradient[:, 1] = (
        r / alpha
        - rx / (alpha + data.age)
        + share * rx * (1 / (alpha + data.age) - 1 / (alpha + data.recency))
    )
    gradient[:, 2] = lv_d_a[index] + share / a
    gradient[:, 3] = lv_d_b[index] - share / lv_b_shift[index]
    return ll, gradient


def _trigamma(values: FloatArray | float) -> FloatArray:
    return np.asarray(polygamma(1, values), dtype=np.float64)


def _dot(a: FloatArray, b: FloatArray) -> float:
    # einsum rather than BLAS: on a busy machine multithreaded BLAS threads spin and slow down
    # the rest of the evaluation more than the product itself takes.
    return float(np.einsum("i,i->", a, b))


#: Rows per block of the weighted likelihood: its dozen temporaries take a few MiB in all.
_BLOCK = 32_768


class _WeightedLikelihood:
    """The negative log-likelihood of weighted patterns, summed, with gradient and Hessian.

    What :func:`_log_likelihood` computes per row, summed with the weights, in a form for the
    fit: the terms that depend on the frequency alone (gamma and digamma functions) are taken
    once per frequency level with the summed weight of the level; ``−(r + x) log(α + T)`` and
    its derivatives are weighted sums over all patterns; only ``log(1 + D)`` is computed
    pattern by pattern, and only for repeat buyers (``D = 0`` otherwise). Its logarithm and
    ``π = D / (1 + D)`` come from one exponential, ``e = exp(−|log D|)``::

        log(1 + D) = max(log D, 0) + log1p(e),   π = 1 / (1 + e)  or  e / (1 + e)

    The patterns are taken in blocks of :data:`_BLOCK` rows, into buffers allocated once: no
    evaluation allocates memory (fresh arrays of a million values cost page faults, as much as
    the arithmetic itself, and more on first touch in a fresh process).

    With ``u = log D`` (repeat buyers), ``∇u = (Δ, (r + x) δ, 1/a, −1/(b + x − 1))`` where
    ``Δ = log(α + T) − log(α + t_x)`` and ``δ = 1/(α + T) − 1/(α + t_x)``, the Hessian of
    ``log(1 + D)`` is ``π (1 − π) ∇u ∇uᵀ + π ∇²u``, ``∇²u`` having the entries
    ``∂²u/∂r∂α = δ``, ``∂²u/∂α² = −(r + x) δ (1/(α + T) + 1/(α + t_x))``, ``∂²u/∂a² = −1/a²``
    and ``∂²u/∂b² = 1/(b + x − 1)²``; the other terms are sums of trigamma functions per level
    and of powers of ``1/(α + T)``.
    """

    def __init__(self, data: Transactions, weights: FloatArray) -> None:
        repeat = data.frequency > 0
        first = len(data) - int(np.count_nonzero(repeat))
        if not np.all(repeat[first:]):
            # Repeat buyers last, so that their rows are one contiguous slice.
            order = np.argsort(repeat, kind="stable")
            data = Transactions(data.frequency[order], data.recency[order], data.age[order])
            weights = weights[order]
        self.first = first
        self.x, self.recency, self.age, self.w = (
            data.frequency,
            data.recency,
            data.age,
            weights,
        )
        self.total = float(weights.sum())
        levels, index = whole_levels(data.frequency)
        self.levels = levels
        self.level_w = np.bincount(index, weights=weights, minlength=len(levels))
        size = min(_BLOCK, len(data))
        self.buffers = np.empty((13, size))
        self.positive = np.empty(size, dtype=bool)

    def _sums(self, r: float, alpha: float, a: float, b: float, curvature: bool) -> FloatArray:
        """The weighted sums over patterns that the value and derivatives are made of."""
        sums = np.zeros(24)
        log_a = np.log(a)
        n, first = len(self.w), self.first
        for start in range(0, n, _BLOCK):
            stop = min(start + _BLOCK, n)
            size = stop - start
            (
                log_age,
                inv_age,
                wx,
                span,
                delta,
                rx,
                u,
                e,
                p,
                q,
                inv_b,
                rx_delta,
                both,
            ) = (buffer[:size] for buffer in self.buffers)
            w = self.w[start:stop]
            np.multiply(w, self.x[start:stop], out=wx)
            np.add(self.age[start:stop], alpha, out=log_age)
            np.divide(1.0, log_age, out=inv_age)
            np.log(log_age, out=log_age)
            sums[0] += _dot(w, log_age)
            sums[1] += _dot(wx, log_age)
            sums[2] += _dot(w, inv_age)
            sums[3] += _dot(wx, inv_age)
            if curvature:
                np.multiply(inv_age, inv_age, out=q)
                sums[4] += _dot(w, q)
                sums[5] += _dot(wx, q)
            # The repeat buyers of the block: log(1 + D) and its derivatives.
            skip = max(first - start, 0)
            if skip >= size:
                continue
            rows = slice(start + skip, stop)
            size -= skip
            w = w[skip:]
            log_age, inv_age = log_age[skip:], inv_age[skip:]
            span, delta, rx, u, e, p, q, inv_b, rx_delta, both = (
                v[:size] for v in (span, delta, rx, u, e, p, q, inv_b, rx_delta, both)
            )
            positive = self.positive[:size]
            x = self.x[rows]
            np.add(self.recency[rows], alpha, out=delta)
            np.log(delta, out=span)
            np.subtract(log_age, span, out=span)  # Δ
            np.divide(1.0, delta, out=delta)
            if curvature:
                np.add(inv_age, delta, out=both)  # 1/(α + T) + 1/(α + t_x)
            np.subtract(inv_age, delta, out=delta)  # δ
            np.add(x, r, out=rx)
            np.add(x, b - 1, out=inv_b)
            np.log(inv_b, out=u)
            np.subtract(log_a, u, out=u)
            np.multiply(rx, span, out=e)
            u += e  # u = log D
            np.abs(u, out=e)
            np.negative(e, out=e)
            np.exp(e, out=e)  # e = exp(−|u|)
            np.log1p(e, out=p)
            np.maximum(u, 0.0, out=q)
            p += q  # log(1 + D)
            sums[6] += _dot(w, p)
            np.add(e, 1.0, out=q)
            np.divide(1.0, q, out=q)  # 1 / (1 + e)
            np.greater(u, 0.0, out=positive)
            np.multiply(e, q, out=p)
            np.copyto(p, q, where=positive)  # π
            np.multiply(p, w, out=p)  # w π
            np.divide(1.0, inv_b, out=inv_b)  # 1 / (b + x − 1)
            np.multiply(rx, delta, out=rx_delta)  # (r + x) δ
            sums[7] += float(p.sum())
            sums[8] += _dot(p, span)
            sums[9] += _dot(p, rx_delta)
            sums[10] += _dot(p, inv_b)
            if not curvature:
                continue
            np.multiply(e, q, out=e)
            np.multiply(e, q, out=e)  # π (1 − π) = e / (1 + e)²
            np.multiply(e, w, out=e)  # w π (1 − π)
            sums[11] += _dot(p, delta)
            np.multiply(rx_delta, both, out=q)
            sums[12] += _dot(p, q)
            np.multiply(inv_b, inv_b, out=q)
            sums[13] += _dot(p, q)
            sums[14] += float(e.sum())
            np.multiply(e, span, out=q)
            sums[15] += _dot(q, span)
            sums[16] += _dot(q, rx_delta)
            sums[17] += float(q.sum())
            sums[18] += _dot(q, inv_b)
            np.multiply(e, rx_delta, out=q)
            sums[19] += _dot(q, rx_delta)
            sums[20] += float(q.sum())
            sums[21] += _dot(q, inv_b)
            np.multiply(e, inv_b, out=q)
            sums[22] += float(q.sum())
            sums[23] += _dot(q, inv_b)
        return sums

    def __call__(
        self, params: FloatArray, curvature: bool
    ) -> tuple[float, FloatArray, FloatArray | None]:
        r, alpha, a, b = (float(v) for v in params)
        levels, lw, total = self.levels, self.level_w, self.total
        s = self._sums(r, alpha, a, b, curvature)
        log_alpha = np.log(alpha)
        d_ab = digamma(a + b) - digamma(a + b + levels)
        ll = (
            float(lw @ (gammaln(r + levels) - gammaln(r) + betaln(a, b + levels) - betaln(a, b)))
            + total * r * log_alpha
            - r * s[0]
            - s[1]
            + s[6]
        )
        gradient = np.array(
            [
                float(lw @ (digamma(r + levels) - digamma(r))) + total * log_alpha - s[0] + s[8],
                total * r / alpha - r * s[2] - s[3] + s[9],
                float(lw @ d_ab) + s[7] / a,
                float(lw @ (digamma(b + levels) - digamma(b) + d_ab)) - s[10],
            ]
        )
        if not curvature:
            return -ll, -gradient, None
        t_ab = float(lw @ (_trigamma(a + b) - _trigamma(a + b + levels)))
        h = np.empty((4, 4))
        # The terms outside log(1 + D), then Σ w π ∇²u, then Σ w π (1 − π) ∇u ∇uᵀ.
        h[0, 0] = float(lw @ (_trigamma(r + levels) - _trigamma(r))) + s[15]
        h[0, 1] = total / alpha - s[2] + s[11] + s[16]
        h[0, 2] = s[17] / a
        h[0, 3] = -s[18]
        h[1, 1] = -total * r / alpha**2 + r * s[4] + s[5] - s[12] + s[19]
        h[1, 2] = s[20] / a
        h[1, 3] = -s[21]
        h[2, 2] = t_ab - s[7] / a**2 + s[14] / a**2
        h[2, 3] = t_ab - s[22] / a
        h[3, 3] = float(lw @ (_trigamma(b + levels) - _trigamma(b))) + t_ab + s[13] + s[23]
        h = np.triu(h) + np.triu(h, 1).T
        return -ll, -gradient, -h


def beta_geo_log_likelihood(
    params: npt.ArrayLike, frequency: Any, recency: Any, T: Any
) -> tuple[FloatArray, FloatArray]:
    """Log-likelihood of each customer under BG/NBD ``(r, α, a, b)``, and its gradient.

    Returns the per-customer log-likelihood (shape ``(n,)``) and its gradient
    (shape ``(n, 4)``); see :func:`_log_likelihood` for the formula.
    """
    return _log_likelihood(
        np.asarray(params, dtype=np.float64), _prepare(transactions(frequency, recency, T))
    )


def _conditional_purchases(
    params: FloatArray, t: FloatArray, data: Transactions, alive: FloatArray
) -> FloatArray:
    """E[Y(t) | x, t_x, T]: Fader, Hardie & Lee (2005), equation (10).

    The paper writes ``1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)`` with
    ``z = t / (α+T+t)``. Euler's transformation (DLMF 15.8.1) turns it into
    ``1 − (1−z)^(a−1) · 2F1(a+b−1−r, a−1; a+b+x−1; z)``, where no factor grows with ``x``: the
    literal form multiplies a vanishing power by a huge 2F1 and overflows for heavy buyers.
    At ``a = 1`` both factors of ``(a+b+x−1)/(a−1) · bracket`` are singular or zero; the
    limit is taken as the mean of the values at ``1 ± 1e-6``, exact to about 1e-10.
    """
    a = params[2]
    if abs(a - 1) >= _NEAR_ONE:
        return _purchases_after(params, t, data) * alive
    below, above = params.copy(), params.copy()
    below[2], above[2] = 1 - _NEAR_ONE, 1 + _NEAR_ONE
    return (_purchases_after(below, t, data) + _purchases_after(above, t, data)) / 2 * alive


def _purchases_after(params: FloatArray, t: FloatArray, data: Transactions) -> FloatArray:
    """Equation (10) without its P(alive) factor, for ``a != 1``."""
    r, alpha, a, b = params
    z = t / (alpha + data.age + t)
    tail = hyp2f1(a + b - 1 - r, a - 1, a + b + data.frequency - 1, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        # 1 − (1−z)^(a−1)·2F1 through expm1, exact near t = 0 where both terms are near 1.
        bracket = np.where(
            tail > 0,
            -np.expm1((a - 1) * np.log1p(-z) + np.log(np.where(tail > 0, tail, 1.0))),
            1 - np.exp((a - 1) * np.log1p(-z)) * tail,
        )
    return np.asarray((a + b + data.frequency - 1) / (a - 1) * bracket, dtype=np.float64)


class BetaGeo(TransactionModel[_Prepared]):
    """BG/NBD model (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

    Parameters
    ----------
    tolerance
        Convergence tolerance of the maximisation, on the mean log-likelihood per customer.
    max_iterations
        Iteration limit of the optimiser.

    Attributes
    ----------
    params_ : dict[str, float]
        ``r`` and ``alpha``: shape and rate of the gamma distribution of purchase rates;
        ``a`` and ``b``: parameters of the beta distribution of the dropout probability.
    standard_errors_ : dict[str, float]
        Asymptotic standard errors of ``params_``.
    log_likelihood_ : float
        Maximised log-likelihood, summed over customers.
    n_customers_ : float
        Number of customers fitted on (sum of the weights).
    n_patterns_ : int
        Number of distinct ``(frequency, recency, T)`` patterns among them.
    """

    parameter_names: ClassVar[tuple[str, ...]] = PARAMETER_NAMES
    model_name: ClassVar[str] = "BG/NBD"

    def _prepare(self, data: Transactions) -> _Prepared:
        return _prepare(data)

    def _log_likelihood(
        self, params: FloatArray, prepared: _Prepared
    ) -> tuple[FloatArray, FloatArray]:
        return _log_likelihood(params, prepared)

    def _curved_objective(self, data: Transactions, weights: FloatArray) -> CurvedObjective:
        return _WeightedLikelihood(data, weights)

    def _initial_params(self, data: Transactions, weights: FloatArray) -> FloatArray:
        # Purchase rate from the repeat buyers' mean rate, heterogeneity and dropout at values
        # typical of retail data (r < 1, a mean dropout probability near 0.25): close enough
        # that L-BFGS needs a few dozen steps even for a million customers.
        repeat = data.frequency > 0
        rate = _dot(weights[repeat], data.frequency[repeat]) / _dot(
            weights[repeat], np.maximum(data.age[repeat], 1e-12)
        )
        r = 0.5
        return np.array([r, r / max(rate, 1e-12), 1.0, 3.0])

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """Probability that each customer is still active at ``T``.

        Fader, Hardie & Lee (2008)::

            P(alive | x, t_x, T) = 1 / (1 + δ(x > 0) · a / (b + x − 1) · ((α+T)/(α+t_x))^(r+x))

        It is 1 for customers without a repeat purchase: under BG/NBD dropout can only happen
        right after a repeat purchase.
        """
        params = self._fitted()
        prepared = _prepare(transactions(frequency, recency, T))
        return _probability_alive(params, prepared)

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """Expected purchases of each customer in the next ``t`` time units, E[Y(t) | x, t_x, T].

        Fader, Hardie & Lee (2005), equation (10)::

            E[Y(t) | x, t_x, T] = (a + b + x − 1) / (a − 1)
                · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))]
                / (1 + δ(x > 0) · a / (b + x − 1) · ((α+T)/(α+t_x))^(r+x))

        computed in an equivalent form that does not overflow for heavy buyers (see
        :func:`_conditional_purchases`).

        Parameters
        ----------
        t
            Length of the prediction period: one value for all customers, or one each.
        frequency, recency, T
            Each customer's history, as for :meth:`fit`.
        """
        params = self._fitted()
        prepared = _prepare(transactions(frequency, recency, T))
        span = horizon(t, len(prepared.data))
        return _conditional_purchases(
            params, span, prepared.data, _probability_alive(params, prepared)
        )

    def expected_purchases_new(self, t: Any) -> FloatArray:
        """Expected repeat purchases of a new customer in ``(0, t]``, E[X(t)].

        Fader, Hardie & Lee (2005), equation (9)::

            E[X(t)] = (a + b − 1) / (a − 1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]

        which is equation (10) for ``x = t_x = T = 0``, and is computed that way.

        Parameters
        ----------
        t
            One or more period lengths; the result has one value per length.
        """
        params = self._fitted()
        span = as_vector(t, "t")
        zeros = np.zeros(len(span))
        return _conditional_purchases(
            params, span, Transactions(zeros, zeros, zeros), np.ones(len(span))
        )


def _probability_alive(params: FloatArray, prepared: _Prepared) -> FloatArray:
    log_odds, _, _ = _log_dropout_odds(
        params, prepared, _levels_log_odds(params[2], params[3], prepared.levels)
    )
    return np.asarray(expit(-log_odds), dtype=np.float64)
