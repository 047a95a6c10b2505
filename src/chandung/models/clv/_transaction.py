"""What the non-contractual transaction models (BG/NBD, Pareto/NBD) share.

Both describe a customer by three numbers, counted from the customer's first purchase:

``frequency`` (x)
    the number of repeat purchases in the calibration period (whole, non-negative);
``recency`` (t_x)
    the time of the last repeat purchase, 0 when there is none;
``T``
    the customer's age: the time from the first purchase to the end of the period.

This module checks such summaries, fits a model on their distinct patterns, and leaves each
model to supply its likelihood, its gradient and its predictions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Self, TypeVar

import numpy as np
import numpy.typing as npt

from ...errors import InputError
from ._base import (
    CurvedObjective,
    FloatArray,
    as_vector,
    as_weights,
    check_fitted,
    compress_patterns,
    errors_from_hessian,
    maximise_curved,
    maximise_likelihood,
    named,
    same_length,
    standard_errors,
    warm_start_rows,
    whole_levels,
)

IntArray = npt.NDArray[np.intp]

#: Recency may exceed T, or a one-time buyer's recency differ from 0, by this fraction of T
#: (at least of one time unit): summaries computed in floating point (days / 7) are off by a
#: few ulps, and refusing those would only annoy.
RECENCY_TOLERANCE = 1e-9
#: Rows checked at a time by :func:`transactions`.
_CHECK_BLOCK = 65_536


@dataclass(frozen=True)
class Transactions:
    """Checked transaction summaries, one row per customer or per distinct pattern.

    ``recency`` is exactly 0 where ``frequency`` is 0 and never above ``age``.
    """

    frequency: FloatArray
    recency: FloatArray
    age: FloatArray

    def __len__(self) -> int:
        return len(self.frequency)

    def frequency_levels(self) -> tuple[FloatArray, IntArray]:
        """The distinct frequencies and, per row, the index of its own among them.

        Terms that depend on the frequency alone (gamma functions of ``r + x``, ...) are
        computed once per level: customers buy a handful of distinct times, so this turns the
        costliest special functions from O(rows) into O(levels).
        """
        return whole_levels(self.frequency)


def transactions(frequency: Any, recency: Any, T: Any) -> Transactions:
    """Check ``frequency``, ``recency`` and ``T`` and return them as :class:`Transactions`.

    Raises :class:`~chandung.errors.InputError` with code ``model.not_a_vector``,
    ``model.not_finite``, ``model.negative``, ``model.lengths_differ``, ``model.not_whole``,
    ``model.recency_after_age`` or ``model.recency_without_frequency``.

    >>> data = transactions([0, 2], [0.0, 3.5], [10.0, 10.0])
    >>> data.recency.tolist()
    [0.0, 3.5]
    >>> transactions([0], [1.0], [10.0])
    Traceback (most recent call last):
    ...
    chandung.errors.InputError: 1 customers have a recency that does not fit their frequency ...
    """
    x = as_vector(frequency, "frequency")
    t_x = as_vector(recency, "recency")
    age = as_vector(T, "T")
    n = same_length(frequency=x, recency=t_x, T=age)
    cleaned = np.empty(n)
    late = mismatched = 0
    # By blocks: the temporaries stay small (and in the cache) for a million customers.
    for start in range(0, n, _CHECK_BLOCK):
        rows = slice(start, start + _CHECK_BLOCK)
        xb, tb, ab = x[rows], t_x[rows], age[rows]
        if np.any(xb != np.round(xb)):
            raise InputError("model.not_whole", field="frequency")
        slack = RECENCY_TOLERANCE * np.maximum(ab, 1.0)
        late += int(np.count_nonzero(tb > ab + slack))
        one_time = xb == 0
        mismatched += int(np.count_nonzero(np.where(one_time, tb > slack, tb <= slack)))
        out = cleaned[rows]
        np.minimum(tb, ab, out=out)
        out[one_time] = 0.0
    if late:
        raise InputError("model.recency_after_age", count=late)
    if mismatched:
        raise InputError("model.recency_without_frequency", count=mismatched)
    return Transactions(x, cleaned, age)


def horizon(t: Any, n: int) -> FloatArray:
    """The prediction horizon ``t`` per customer: one value for all, or one each."""
    span = as_vector(t, "t")
    if len(span) == 1:
        return np.full(n, span[0])
    same_length(t=span, customers=np.empty(n))
    return span


def _count(value: float) -> int | float:
    # Weights are usually whole counts; show them without a trailing ".0".
    return int(value) if float(value).is_integer() else round(value, 2)


PreparedT = TypeVar("PreparedT")


class TransactionModel(ABC, Generic[PreparedT]):
    """Base of the transaction models: input checks and the maximum-likelihood fit.

    A model names its parameters, prepares the data once per fit (``_prepare``: whatever can
    be computed before the parameters are known) and computes the log-likelihood of every row
    with its gradient (``_log_likelihood``). Fitting compresses the customers to their distinct
    ``(x, t_x, T)`` patterns first, so its cost grows with the number of patterns, not of
    customers.

    Parameters
    ----------
    tolerance
        Convergence tolerance of the maximisation, on the mean log-likelihood per customer.
    max_iterations
        Iteration limit of the optimiser.

    Attributes
    ----------
    params_ : dict[str, float]
        Maximum-likelihood estimates.
    standard_errors_ : dict[str, float]
        Their asymptotic standard errors (inverse Hessian of the log-likelihood).
    log_likelihood_ : float
        Maximised log-likelihood, summed over customers.
    n_customers_ : float
        Number of customers fitted on (the sum of the weights).
    n_patterns_ : int
        Number of distinct ``(frequency, recency, T)`` patterns among them.
    """

    #: Parameter names in the order of the internal parameter vector.
    parameter_names: ClassVar[tuple[str, ...]]
    #: Name of the model in messages.
    model_name: ClassVar[str]
    #: Below these counts the maximum usually sits on the boundary (a parameter running off
    #: to 0 or infinity) and the estimates say nothing; refuse with a clear message instead.
    min_customers: ClassVar[int] = 10
    min_repeat_buyers: ClassVar[int] = 4

    params_: dict[str, float]
    standard_errors_: dict[str, float]
    log_likelihood_: float
    n_customers_: float
    n_patterns_: int

    def __init__(self, *, tolerance: float = 1e-10, max_iterations: int = 1000) -> None:
        self.tolerance = tolerance
        self.max_iterations = max_iterations

    @abstractmethod
    def _prepare(self, data: Transactions) -> PreparedT:
        """What the likelihood needs that does not depend on the parameters."""

    @abstractmethod
    def _log_likelihood(
        self, params: FloatArray, prepared: PreparedT
    ) -> tuple[FloatArray, FloatArray]:
        """Log-likelihood of each row and its gradient, shape ``(rows, parameters)``."""

    @abstractmethod
    def _initial_params(self, data: Transactions, weights: FloatArray) -> FloatArray:
        """A starting point for the maximisation, in the order of ``parameter_names``."""

    def _curved_objective(self, data: Transactions, weights: FloatArray) -> CurvedObjective | None:
        """The weighted negative log-likelihood with its Hessian, if the model has one.

        A model that gives it is fitted by :func:`~._base.maximise_curved` (a start on a
        subsample, then Newton's method); the others by L-BFGS on ``_log_likelihood``.
        """
        del data, weights
        return None

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> Self:
        """Fit the model by maximum likelihood.

        Parameters
        ----------
        frequency
            Repeat purchases per customer (whole numbers).
        recency
            Time of each customer's last repeat purchase since the first purchase; 0 for
            customers without a repeat purchase.
        T
            Time from each customer's first purchase to the end of the period, in the same
            unit as ``recency``.
        weights
            Number of customers each row stands for (1 when not given); rows can be distinct
            patterns with their counts.

        Returns
        -------
        Self
            The fitted model.
        """
        data = transactions(frequency, recency, T)
        w = as_weights(weights, len(data))
        (x, t_x, age), w = compress_patterns([data.frequency, data.recency, data.age], w)
        patterns = Transactions(x, t_x, age)
        customers = float(w.sum())
        repeat_buyers = float(w[x > 0].sum())
        for count, least in (
            (customers, self.min_customers),
            (repeat_buyers, self.min_repeat_buyers),
        ):
            if count < least:
                raise InputError(
                    "model.too_few", model=self.model_name, count=_count(count), minimum=least
                )
        # Far from the optimum the line search may probe values that overflow; the objective
        # is then not finite and the search steps back.
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            curved = self._curved_objective(patterns, w)
            if curved is not None:
                params, minimum, curvature = self._fit_curved(curved, patterns, w, customers)
                errors = errors_from_hessian(curvature)
            else:
                params, minimum, errors = self._fit_lbfgs(patterns, w, customers)
        self.params_ = named(self.parameter_names, params)
        self.standard_errors_ = named(self.parameter_names, errors)
        self.log_likelihood_ = -minimum
        self.n_customers_ = customers
        self.n_patterns_ = len(patterns)
        return self

    def _fit_lbfgs(
        self, patterns: Transactions, w: FloatArray, customers: float
    ) -> tuple[FloatArray, float, FloatArray]:
        """L-BFGS on all patterns; standard errors by differences of the gradient."""
        prepared = self._prepare(patterns)

        def objective(params: FloatArray) -> tuple[float, FloatArray]:
            ll, gradient = self._log_likelihood(params, prepared)
            # einsum rather than BLAS: on a busy machine multithreaded BLAS threads spin and
            # slow down the rest of the evaluation more than the product itself takes.
            return -float(np.einsum("i,i->", w, ll)), -np.einsum("i,ij->j", w, gradient)

        def mean_objective(params: FloatArray) -> tuple[float, FloatArray]:
            # Per customer, so that the tolerance means the same for 1,000 or 1,000,000 of them.
            value, gradient = objective(params)
            return value / customers, gradient / customers

        params, minimum = maximise_likelihood(
            mean_objective,
            self._initial_params(patterns, w),
            tolerance=self.tolerance,
            max_iterations=self.max_iterations,
        )
        return params, minimum * customers, standard_errors(objective, params)

    def _fit_curved(
        self, curved: CurvedObjective, patterns: Transactions, w: FloatArray, customers: float
    ) -> tuple[FloatArray, float, FloatArray]:
        """Newton's method on all patterns, from the optimum on every k-th pattern.

        The patterns are in lexicographic order, so every k-th is a sample spread over all
        frequencies and ages; the starting point is computed on it too.
        """
        rows = warm_start_rows(len(patterns))
        if rows is not None:
            sample = Transactions(
                patterns.frequency[rows], patterns.recency[rows], patterns.age[rows]
            )
            sample_w = w[rows]
            warm = self._curved_objective(sample, sample_w)
            if warm is not None and float(sample_w[sample.frequency > 0].sum()) > 0:
                return maximise_curved(
                    curved,
                    self._initial_params(sample, sample_w),
                    customers,
                    tolerance=self.tolerance,
                    max_iterations=self.max_iterations,
                    warm=(warm, float(sample_w.sum())),
                )
        return maximise_curved(
            curved,
            self._initial_params(patterns, w),
            customers,
            tolerance=self.tolerance,
            max_iterations=self.max_iterations,
        )

    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """Log-likelihood of each customer's history at the fitted parameters."""
        params = self._fitted()
        return self._log_likelihood(params, self._prepare(transactions(frequency, recency, T)))[0]

    def _fitted(self) -> FloatArray:
        """The fitted parameters as a vector, or :class:`ModelNotFittedError`."""
        params = check_fitted(self)
        return np.array([params[name] for name in self.parameter_names])
