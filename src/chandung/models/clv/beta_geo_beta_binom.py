"""The beta-geometric/beta-binomial (BG/BB) model for discrete purchase opportunities.

Source: Fader, Hardie & Shang (2010), "Customer-Base Analysis in a Discrete-Time Noncontractual
Setting", Marketing Science 29(6):1086-1108.

After the first purchase (at opportunity 0) a customer faces opportunities 1, 2, ...; before each
one an active customer becomes inactive for good with probability ``θ``, and an active customer
buys at an opportunity with probability ``p``. Across customers ``p`` is beta(α, β) and ``θ`` is
beta(γ, δ), independently. A customer's history is ``x`` repeat purchases (frequency) over ``n``
opportunities (n_periods), the last at opportunity ``t_x`` (recency; 0 when ``x = 0``).

>>> model = BetaGeoBetaBinom().fit(
...     frequency=[0, 1, 1, 2, 3, 6], recency=[0, 1, 4, 5, 6, 6], n_periods=[6] * 6,
...     weights=[350, 110, 25, 60, 40, 20])
>>> sorted(model.params_)
['alpha', 'beta', 'delta', 'gamma']
>>> bool(model.probability_alive([6], [6], [6])[0] > model.probability_alive([1], [1], [6])[0])
True
"""

from __future__ import annotations

from typing import Self

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, digamma, gammaln, logsumexp  # type: ignore[import-untyped, unused-ignore]

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

PARAMETER_NAMES = ("alpha", "beta", "gamma", "delta")
#: Cells of the (pattern × death opportunity) grid evaluated at once, to bound memory.
_GRID_CELLS = 1 << 21


