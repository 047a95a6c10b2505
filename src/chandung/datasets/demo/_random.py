"""Vectorised random draws that depend on a row's group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ._arrow import BoolArray, FloatArray, IntArray


def weight_matrix(rows: Sequence[Mapping[str, float]], vocabulary: Sequence[str]) -> FloatArray:
    """One row of probabilities per mapping, in ``vocabulary`` order (missing keys weigh 0)."""
    unknown = {k for row in rows for k in row} - set(vocabulary)
    if unknown:
        raise ValueError(f"unknown value(s) {sorted(unknown)}; known: {list(vocabulary)}")
    matrix = np.array([[row.get(v, 0.0) for v in vocabulary] for row in rows], dtype=np.float64)
    return normalised_rows(matrix)


def normalised_rows(matrix: FloatArray) -> FloatArray:
    """Rows scaled to sum to one (rows of zeros stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    totals = matrix.sum(axis=1, keepdims=True)
    result: FloatArray = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    return result


def categorical(rng: np.random.Generator, probs: FloatArray, rows: npt.NDArray[Any]) -> IntArray:
    """Draw one category per row, from row ``rows[i]`` of the probability matrix ``probs``."""
    rows = np.asarray(rows, dtype=np.int64)
    cumulative = np.cumsum(probs, axis=1)
    cumulative[:, -1] = 1.0
    u = rng.random(len(rows))
    out = np.zeros(len(rows), dtype=np.int64)
    for row in np.unique(rows):
        hit = rows == row
        out[hit] = np.searchsorted(cumulative[row], u[hit], side="right")
    result: IntArray = np.minimum(out, probs.shape[1] - 1)
    return result


def choice(rng: np.random.Generator, weights: Sequence[float], size: int) -> IntArray:
    """Draw ``size`` indices with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int64)


def flags(rng: np.random.Generator, probs: FloatArray, rows: npt.NDArray[Any]) -> BoolArray:
    """Independent yes/no per row and column, with probability ``probs[rows[i], j]``."""
    p = probs[np.asarray(rows, dtype=np.int64)]
    result: BoolArray = rng.random(p.shape) < p
    return result


def joined_labels(selected: BoolArray, labels: Sequence[str], sep: str = ";") -> pa.Array:
    """Join the labels selected in each row; rows with none selected are null.

    Only the distinct combinations are formatted in Python, so this stays fast for
    millions of rows.
    """
    bits = (1 << np.arange(selected.shape[1], dtype=np.int64)).astype(np.int64)
    codes = selected.astype(np.int64) @ bits
    unique, inverse = np.unique(codes, return_inverse=True)
    texts = [
        sep.join(label for j, label in enumerate(labels) if code >> j & 1) or None
        for code in unique.tolist()
    ]
    return pa.array(texts, pa.string()).take(pa.array(inverse.astype(np.int64)))


def rank_within(keys: npt.NDArray[Any]) -> IntArray:
    """Position of each element among equal keys, for an array sorted by key (0, 1, 2...)."""
    keys = np.asarray(keys)
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = keys[1:] != keys[:-1]
    run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
    result: IntArray = (np.arange(n) - run_start).astype(np.int64)
    return result
