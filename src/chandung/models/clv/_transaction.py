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

IntArray = npt.NDArray[np.intp]

#: Recency may exceed T, or a one-time buyer's recency differ from 0, by this fraction of T
#: (at least of one time unit): summaries computed in floating point (days / 7) are off by a
#: few ulps, and refusing those would only annoy.
RECENCY_TOLERANCE = 1e-9


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
        levels, index = np.unique(self.frequency, return_inverse=True)
        return levels, index.ravel()


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
    same_length(frequency=x, recency=t_x, T=age)
    if np.any(x != np.round(x)):
        raise InputError("model.not_whole", field="frequency")
    slack = RECENCY_TOLERANCE * np.maximum(age, 1.0)
    late = t_x > age + slack
    if np.any(late):
        raise InputError("model.recency_after_age", count=int(np.sum(late)))
    one_time = x == 0
    mismatched = np.where(one_time, t_x > slack, t_x <= slack)
    if np.any(mismatched):
        raise InputError("model.recency_without_frequency", count=int(np.sum(mismatched)))
    return Transactions(x, np.where(one_time, 0.0, np.minimum(t_x, age)), age)


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

        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            # Far from the optimum the line search may probe values that overflow; the
            # objective is then not finite and the search steps back.
            params, minimum = maximise_likelihood(
                mean_objective,
                self._initial_params(patterns, w),
                tolerance=self.tolerance,
                max_iterations=self.max_iterations,
            )
        self.params_ = named(self.parameter_names, params)
        self.standard_errors_ = named(self.parameter_names, standard_errors(objective, params))
        self.log_likelihood_ = -minimum * customers
        self.n_customers_ = customers
        self.n_patterns_ = len(patterns)
        return self

    def log_likelihood(self, frequency: Any, recency: Any, T: Any) -> FloatArray:
        """Log-likelihood of each customer's history at the fitted parameters."""
        params = self._fitted()
        return self._log_likelihood(params, self._prepare(transactions(frequency, recency, T)))[0]

    def _fitted(self) -> FloatArray:
        """The fitted parameters as a vector, or :class:`ModelNotFittedError`."""
        params = check_fitted(self)
        return np.array([params[name] for name in self.parameter_names])
