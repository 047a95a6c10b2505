"""What the CLV models share: pattern compression, Newton's method and its fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from chandung.models.clv import _base
from chandung.models.clv._base import (
    FloatArray,
    compress_patterns,
    maximise_curved,
    warm_start_rows,
    whole_levels,
)


def _lexsorted(
    columns: list[np.ndarray], weights: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    # The reference: distinct rows by np.unique, weights summed, zero-weight rows dropped.
    table = np.column_stack(columns)
    distinct, inverse = np.unique(table, axis=0, return_inverse=True)
    sums = np.bincount(inverse.ravel(), weights=weights)
    keep = sums > 0
    return [distinct[keep, j] for j in range(table.shape[1])], sums[keep]


@pytest.mark.parametrize(
    "kind", ["days", "weeks of whole days", "not whole", "negative", "huge", "mixed"]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_compression_gives_the_distinct_rows_in_order(kind: str, weighted: bool) -> None:
    rng = np.random.default_rng(5)
    n = 5000
    x = rng.integers(0, 12, n).astype(float)
    days = rng.integers(0, 400, n)
    t = {
        "days": days.astype(float),
        "weeks of whole days": days / 7,
        "not whole": rng.integers(0, 40, n) / 3.1,
        "negative": days - 200.0,
        "huge": days * 1e14,
        "mixed": days / 7,
    }[kind]
    T = (days + rng.integers(0, 30, n)) / 7
    if kind == "mixed":
        T[::97] += 0.01  # one column no longer whole multiples: the general path
    weights = rng.integers(0, 4, n).astype(float) if weighted else np.ones(n)
    columns, counts = compress_patterns([x, t, T], weights)
    expected, expected_counts = _lexsorted([x, t, T], weights)
    for got, want in zip(columns, expected, strict=True):
        np.testing.assert_array_equal(got, want)  # bit for bit, in lexicographic order
    np.testing.assert_array_equal(counts, expected_counts)


def test_compression_of_nothing() -> None:
    columns, counts = compress_patterns([np.zeros(0), np.zeros(0)], np.zeros(0))
    assert [len(c) for c in columns] == [0, 0] and len(counts) == 0


def test_whole_levels_count_or_sort() -> None:
    for values in (np.array([4.0, 0.0, 4.0, 2.0]), np.array([1e9, 3.0, 1e9]), np.array([0.5, 2.0])):
        levels, index = whole_levels(values)
        expected, inverse = np.unique(values, return_inverse=True)
        np.testing.assert_array_equal(levels, expected)
        np.testing.assert_array_equal(index, inverse.ravel())


def test_warm_start_takes_every_kth_row_of_large_inputs() -> None:
    assert warm_start_rows(1000) is None
    assert warm_start_rows(2 * _base.WARM_START_PATTERNS) == slice(None, None, 2)
    rows = warm_start_rows(1_000_000)
    assert rows is not None and len(range(1_000_000)[rows]) == pytest.approx(32_768, rel=0.05)


def _quadratic(centre: FloatArray, scale: float = 1.0) -> _base.CurvedObjective:
    # A convex function of the log-parameters, minimal at ``centre``, summed over "customers".
    weights = np.array([1.0, 4.0, 0.5])

    def objective(
        params: FloatArray, curvature: bool
    ) -> tuple[float, FloatArray, FloatArray | None]:
        u = np.log(params / centre)
        value = scale * float(weights @ (np.cosh(u) - 1))
        gradient = scale * weights * np.sinh(u) / params
        if not curvature:
            return value, gradient, None
        hessian = np.diag(scale * weights * (np.cosh(u) - np.sinh(u)) / params**2)
        return value, gradient, hessian

    return objective


def test_newton_converges_from_far_away() -> None:
    centre = np.array([0.3, 25.0, 4.0e6])
    params, minimum, hessian = maximise_curved(_quadratic(centre), np.ones(3), 1.0)
    np.testing.assert_allclose(params, centre, rtol=1e-10)
    assert minimum == pytest.approx(0.0, abs=1e-15)
    assert hessian is not None and np.all(np.linalg.eigvalsh(hessian) > 0)


def test_warm_start_then_newton_on_all() -> None:
    centre = np.array([0.3, 25.0, 4.0e6])
    warm = (_quadratic(centre * 1.01, 0.1), 0.1)  # a subsample's optimum is a little off
    params, _, _ = maximise_curved(_quadratic(centre), np.ones(3), 1.0, warm=warm)
    np.testing.assert_allclose(params, centre, rtol=1e-10)


def test_newton_failing_hands_over_to_lbfgs() -> None:
    centre = np.array([2.0, 3.0, 4.0])
    smooth = _quadratic(centre)

    def without_usable_hessian(
        params: FloatArray, curvature: bool
    ) -> tuple[float, FloatArray, FloatArray | None]:
        value, gradient, hessian = smooth(params, curvature)
        return value, gradient, None if hessian is None else np.full((3, 3), np.nan)

    params, _, hessian = maximise_curved(without_usable_hessian, np.ones(3), 1.0)
    np.testing.assert_allclose(params, centre, rtol=1e-4)
    assert hessian is not None and np.all(np.isnan(hessian))
    assert np.all(np.isnan(_base.errors_from_hessian(hessian)))
