"""The Pareto/NBD model of repeat purchasing.

Sources: Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They and What
Will They Do Next?", Management Science 33(1):1-24; the likelihood and the related expressions
in the form of Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related
Expressions" (note at brucehardie.com).

The story: while active, a customer buys at the times of a Poisson process with rate ``λ``,
and stays active for an exponentially distributed time with rate ``μ``. Across customers ``λ``
is gamma with shape ``r`` and rate ``α``, and ``μ`` gamma with shape ``s`` and rate ``β``.

The likelihood holds Gauss hypergeometric functions ``2F1(a, b; a + 1; z)``, whose derivatives
in ``a`` and ``b`` SciPy does not provide. They are computed here from the integral::

    2F1(a, b; a + 1; z) = a ∫₀¹ w^(a−1) (1 − z w)^(−b) dw = ∫₀¹ (1 − z u^(1/a))^(−b) du

(Euler's integral, DLMF 15.6.1, with ``u = w^a``), by a fixed tanh-sinh rule, and the gradient
is the exact derivative of that rule under the integral sign.

>>> frequency = [0, 0, 0, 1, 1, 2, 3, 0, 5, 0, 2, 0, 1, 4, 0, 0]
>>> recency = [0, 0, 0, 10, 3, 20, 30, 0, 35, 0, 12, 0, 4, 25, 0, 0]
>>> model = ParetoNBD().fit(frequency, recency, [38.0] * 16)
>>> sorted(model.params_)
['alpha', 'beta', 'r', 's']
>>> bool(0 < model.probability_alive([0], [0], [38.0])[0] < 1)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, expit, gammaln

from ._base import FloatArray, as_vector
from ._transaction import IntArray, TransactionModel, Transactions, horizon, transactions

PARAMETER_NAMES = ("r", "alpha", "s", "beta")


def _tanh_sinh_rule(step: float, smallest_weight: float) -> tuple[FloatArray, FloatArray]:
    """``log u`` at the nodes of the tanh-sinh rule on (0, 1), and the weights.

    Nodes ``u = (1 + tanh(π/2 sinh k)) / 2`` for ``k`` on a grid of width ``step``
    (Takahasi & Mori 1974). They crowd double-exponentially towards both ends, which is what
    the integrand needs: for large ``a`` it changes only where ``u^(1/a)`` leaves 1, at ``u``
    below ``e^(−a)``, and for ``z`` near 1 it peaks sharply at ``u = 1``. Nodes whose weight is
    below ``smallest_weight`` are dropped (the integrand is at most its value at ``u = 1``).
    """
    k = np.arange(-int(7 / step), int(7 / step) + 1) * step
    s = np.pi / 2 * np.sinh(k)
    log_u = -np.logaddexp(0.0, -2 * s)
    # du/dk = π/2 cosh(k) / (2 cosh²(s)) = π cosh(k) u (1 − u), overflow-free.
    weights = step * np.pi * np.cosh(k) * expit(2 * s) * expit(-2 * s)
    keep = weights > smallest_weight
    return log_u[keep], weights[keep]


#: With this step the rule meets 2F1(a, b; a + 1; z) to about 1e-11 relative for a, b up to
#: hundreds, a > b − 1 (always so in the likelihood) and z up to 0.95, with 55 nodes (checked
#: against scipy.special.hyp2f1 in the tests).
_LOG_NODES, _WEIGHTS = _tanh_sinh_rule(1 / 8, 1e-20)
#: Rows per block of the quadrature, to keep the (rows × nodes) temporaries in cache.
_BLOCK = 4096


def _log_hyp2f1_terms(
    a_levels: FloatArray, level: IntArray, b: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``log 2F1(a, b; a + 1; z)`` and its derivatives in ``a``, ``b`` and ``z``.

    ``a`` is ``a_levels[level]``: the powers ``u^(1/a)`` at the nodes are computed once per
    distinct ``a``. Requires ``a > 0``, ``b > 0`` and ``0 <= z < 1``.

    With ``D(u) = 1 − z u^(1/a)`` and ``f = D^(−b)``, the rule gives ``F = Σ w f`` and::

        ∂F/∂b = −Σ w f log D,   ∂F/∂z = b Σ w f u^(1/a) / D,
        ∂F/∂a = −b z Σ w f (u^(1/a) log u / a²) / D

    All sums are scaled by the largest term, ``f`` at the node nearest ``u = 1``, so that
    ``(1 − z)^(−b)`` cannot overflow.
    """
    exponent = _LOG_NODES[None, :] / a_levels[:, None]
    power = np.exp(exponent)
    # 1 − u^(1/a) via expm1: near u = 1 it is tiny, and with z near 1 it sets the peak of f.
    complement = -np.expm1(exponent)
    d_power = power * exponent / a_levels[:, None]
    n = len(z)
    value, d_a, d_b, d_z = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for start in range(0, n, _BLOCK):
        rows = slice(start, start + _BLOCK)
        lv = level[rows]
        zz = z[rows, None]
        bb = b[rows, None]
        base = (1 - zz) + zz * complement[lv]
        log_base = np.log(base)
        log_f = -bb * log_base
        top = log_f[:, -1:]
        terms = np.exp(log_f - top) * _WEIGHTS
        total = terms.sum(axis=1)
        over_base = terms / base
        value[rows] = top[:, 0] + np.log(total)
        d_b[rows] = -np.einsum("ij,ij->i", terms, log_base) / total
        d_z[rows] = b[rows] * np.einsum("ij,ij->i", over_base, power[lv]) / total
        d_a[rows] = -b[rows] * z[rows] * np.einsum("ij,ij->i", over_base, d_power[lv]) / total
    return value, d_a, d_b, d_z


