"""What every CLV model shares: input checks, pattern compression and maximum likelihood.

The models are fitted on the distinct input patterns with their counts as weights, so a fit
costs O(distinct patterns) rather than O(customers). Parameters are positive; the optimiser
works on their logarithms with the analytic gradient carried through the change of variables,
and standard errors come from the inverse of the Hessian of the negative log-likelihood at the
optimum (the Hessian taken by central differences of the analytic gradient).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from ...errors import ChandungError, InputError

FloatArray = npt.NDArray[np.float64]
#: The negative log-likelihood and its gradient, both in the natural parameters.
Objective = Callable[[FloatArray], tuple[float, FloatArray]]


class ModelNotFittedError(ChandungError):
    """A prediction was asked of a model that has not been fitted."""

    status = 409
    default_code = "model.not_fitted"


class ModelFitError(ChandungError):
    """The likelihood could not be maximised."""

    status = 422
    default_code = "model.did_not_converge"


def as_vector(values: Any, name: str, *, allow_negative: bool = False) -> FloatArray:
    """``values`` as a 1-D float array, refused with a clear error when unusable."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise InputError("model.not_a_vector", field=name)
    if not np.all(np.isfinite(array)):
        raise InputError("model.not_finite", field=name)
    if not allow_negative and np.any(array < 0):
        raise InputError("model.negative", field=name)
    return array


def same_length(**arrays: FloatArray) -> int:
    """The common length of ``arrays``; an error naming them when they differ."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise InputError("model.lengths_differ", fields=", ".join(lengths))
    return next(iter(lengths.values()))


def as_weights(weights: Any, n: int) -> FloatArray:
    """Counts per row (1 when not given), non-negative and of the right length."""
    if weights is None:
        return np.ones(n)
    w = as_vector(weights, "weights")
    same_length(data=np.empty(n), weights=w)
    return w


def compress_patterns(
    columns: Sequence[FloatArray], weights: FloatArray
) -> tuple[list[FloatArray], FloatArray]:
    """The distinct rows of ``columns`` and the summed weight of each.

    >>> cols, w = compress_patterns([np.array([1., 1., 2.]), np.array([3., 3., 4.])], np.ones(3))
    >>> [c.tolist() for c in cols], w.tolist()
    ([[1.0, 2.0], [3.0, 4.0]], [2.0, 1.0])
    """
    # A lexicographic sort and run boundaries: several times faster than np.unique(axis=0)
    # on a million rows, which sorts whole rows as opaque records.
    cols = [np.asarray(c, dtype=np.float64) for c in columns]
    order = np.lexsort(cols[::-1])
    ordered = [c[order] for c in cols]
    new = np.zeros(len(order), dtype=bool)
    new[:1] = True
    for c in ordered:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    counts = (
        np.add.reduceat(np.asarray(weights, dtype=np.float64)[order], starts)
        if len(starts)
        else np.zeros(0)
    )
    keep = counts > 0
    return [c[starts][keep] for c in ordered], counts[keep]


def maximise_likelihood(
    objective: Objective,
    initial: FloatArray,
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> tuple[FloatArray, float]:
    """The positive parameters that minimise ``objective``, and the minimum.

    ``objective`` returns the negative log-likelihood and its gradient in the natural
    parameters; the search runs on their logarithms.
    """

    def on_log_scale(log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        value, gradient = objective(params)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(log_params)
        return value, gradient * params

    result = optimize.minimize(
        on_log_scale,
        np.log(initial),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iterations, "ftol": tolerance * 1e-3, "gtol": tolerance},
    )
    params = np.exp(result.x)
    if not np.all(np.isfinite(params)) or not np.isfinite(result.fun):
        raise ModelFitError(reason=str(result.message))
    return params, float(result.fun)


def hessian(objective: Objective, params: FloatArray, *, relative_step: float = 1e-5) -> FloatArray:
    """The Hessian of ``objective`` at ``params``, by central differences of its gradient."""
    k = len(params)
    result = np.empty((k, k))
    for i in range(k):
        step = relative_step * max(abs(params[i]), 1e-8)
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        result[:, i] = (objective(up)[1] - objective(down)[1]) / (2 * step)
    return (result + result.T) / 2


def standard_errors(objective: Objective, params: FloatArray) -> FloatArray:
    """Asymptotic standard errors: the root of the diagonal of the inverse Hessian."""
    try:
        covariance = np.linalg.inv(hessian(objective, params))
    except np.linalg.LinAlgError:
        return np.full(len(params), np.nan)
    diagonal = np.diag(covariance)
    return np.sqrt(np.where(diagonal > 0, diagonal, np.nan))


def named(names: Sequence[str], values: FloatArray) -> dict[str, float]:
    """``values`` keyed by ``names``, as plain floats."""
    return {name: float(v) for name, v in zip(names, values, strict=True)}


def check_fitted(model: Any, attribute: str = "params_") -> Mapping[str, float]:
    """The fitted parameters of ``model``, or an error saying it must be fitted first."""
    params = getattr(model, attribute, None)
    if params is None:
        raise ModelNotFittedError(model=type(model).__name__)
    return params  # type: ignore[no-any-return]