def check_history(
    frequency: npt.ArrayLike, recency: npt.ArrayLike, n_periods: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validated ``(x, t_x, n)``: whole numbers with ``x <= t_x <= n`` and ``x = 0 ⇔ t_x = 0``."""
    x = as_vector(frequency, "frequency")
    t_x = as_vector(recency, "recency")
    n = as_vector(n_periods, "n_periods")
    same_length(frequency=x, recency=t_x, n_periods=n)
    for values, name in ((x, "frequency"), (t_x, "recency"), (n, "n_periods")):
        if np.any(values != np.round(values)):
            raise InputError("model.not_whole", field=name)
    if np.any(t_x > n):
        raise InputError("model.frequency_above_periods", count=int(np.sum(t_x > n)))
    if np.any(x > t_x):
        raise InputError("model.frequency_above_recency", count=int(np.sum(x > t_x)))
    mismatch = (x == 0) != (t_x == 0)
    if np.any(mismatch):
        raise InputError("model.recency_without_frequency", count=int(np.sum(mismatch)))
    return x, t_x, n


def _pattern_log_likelihood(
    params: FloatArray, x: FloatArray, t_x: FloatArray, n: FloatArray, *, gradient: bool
) -> tuple[FloatArray, FloatArray]:
    """Per-pattern log-likelihood and (if asked) its gradient, shape ``(patterns, 4)``.

    The customer is either still active after opportunity ``n`` (first term) or became
    inactive just before opportunity ``t_x + i + 1`` for some ``i = 0 .. n − t_x − 1``::

        L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
            + Σ_i B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)

    Each term is a product of beta functions, so its derivative in log space is a difference of
    digammas; the gradient of ``log L`` is the softmax-weighted mean of the terms' gradients.
    """
    a, b, g, d = params
    n_patterns = len(x)
    log_l = np.empty(n_patterns)
    grad = np.zeros((n_patterns, 4))
    constant = -betaln(a, b) - betaln(g, d)
    constant_grad = np.array(
        [
            digamma(a + b) - digamma(a),
            digamma(a + b) - digamma(b),
            digamma(g + d) - digamma(g),
            digamma(g + d) - digamma(d),
        ]
    )
    deaths = n - t_x
    width = int(deaths.max(initial=0))
    rows = max(1, _GRID_CELLS // (width + 1))
    for start in range(0, n_patterns, rows):
        part = slice(start, start + rows)
        xs, ts, ns = x[part, None], t_x[part, None], n[part, None]
        # Column 0 is the "still active" term, column 1 + i the "inactive after t_x + i" term.
        i = np.arange(width, dtype=np.float64)[None, :]
        alive_after = ts + i
        terms = np.concatenate(
            [
                betaln(a + xs, b + ns - xs) + betaln(g, d + ns),
                betaln(a + xs, b + alive_after - xs) + betaln(g + 1, d + alive_after),
            ],
            axis=1,
        )
        valid = np.concatenate([np.ones_like(xs, dtype=bool), i < deaths[part, None]], axis=1)
        terms = np.where(valid, terms, -np.inf)
        total = logsumexp(terms, axis=1)
        log_l[part] = constant + total
        if not gradient:
            continue
        share = np.exp(terms - total[:, None])
        # Opportunities seen while active: n for the first term, t_x + i for the others.
        seen = np.concatenate([ns, alive_after], axis=1)
        psi_purchase = digamma(a + b + seen)
        d_alpha = digamma(a + xs) - psi_purchase
        d_beta = digamma(b + seen - xs) - psi_purchase
        # The first term has B(γ, δ + n), the others B(γ + 1, δ + t_x + i).
        dropped = np.concatenate([np.zeros_like(xs), np.ones_like(alive_after)], axis=1)
        psi_dropout = digamma(g + d + dropped + seen)
        d_gamma = digamma(g + dropped) - psi_dropout
        d_delta = digamma(d + seen) - psi_dropout
        grad[part] = constant_grad + np.stack(
            [
                np.sum(share * part_grad, axis=1)
                for part_grad in (d_alpha, d_beta, d_gamma, d_delta)
            ],
            axis=1,
        )
    return log_l, grad


def beta_geo_beta_binom_log_likelihood(
    params: FloatArray,
    frequency: FloatArray,
    recency: FloatArray,
    n_periods: FloatArray,
    weights: FloatArray,
) -> tuple[float, FloatArray]:
    """The weighted BG/BB log-likelihood and its gradient in ``(α, β, γ, δ)``.

    Fader, Hardie & Shang (2010), the likelihood ``L(α, β, γ, δ | x, t_x, n)`` of section 3,
    summed over the patterns with their counts as weights.
    """
    log_l, grad = _pattern_log_likelihood(params, frequency, recency, n_periods, gradient=True)
    # einsum rather than BLAS, whose threads can stall a busy machine (see _base).
    return float(np.einsum("i,i->", weights, log_l)), np.einsum("i,ij->j", weights, grad)


class BetaGeoBetaBinom:
    """BG/BB model of discrete-time noncontractual purchasing (Fader, Hardie & Shang 2010).

    Parameters
    ----------
    tolerance
        Convergence tolerance of the likelihood maximisation.
    max_iterations
        Iteration limit of the optimiser.

    Attributes
    ----------
    params_ : dict[str, float]
        Maximum-likelihood estimates: ``alpha``, ``beta`` of the beta distribution of the
        purchase probability and ``gamma``, ``delta`` of that of the dropout probability.
    standard_errors_ : dict[str, float]
        Asymptotic standard errors of ``params_``.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_customers_ : float
        Number of customers (sum of the weights) the model was fitted on.
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
        recency: npt.ArrayLike,
        n_periods: npt.ArrayLike,
        weights: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency
            Repeat purchases ``x`` (opportunities with a purchase after the first purchase).
        recency
            Opportunity ``t_x`` of the last repeat purchase, 0 when there is none.
        n_periods
            Opportunities ``n`` observed after the first purchase.
        weights
            Number of customers each row stands for (1 when not given).
        """
        x, t_x, n = check_history(frequency, recency, n_periods)
        w = as_weights(weights, len(x))
        (x, t_x, n), w = compress_patterns([x, t_x, n], w)
        usable = float(w.sum())
        if usable < len(PARAMETER_NAMES):
            raise InputError("model.too_few", model="BG/BB", count=usable, minimum=4)

        def objective(params: FloatArray) -> tuple[float, FloatArray]:
            value, gradient = beta_geo_beta_binom_log_likelihood(params, x, t_x, n, w)
            return -value, -gradient

        params, minimum = maximise_likelihood(
            objective,
            np.ones(4),
            tolerance=self.tolerance,
            max_iterations=self.max_iterations,
        )
        self.params_ = named(PARAMETER_NAMES, params)
        self.standard_errors_ = named(PARAMETER_NAMES, standard_errors(objective, params))
        self.log_likelihood_ = -minimum
        self.n_customers_ = usable
        return self

    def _params(self) -> FloatArray:
        params = check_fitted(self)
        return np.array([params[k] for k in PARAMETER_NAMES])

    def _log_likelihood(self, x: FloatArray, t_x: FloatArray, n: FloatArray) -> FloatArray:
        # Evaluated on the distinct histories only, then spread back to the customers.
        stacked = np.column_stack([x, t_x, n])
        unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
        log_l, _ = _pattern_log_likelihood(
            self._params(), unique[:, 0], unique[:, 1], unique[:, 2], gradient=False
        )
        return log_l[inverse.ravel()]

    def _alive_sum(self, start: FloatArray, t: FloatArray) -> FloatArray:
        """Σ over k = start+1 .. start+t of E[(1 − θ)^k] = B(γ, δ + k) / B(γ, δ).

        Fader, Hardie & Shang (2010) give it in closed form,
        ``δ / (γ − 1) · [A(start) − A(start + t)]`` with
        ``A(m) = Γ(γ + δ) Γ(1 + δ + m) / (Γ(1 + δ) Γ(γ + δ + m))``.
        """
        _, _, g, d = self._params()

        def log_a(m: FloatArray) -> FloatArray:
            value: FloatArray = (
                gammaln(g + d) - gammaln(1 + d) + gammaln(1 + d + m) - gammaln(g + d + m)
            )
            return value

        if abs(g - 1) < 1e-7:
            # At γ = 1 the closed form is 0/0; its limit is a difference of digammas.
            return np.asarray(d * (digamma(1 + d + start + t) - digamma(1 + d + start)))
        now = log_a(start)
        difference = -np.exp(now) * np.expm1(log_a(start + t) - now)
        return np.asarray(d / (g - 1) * difference)

    def expected_purchases_new(self, t: npt.ArrayLike) -> FloatArray:
        """Expected purchases of a new customer over its first ``t`` opportunities, E[X(t)].

        Fader, Hardie & Shang (2010), equation (8)::

            E[X(t)] = α / (α + β) · δ / (γ − 1) · [1 − Γ(γ+δ) Γ(1+δ+t) / (Γ(1+δ) Γ(γ+δ+t))]
        """
        a, b, _, _ = self._params()
        horizon = as_vector(t, "t")
        purchase_share = float(a / (a + b))
        return purchase_share * self._alive_sum(np.zeros_like(horizon), horizon)

    def expected_purchases(
        self,
        t: npt.ArrayLike,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        n_periods: npt.ArrayLike,
    ) -> FloatArray:
        """Expected purchases in the next ``t`` opportunities, given each customer's history.

        Fader, Hardie & Shang (2010), equation (13), E[X(n, n + t) | α, β, γ, δ, x, t_x, n]::

            1/L · B(α+x+1, β+n−x)/B(α,β) · δ/(γ−1) · Γ(γ+δ)/Γ(1+δ)
                · [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+t)/Γ(γ+δ+n+t)]

        ``t`` is a number of opportunities (a scalar or one per customer). A purchase after
        opportunity ``n`` needs the customer to have been active throughout, so only the first
        term of the likelihood contributes.
        """
        a, b, _, _ = self._params()
        x, t_x, n = check_history(frequency, recency, n_periods)
        horizon = np.broadcast_to(as_vector(t, "t"), x.shape)
        log_l = self._log_likelihood(x, t_x, n)
        purchase: FloatArray = betaln(a + x + 1, b + n - x) - betaln(a, b)
        return np.exp(purchase - log_l) * self._alive_sum(n, horizon)

    def probability_alive(
        self,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        n_periods: npt.ArrayLike,
        *,
        ahead: int = 1,
    ) -> FloatArray:
        """Probability that the customer is still active at opportunity ``n + ahead``.

        Fader, Hardie & Shang (2010), equation (11), is the default ``ahead = 1``: the chance
        of being active at the next opportunity, n + 1::

            P(alive at n + 1 | x, t_x, n) = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+1)/B(γ,δ) / L

        ``ahead = 0`` gives the probability of being active at opportunity ``n`` itself.
        """
        a, b, g, d = self._params()
        x, t_x, n = check_history(frequency, recency, n_periods)
        steps = float(as_vector(ahead, "ahead")[0])
        log_l = self._log_likelihood(x, t_x, n)
        alive: FloatArray = (
            betaln(a + x, b + n - x) - betaln(a, b) + betaln(g, d + n + steps) - betaln(g, d)
        )
        return np.exp(alive - log_l)