def log_hyp2f1_next(
    a: npt.ArrayLike, b: npt.ArrayLike, z: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``log 2F1(a, b; a + 1; z)`` and its derivatives in ``a``, ``b``, ``z``, elementwise.

    For ``a > 0``, ``b > 0``, ``0 <= z < 1``, by the quadrature of :func:`_log_hyp2f1_terms`.

    >>> import numpy as np
    >>> from scipy.special import hyp2f1
    >>> value = log_hyp2f1_next(1.2, 1.6, 0.3)[0]
    >>> bool(abs(np.exp(value[0]) / hyp2f1(1.2, 1.6, 2.2, 0.3) - 1) < 1e-12)
    True
    """
    a_all, b_all, z_all = (np.ravel(v).astype(np.float64) for v in np.broadcast_arrays(a, b, z))
    a_levels, level = np.unique(a_all, return_inverse=True)
    return _log_hyp2f1_terms(a_levels, level.ravel(), b_all, z_all)


@dataclass(frozen=True)
class _Prepared:
    data: Transactions
    levels: FloatArray
    level_index: IntArray
    #: The distinct (frequency level, time) pairs among (x, t_x) and (x, T): the integrals
    #: are computed once per pair (all one-time buyers share t_x = 0).
    pair_level: IntArray
    pair_time: FloatArray
    last_pair: IntArray
    age_pair: IntArray


def _prepare(data: Transactions) -> _Prepared:
    levels, index = data.frequency_levels()
    n = len(data)
    level = np.concatenate([index, index])
    time = np.concatenate([data.recency, data.age])
    order = np.lexsort((time, level))
    level_sorted, time_sorted = level[order], time[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (level_sorted[1:] != level_sorted[:-1]) | (time_sorted[1:] != time_sorted[:-1])
    pair_of_sorted = np.cumsum(new) - 1
    pair = np.empty(len(order), dtype=np.intp)
    pair[order] = pair_of_sorted
    return _Prepared(
        data,
        levels,
        index,
        level_sorted[new],
        time_sorted[new],
        pair[:n],
        pair[n:],
    )


@dataclass(frozen=True)
class _Pieces:
    """The three terms of the likelihood and how each pulls on the parameters.

    ``log L = const + M + log(e^(A−M) + s (e^(Jt−M) − e^(JT−M)))`` where ``A`` is the log of
    the "still active at T" term and ``Jt``, ``JT`` the logs of the integrals from ``t_x`` and
    from ``T`` (see :func:`_pieces`).
    """

    log_likelihood: FloatArray
    gradient: FloatArray
    alive: FloatArray


def _pieces(params: FloatArray, prepared: _Prepared) -> _Pieces:
    """Log-likelihood of each row, its gradient in ``(r, α, s, β)`` and P(alive).

    Fader & Hardie (2005 note), the Pareto/NBD likelihood::

        L = Γ(r+x) α^r β^s / Γ(r) · [ 1 / ((α+T)^(r+x) (β+T)^s) + s/(r+s+x) · A₀ ]

    with, for ``α >= β``,
    ``A₀ = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+t_x)) / (α+t_x)^(r+s+x) − (same at T)``, and for
    ``α < β`` the roles of ``(α, s+1)`` taken by ``(β, r+x)``, so that ``0 <= z < 1``. Here
    ``s/(r+s+x) · A₀ = s (J(t_x) − J(T))`` with ``J(y) = (m+y)^(−a) 2F1(a, b; a+1; z_y) / a``,
    ``m = max(α, β)``, ``a = r+s+x``, ``z_y = |α−β| / (m+y)``: ``J(y)`` is the integral
    ``∫_y^∞ (α+τ)^(−(r+x)) (β+τ)^(−(s+1)) dτ`` over the customer's unobserved dropout time.
    Sums are taken in log space around the larger term. P(alive) is the share of the first
    term (the note's P(alive) expression).
    """
    r, alpha, s, beta = params
    data = prepared.data
    x, age = data.frequency, data.age
    levels, index = prepared.levels, prepared.level_index
    alpha_larger = alpha >= beta
    m = alpha if alpha_larger else beta
    gap = abs(alpha - beta)

    a_levels = r + s + levels
    b_levels = np.full(len(levels), s + 1) if alpha_larger else r + levels
    pl = prepared.pair_level
    a = a_levels[pl]
    b = b_levels[pl]
    shifted = m + prepared.pair_time
    z = gap / shifted
    log_f, f_a, f_b, f_z = _log_hyp2f1_terms(a_levels, pl, b, z)
    log_shifted = np.log(shifted)
    log_j = -a * log_shifted + log_f - np.log(a)
    j_a = -log_shifted + f_a - 1 / a
    j_m = -a / shifted - f_z * z / shifted
    j_gap = f_z / shifted
    j_grad = np.empty((len(pl), 4))
    j_grad[:, 0] = j_a + (0.0 if alpha_larger else f_b)
    j_grad[:, 2] = j_a + (f_b if alpha_larger else 0.0)
    if alpha_larger:
        j_grad[:, 1] = j_m + j_gap
        j_grad[:, 3] = -j_gap
    else:
        j_grad[:, 1] = -j_gap
        j_grad[:, 3] = j_m + j_gap

    rx = r + x
    log_alpha_age = np.log(alpha + age)
    log_beta_age = np.log(beta + age)
    active = -rx * log_alpha_age - s * log_beta_age
    from_last = log_j[prepared.last_pair]
    from_age = log_j[prepared.age_pair]
    top = np.maximum(active, from_last)
    e_active = np.exp(active - top)
    e_last = s * np.exp(from_last - top)
    e_age = s * np.exp(from_age - top)
    total = e_active + (e_last - e_age)
    ll = (
        (gammaln(r + levels) - gammaln(r))[index]
        + r * np.log(alpha)
        + s * np.log(beta)
        + top
        + np.log(total)
    )
    share_active = e_active / total
    share_last = e_last / total
    share_age = e_age / total
    gradient = (
        share_last[:, None] * j_grad[prepared.last_pair]
        - share_age[:, None] * j_grad[prepared.age_pair]
    )
    gradient[:, 0] += (
        (digamma(r + levels) - digamma(r))[index] + np.log(alpha) - share_active * log_alpha_age
    )
    gradient[:, 1] += r / alpha - share_active * rx / (alpha + age)
    gradient[:, 2] += np.log(beta) - share_active * log_beta_age + (share_last - share_age) / s
    gradient[:, 3] += s / beta - share_active * s / (beta + age)
    return _Pieces(ll, gradient, share_active)


def pareto_nbd_log_likelihood(
    params: npt.ArrayLike, frequency: Any, recency: Any, T: Any
) -> tuple[FloatArray, FloatArray]:
    """Log-likelihood of each customer under Pareto/NBD ``(r, α, s, β)``, and its gradient.

    Returns the per-customer log-likelihood (shape ``(n,)``) and its gradient
    (shape ``(n, 4)``); see :func:`_pieces` for the formula.
    """
    pieces = _pieces(
        np.asarray(params, dtype=np.float64), _prepare(transactions(frequency, recency, T))
    )
    return pieces.log_likelihood, pieces.gradient


def _lifetime_factor(s: float, scale: FloatArray, t: FloatArray) -> FloatArray:
    """``scale · [1 − (scale / (scale + t))^(s−1)] / (s − 1)``, and its limit at ``s = 1``.

    The expected time an active customer stays active within the next ``t`` when the dropout
    rate is gamma with shape ``s`` and rate ``scale``: ``∫₀ᵗ (scale / (scale + u))^s du``.
    Taken through expm1/log1p so that it is exact for small ``t`` and for ``s`` near 1.
    """
    log_ratio = -np.log1p(t / scale)
    if abs(s - 1) < 1e-12:
        return -scale * log_ratio
    return np.asarray(-scale * np.expm1((s - 1) * log_ratio) / (s - 1), dtype=np.float64)


def _dot(a: FloatArray, b: FloatArray) -> float:
    # einsum rather than BLAS: on a busy machine multithreaded BLAS threads spin and slow down
    # the rest more than the product itself takes.
    return float(np.einsum("i,i->", a, b))


class ParetoNBD(TransactionModel[_Prepared]):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), fitted by maximum likelihood.

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
        ``s`` and ``beta``: shape and rate of the gamma distribution of dropout rates.
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
    model_name: ClassVar[str] = "Pareto/NBD"

    def _prepare(self, data: Transactions) -> _Prepared:
        return _prepare(data)

    def _log_likelihood(
        self, params: FloatArray, prepared: _Prepared
    ) -> tuple[FloatArray, FloatArray]:
        pieces = _pieces(params, prepared)
        return pieces.log_likelihood, pieces.gradient

    def _initial_params(self, data: Transactions, weights: FloatArray) -> FloatArray:
        # Purchase rate from the repeat buyers' mean rate; dropout rates with a mean lifetime
        # of about the mean age, and strong heterogeneity on both (shapes below 1), as in
        # most retail data.
        repeat = data.frequency > 0
        rate = _dot(weights[repeat], data.frequency[repeat]) / _dot(
            weights[repeat], np.maximum(data.age[repeat], 1e-12)
        )
        mean_age = _dot(weights, data.age) / float(weights.sum())
        r = s = 0.5
        return np.array([r, r / max(rate, 1e-12), s, s * max(mean_age, 1e-12)])

    def probability_alive(self, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """Probability that each customer is still active at ``T``.

        Fader & Hardie (2005 note), P(alive | x, t_x, T)::

            P(alive) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A₀)

        with ``A₀`` as in the likelihood: the share of the "still active" term in it.
        """
        params = self._fitted()
        return _pieces(params, _prepare(transactions(frequency, recency, T))).alive

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """Expected purchases of each customer in the next ``t`` time units, E[Y(t) | x, t_x, T].

        Schmittlein, Morrison & Colombo (1987); Fader & Hardie (2005 note)::

            E[Y(t) | x, t_x, T] = (r + x)(β + T) / ((α + T)(s − 1))
                                  · [1 − ((β + T) / (β + T + t))^(s−1)] · P(alive | x, t_x, T)

        (for ``s = 1`` its limit, with ``(β+T) log(1 + t/(β+T))`` in place of the bracket).

        Parameters
        ----------
        t
            Length of the prediction period: one value for all customers, or one each.
        frequency, recency, T
            Each customer's history, as for :meth:`fit`.
        """
        params = self._fitted()
        r, alpha, s, beta = params
        data = transactions(frequency, recency, T)
        span = horizon(t, len(data))
        alive = _pieces(params, _prepare(data)).alive
        rate = (r + data.frequency) / (alpha + data.age)
        return np.asarray(rate * _lifetime_factor(s, beta + data.age, span) * alive)

    def expected_purchases_new(self, t: Any) -> FloatArray:
        """Expected repeat purchases of a new customer in ``(0, t]``, E[X(t)].

        Schmittlein, Morrison & Colombo (1987); Fader & Hardie (2005 note)::

            E[X(t)] = r β / (α (s − 1)) · [1 − (β / (β + t))^(s−1)]

        Parameters
        ----------
        t
            One or more period lengths; the result has one value per length.
        """
        r, alpha, s, beta = self._fitted()
        span = as_vector(t, "t")
        return np.asarray(r / alpha * _lifetime_factor(s, np.full(len(span), beta), span))
