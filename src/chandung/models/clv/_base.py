"""What every CLV model shares: input checks, pattern compression and maximum likelihood.

The models are fitted on the distinct input patterns with their counts as weights, so a fit
costs O(distinct patterns) rather than O(customers); summaries in whole days (or weeks of
whole days) are compressed by sorting one integer key. Parameters are positive; the optimiser
works on their logarithms with the analytic gradient carried through the change of variables,
and standard errors come from the inverse of the Hessian of the negative log-likelihood at the
optimum.

Two ways to the optimum:

* :func:`maximise_likelihood`: L-BFGS on the value and gradient; the Hessian for the standard
  errors is then taken by central differences of the analytic gradient (:func:`hessian`);
* :func:`maximise_curved`, for models that also give their Hessian analytically: Newton's
  method on a subsample of the patterns gets close, then two or three steps on all of them
  finish (convergence is quadratic; each costs about one and a half evaluations of the
  likelihood), and the last Hessian gives the standard errors at no extra cost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize

from ...errors import ChandungError, InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
#: The negative log-likelihood and its gradient, both in the natural parameters.
Objective = Callable[[FloatArray], tuple[float, FloatArray]]
#: The negative log-likelihood, its gradient and, when the flag asks for it, its Hessian (else
#: ``None``), all in the natural parameters and summed over customers.
CurvedObjective = Callable[[FloatArray, bool], tuple[float, FloatArray, FloatArray | None]]


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
    if len(array):
        # Two reductions without temporaries settle the usual case (NaN propagates to both).
        low, high = float(array.min()), float(array.max())
        if np.isfinite(low) and np.isfinite(high) and (allow_negative or low >= 0):
            return array
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


def whole_levels(values: FloatArray) -> tuple[FloatArray, IntArray]:
    """The distinct values of ``values`` and, per value, the index of its own among them.

    Whole non-negative values (frequencies) not much larger than their number are counted
    rather than sorted: O(n) instead of O(n log n).

    >>> levels, index = whole_levels(np.array([3.0, 0.0, 3.0, 1.0]))
    >>> levels.tolist(), index.tolist()
    ([0.0, 1.0, 3.0], [2, 0, 2, 1])
    """
    n = len(values)
    if n and values.min() >= 0 and values.max() <= 4 * n + 1024:
        codes = values.astype(np.intp)
        if np.array_equal(codes, values):
            present = np.bincount(codes) > 0
            rank = np.cumsum(present) - 1
            return np.flatnonzero(present).astype(np.float64), rank[codes]
    levels, index = np.unique(values, return_inverse=True)
    return levels, index.ravel()


def compress_patterns(
    columns: Sequence[FloatArray], weights: FloatArray
) -> tuple[list[FloatArray], FloatArray]:
    """The distinct rows of ``columns`` and the summed weight of each, in lexicographic order.

    Rows whose summed weight is 0 are dropped.

    >>> cols, w = compress_patterns([np.array([1., 1., 2.]), np.array([3., 3., 4.])], np.ones(3))
    >>> [c.tolist() for c in cols], w.tolist()
    ([[1.0, 2.0], [3.0, 4.0]], [2.0, 1.0])
    >>> cols, w = compress_patterns([np.array([0.5, 0.25, 0.5])], np.array([1., 2., 3.]))
    >>> [c.tolist() for c in cols], w.tolist()
    ([[0.25, 0.5]], [2.0, 4.0])
    """
    cols = [np.asarray(c, dtype=np.float64) for c in columns]
    w = np.asarray(weights, dtype=np.float64)
    coded = _compress_codes(cols, w)
    if coded is not None:
        return coded
    # A lexicographic sort and run boundaries: several times faster than np.unique(axis=0)
    # on a million rows, which sorts whole rows as opaque records.
    order = np.lexsort(cols[::-1])
    ordered = [c[order] for c in cols]
    new = np.zeros(len(order), dtype=bool)
    new[:1] = True
    for c in ordered:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    counts = np.add.reduceat(w[order], starts) if len(starts) else np.zeros(0)
    keep = counts > 0
    return [c[starts][keep] for c in ordered], counts[keep]


#: Scales tried to read a column as whole numbers: whole counts (and days), and times in weeks
#: that are whole days (days / 7), as the service computes them.
_SCALES = (1.0, 7.0)
#: Largest key: whole numbers up to 2^53 are exact in float64, and the key is built in it.
_LARGEST_KEY = 2.0**53
#: Rows coded at a time, so that the temporaries stay small for a million rows.
_CODE_BLOCK = 65_536


def _scale_of(values: FloatArray) -> float | None:
    """A scale with ``rint(values * scale) / scale == values`` exactly, if one fits.

    Exact: every value is given back bit for bit by its code, so that equal codes mean equal
    values and the distinct rows are those of the values themselves.
    """
    for scale in _SCALES:
        for start in range(0, len(values), _CODE_BLOCK):
            block = values[start : start + _CODE_BLOCK]
            codes = np.rint(block * scale)
            codes /= scale
            if not np.array_equal(codes, block):
                break
        else:
            return scale
    return None


def _compress_codes(
    cols: list[FloatArray], weights: FloatArray
) -> tuple[list[FloatArray], FloatArray] | None:
    """:func:`compress_patterns` on one integer key, when every column is whole multiples.

    Summaries in days, or in weeks of whole days, are: the columns are coded as whole numbers,
    combined into one key (mixed radix, the first column most significant, so that the order
    of the keys is the lexicographic order of the rows) and the key is sorted, a single sort of
    integers instead of a sort over several float columns. ``None`` when a column does not fit.
    """
    n = len(weights)
    if n == 0 or not cols:
        return None
    digits: list[tuple[float, float, float]] = []  # lowest code, span and scale per column
    size = 1.0
    for column in cols:
        low, high = float(column.min()), float(column.max())
        if not (np.isfinite(low) and np.isfinite(high)):
            return None
        scale = _scale_of(column)
        if scale is None:
            return None
        # The codes grow with the values: the extreme codes are those of the extremes.
        low, high = float(np.rint(low * scale)), float(np.rint(high * scale))
        span = high - low + 1
        size *= span
        if size > _LARGEST_KEY:
            return None
        digits.append((low, span, scale))
    # int32 sorts about twice as fast as int64.
    key = np.empty(n, dtype=np.int32 if size <= 2**31 else np.int64)
    for start in range(0, n, _CODE_BLOCK):
        rows = slice(start, start + _CODE_BLOCK)
        exact = np.zeros(len(key[rows]))  # whole numbers below 2^53: float arithmetic is exact
        for column, (low, span, scale) in zip(cols, digits, strict=True):
            exact *= span
            exact += np.rint(column[rows] * scale)
            exact -= low
        key[rows] = exact
    if np.all(weights == 1.0):
        key.sort()
        ordered, order = key, None
    else:
        order = np.argsort(key, kind="stable")
        ordered = key[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    if order is None:
        counts = np.diff(np.append(starts, n)).astype(np.float64)
    else:
        counts = np.add.reduceat(weights[order], starts)
    keep = counts > 0
    distinct = ordered[starts][keep].astype(np.int64)
    out: list[FloatArray] = []
    for low, span, scale in reversed(digits):
        digit = distinct % int(span)
        distinct //= int(span)
        values = digit.astype(np.float64) + low
        out.append(values / scale if scale != 1.0 else values)
    return out[::-1], counts[keep]


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
    return errors_from_hessian(hessian(objective, params))


def errors_from_hessian(curvature: FloatArray) -> FloatArray:
    """The root of the diagonal of the inverse of ``curvature`` (NaN where not defined)."""
    if not np.all(np.isfinite(curvature)):
        return np.full(len(curvature), np.nan)
    try:
        covariance = np.linalg.inv(curvature)
    except np.linalg.LinAlgError:
        return np.full(len(curvature), np.nan)
    diagonal = np.diag(covariance)
    return np.sqrt(np.where(diagonal > 0, diagonal, np.nan))


#: Patterns of the subsample the curved fits start from (about; every k-th pattern is taken).
WARM_START_PATTERNS = 32_768
#: Tolerance of the fit on the subsample: its optimum is itself some standard errors away from
#: the full one, so more precision there is wasted; the steps on all patterns do the rest.
_WARM_TOLERANCE = 1e-6
#: Largest Newton step on the log scale (a factor e per parameter), and step halvings tried
#: before giving up.
_LARGEST_STEP = 1.0
_HALVINGS = 20
#: A Newton step below this (relative) that brings no decrease means the optimum is reached
#: to the precision of the sums (a tolerance tighter than that cannot be met).
_NOISE_STEP = 1e-6
#: Relative decrease of the objective, as a fraction of the tolerance, below which a step is
#: the last (as :func:`maximise_likelihood`'s ``ftol``).
_STALLED = 1e-3


def warm_start_rows(n: int) -> slice | None:
    """Every k-th of ``n`` rows, about :data:`WARM_START_PATTERNS` of them; ``None`` if few."""
    every = n // WARM_START_PATTERNS
    return slice(None, None, every) if every >= 2 else None


def maximise_curved(
    objective: CurvedObjective,
    initial: FloatArray,
    customers: float,
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
    warm: tuple[CurvedObjective, float] | None = None,
) -> tuple[FloatArray, float, FloatArray]:
    """The positive parameters that minimise ``objective``, the minimum and the Hessian there.

    ``objective`` is summed over ``customers``. Newton's method on the log-parameters, damped
    (Levenberg–Marquardt) where the Hessian is not positive definite, with step halving: first
    on ``warm``, a cheaper objective (a subsample of the patterns) and its number of customers,
    from ``initial`` to a loose tolerance, then on ``objective`` until a full Newton step
    changes no parameter by more than ``sqrt(tolerance)`` relative (convergence being
    quadratic, taking that last step leaves an error of the order of ``tolerance``) or the
    gradient per customer is below ``tolerance``. Should Newton's method fail, L-BFGS takes
    over from the best point.

    No L-BFGS-B on the way: SciPy's calls multithreaded BLAS for its 4 × 4 algebra, and on a
    busy machine each of its iterations can then wait milliseconds for a thread.
    """
    start = initial
    if warm is not None:
        start, _ = _newton(*warm, initial, max(tolerance, _WARM_TOLERANCE), max_iterations)
    params, polished = _newton(objective, customers, start, tolerance, max_iterations)
    if polished is not None:
        return params, *polished

    def mean(params: FloatArray) -> tuple[float, FloatArray]:
        value, gradient, _ = objective(params, False)
        return value / customers, gradient / customers

    params, minimum = maximise_likelihood(
        mean, params, tolerance=tolerance, max_iterations=max_iterations
    )
    curvature = objective(params, True)[2]
    if curvature is None:
        curvature = np.full((len(params), len(params)), np.nan)
    return params, minimum * customers, curvature


_Point = tuple[float, FloatArray, FloatArray, FloatArray]


def _at(objective: CurvedObjective, customers: float, log_params: FloatArray) -> _Point | None:
    """Value, gradient and Hessian per customer in the log-parameters, and the Hessian in the
    natural ones (summed); ``None`` where not finite."""
    params = np.exp(log_params)
    value, gradient, curvature = objective(params, True)
    if (
        curvature is None
        or not np.isfinite(value)
        or not np.all(np.isfinite(gradient))
        or not np.all(np.isfinite(curvature))
    ):
        return None
    g = gradient * params / customers
    h = curvature * np.outer(params, params) / customers + np.diag(g)
    return value / customers, g, h, curvature


def _newton_step(g: FloatArray, h: FloatArray) -> tuple[FloatArray, bool]:
    """``−h⁻¹ g``, or with ``h + μ I`` (the smallest ``μ`` tried that makes it positive
    definite) if ``h`` is not; and whether it was so damped."""
    k = len(g)
    damping = 0.0
    scale = max(float(np.max(np.abs(np.diag(h)))), 1e-300)
    for _ in range(64):
        try:
            factor = np.linalg.cholesky(h + damping * np.eye(k))
        except np.linalg.LinAlgError:
            damping = scale * 1e-8 if damping == 0.0 else damping * 10
            continue
        step = -np.linalg.solve(factor.T, np.linalg.solve(factor, g))
        return step, damping > 0
    return -g / scale, True


def _newton(
    objective: CurvedObjective,
    customers: float,
    start: FloatArray,
    tolerance: float,
    max_iterations: int,
) -> tuple[FloatArray, tuple[float, FloatArray] | None]:
    """Damped Newton's method on the log-parameters from ``start``; see :func:`maximise_curved`.

    Returns the parameters and, when it converged, the minimum (summed over customers) and the
    Hessian in the natural parameters; when it did not, the best point reached and ``None``.
    """
    log_params = np.log(start)
    current = _at(objective, customers, log_params)
    if current is None:
        return start, None
    for _ in range(max_iterations):
        value, g, h, curvature = current
        step, damped = _newton_step(g, h)
        largest = float(np.max(np.abs(step)))
        if not damped and largest <= np.sqrt(tolerance):
            # Converged: take the last step; the value there is the quadratic model's.
            minimum = (value + 0.5 * float(g @ step)) * customers
            return np.exp(log_params + step), (minimum, curvature)
        if float(np.max(np.abs(g))) <= tolerance:
            return np.exp(log_params), (value * customers, curvature)
        if largest > _LARGEST_STEP:
            step *= _LARGEST_STEP / largest
        slope = float(g @ step)
        fraction = 1.0
        trial = None
        for _ in range(_HALVINGS):
            trial = _at(objective, customers, log_params + fraction * step)
            # Armijo's condition: a decrease of at least a part of the one expected.
            if trial is not None and trial[0] <= value + 1e-4 * fraction * slope:
                break
            fraction /= 2
            trial = None
        if trial is None:
            if not damped and largest <= _NOISE_STEP:
                # No decrease to be had along a step this small: the rounding of the sums over
                # customers, not the distance to the optimum, limits the precision here.
                return np.exp(log_params), (value * customers, curvature)
            return np.exp(log_params), None
        log_params = log_params + fraction * step
        current = trial
        if value - trial[0] <= _STALLED * tolerance * max(1.0, abs(value)):
            # Stalled, as where a parameter runs off to 0 or infinity (the optimum on the
            # boundary): stop as L-BFGS would (its ``ftol``).
            return np.exp(log_params), (trial[0] * customers, trial[3])
    return np.exp(log_params), None


def named(names: Sequence[str], values: FloatArray) -> dict[str, float]:
    """``values`` keyed by ``names``, as plain floats."""
    return {name: float(v) for name, v in zip(names, values, strict=True)}


def check_fitted(model: Any, attribute: str = "params_") -> Mapping[str, float]:
    """The fitted parameters of ``model``, or an error saying it must be fitted first."""
    params = getattr(model, attribute, None)
    if params is None:
        raise ModelNotFittedError(model=type(model).__name__)
    return params  # type: ignore[no-any-return]
