"""Automatic segmentation: k-means over mixed features, k chosen by fit and stability.

:class:`AutoSegmenter` is fitted on a sample of the feature table (drawn in the warehouse by
:func:`draw_sample`) and then assigns every person in the warehouse with
:meth:`AutoSegmenter.assignment_expression`, so that a million customers never come into
Python.

The encoding puts numeric and categorical features on one scale:

- a numeric feature is transformed (``log1p`` for skewed amounts), centred on its mean,
  divided by its standard deviation and clipped at :attr:`AutoSegmenter.clip`; the shares of
  one mix (a block of features in ``[0, 1]``) are scaled together, so a share keeps its
  meaning;
- a categorical feature becomes one indicator per category (rare categories count as
  missing), centred on the category's share;
- each block (:attr:`~chandung.segments.features.Feature.block`) is then scaled so that its
  total variance is its weight (1 unless told otherwise): 11 channel shares weigh as much as
  one age, and a categorical with many levels as much as one with two.

Missing values are left out of distances: the squared distance of a person to a centre sums
over the features the person has, so someone who never bought is placed by who they are.

Centres are fitted by k-means. Every k starts from Ward's agglomeration of many small
k-means segments (which rarely gets stuck, and is consistent from one k to the next) and
from k-means++ seedings; the best run is kept. With ``k="auto"`` each k of
:attr:`~AutoSegmenter.k_range` gets two scores on the selection sample: the Krzanowski-Lai
index, a fit criterion that is high when going to k segments gains much more than going on
to k + 1, and stability, the mean adjusted Rand index between the partition and those of
models fitted on bootstrap resamples. The chosen k is the largest stable one whose index is
close to the best (see :func:`_choose`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
from scipy import sparse
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from ..errors import InputError
from .features import KEY, Feature, FeatureSpec

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: Column of the assignment holding the segment (1 = largest segment of the fit).
SEGMENT = "segment_id"
#: Writes an expression to a work table and returns the table (the service passes the
#: warehouse's; see :meth:`AutoSegmenter.assignment_expression`).
Materialise = Callable[[ir.Table, str], ir.Table]


@dataclass(frozen=True)
class NumericEncoding:
    """How one numeric feature becomes one coordinate.

    The coordinate is ``clip((t(x) - loc) / scale, -clip, clip) * weight`` where ``t`` is the
    feature's transform; a missing ``x`` has no coordinate.
    """

    name: str
    block: str
    transform: str
    loc: float
    scale: float
    clip: float
    weight: float


@dataclass(frozen=True)
class CategoricalEncoding:
    """How one categorical feature becomes indicator coordinates.

    Category ``c`` gets ``([x == c] - share_c) * weight``; a missing or unknown category has
    no coordinates.
    """

    name: str
    block: str
    categories: tuple[str, ...]
    shares: tuple[float, ...]
    weight: float


@dataclass(frozen=True)
class Encoding:
    """The fitted encoding of every feature, in the order of the coordinates."""

    numeric: tuple[NumericEncoding, ...]
    categorical: tuple[CategoricalEncoding, ...]

    @property
    def dimensions(self) -> int:
        """Number of coordinates."""
        return len(self.numeric) + sum(len(c.categories) for c in self.categorical)

    def as_dict(self) -> dict[str, Any]:
        """The encoding as plain data (JSON-ready)."""
        return {
            "numeric": [asdict(n) for n in self.numeric],
            "categorical": [asdict(c) for c in self.categorical],
        }


class AutoSegmenter:
    """Segments people automatically: k-means over encoded mixed features.

    Parameters
    ----------
    k
        Number of segments, or ``"auto"`` to choose it from ``k_range``.
    k_range
        Smallest and largest number of segments tried with ``k="auto"`` (both included).
    seed
        Seed of every random choice (sampling, seeding, bootstrap).
    sample_size
        Most rows the model is fitted on; :func:`draw_sample` draws them in the warehouse.
    n_bootstrap
        Bootstrap resamples per k for the stability of ``k="auto"``.
    n_init
        k-means starts per fit; the one with the smallest within-segment distance is kept.
    max_iter
        Most Lloyd iterations of one start.
    selection_size
        Most rows of the sample used to choose k (the final model uses the whole sample).
    min_stability
        Mean bootstrap adjusted Rand index a k needs to be chosen; when no k reaches it,
        the most stable k is chosen.
    score_tolerance
        Among the stable k, those scoring at least this share of the best score are
        candidates, and the largest candidate is chosen.
    min_category_share
        Categories rarer than this share of the sample count as missing.
    clip
        Numeric coordinates are clipped at this many standard deviations.
    kind_weights, block_weights
        Weight of the features of a kind, and of a block (multiplied; 1 when not named).
        The weight is the total variance the block brings to distances.

    Attributes
    ----------
    k_ : int
        Number of segments.
    centers_ : numpy.ndarray
        Centre of each segment in the encoded coordinates (``k_`` rows, segment 1 first).
    encoding_ : Encoding
        Means, scales, categories and weights of the features.
    feature_names_ : tuple of str
        The features used (indicators of missing data are left out).
    scores_ : dict of int to float
        Krzanowski-Lai index of each k tried (higher is better).
    stability_ : dict of int to float
        Mean bootstrap adjusted Rand index of each k tried.
    labels_ : numpy.ndarray
        Segment of each row of the fitted sample (1 to ``k_``), rows sorted by
        ``customer_id`` when the sample has it (as :func:`draw_sample` returns them).
    sizes_ : numpy.ndarray
        Rows of the sample in each segment.
    inertia_ : float
        Sum of squared distances of the sample to their centres.
    """

    def __init__(
        self,
        k: int | Literal["auto"] = "auto",
        k_range: tuple[int, int] = (2, 10),
        seed: int = 0,
        sample_size: int = 50_000,
        n_bootstrap: int = 5,
        n_init: int = 2,
        max_iter: int = 100,
        selection_size: int = 10_000,
        min_stability: float = 0.95,
        score_tolerance: float = 0.9,
        min_category_share: float = 0.005,
        clip: float = 5.0,
        kind_weights: Mapping[str, float] | None = None,
        block_weights: Mapping[str, float] | None = None,
    ):
        self.k = k
        self.k_range = k_range
        self.seed = seed
        self.sample_size = sample_size
        self.n_bootstrap = n_bootstrap
        self.n_init = n_init
        self.max_iter = max_iter
        self.selection_size = selection_size
        self.min_stability = min_stability
        self.score_tolerance = score_tolerance
        self.min_category_share = min_category_share
        self.clip = clip
        self.kind_weights = kind_weights
        self.block_weights = block_weights

    # --- fitting ---------------------------------------------------------------------------

    def fit(self, features: pd.DataFrame | pa.Table, spec: FeatureSpec) -> AutoSegmenter:
        """Fit the encoding and the segments on a sample of the feature table.

        Parameters
        ----------
        features
            Rows of the feature table (at most ``sample_size``; see :func:`draw_sample`).
        spec
            The spec :func:`~chandung.segments.features.build_features` returned.

        Returns
        -------
        AutoSegmenter
            ``self``, fitted.

        Raises
        ------
        InputError
            For bad settings, too few rows for the number of segments, or no usable feature.
        """
        self._check_settings()
        frame = _frame(features)
        if len(frame) > self.sample_size:
            raise InputError(
                "segment.auto.sample_too_large", rows=len(frame), maximum=self.sample_size
            )
        used = [f for f in spec.features if not f.indicator and f.name in frame.columns]
        missing = [f.name for f in spec.features if not f.indicator and f.name not in frame]
        if missing:
            raise InputError("segment.auto.missing_feature", names=", ".join(missing[:5]))
        if KEY in frame.columns:
            # The warehouse returns rows in any order: sorting makes a fit repeatable.
            frame = frame.sort_values(KEY, kind="stable").reset_index(drop=True)
        self.encoding_ = self._fit_encoding(frame, used)
        if self.encoding_.dimensions == 0:
            raise InputError("segment.auto.no_features")
        self.feature_names_ = tuple(f.name for f in used)
        x, w = _encode(self.encoding_, frame)
        smallest = self.k_range[0] if self.k == "auto" else int(self.k)
        if len(frame) < 2 * smallest or len(frame) < 2:
            raise InputError("segment.auto.too_few_rows", rows=len(frame), k=smallest)
        # The fit is thousands of small matrix products: BLAS threads only wait on each
        # other (several times slower on a busy machine), so one thread does them.
        with threadpool_limits(limits=1, user_api="blas"):
            self._fit_encoded(x, w)
        return self

    def _fit_encoded(self, x: FloatArray, w: FloatArray) -> None:
        rng = np.random.default_rng(self.seed)
        if self.k == "auto":
            self.k_, self.scores_, self.stability_, start = self._choose_k(x, w, rng)
            # The chosen model, refined on the whole sample.
            inertia, centers, labels = _lloyd(x, w, start, self.max_iter)
        else:
            self.k_, self.scores_, self.stability_ = int(self.k), {}, {}
            path = _path(x, w, [self.k_], rng, self.n_init, self.max_iter)
            inertia, centers, labels = path[self.k_]
        # Segment 1 is the largest; equal sizes keep the order of the fit.
        sizes = np.bincount(labels, minlength=self.k_)
        order = np.argsort(-sizes, kind="stable")
        self.centers_ = centers[order]
        rank = np.empty_like(order)
        rank[order] = np.arange(self.k_)
        self.labels_ = rank[labels] + 1
        self.sizes_ = sizes[order]
        self.inertia_ = float(inertia)

    def _check_settings(self) -> None:
        low, high = self.k_range
        if self.k != "auto" and (not isinstance(self.k, int) or self.k < 1):
            raise InputError("segment.auto.bad_k", k=self.k)
        if not 1 <= low <= high:
            raise InputError("segment.auto.bad_k_range", low=low, high=high)
        if self.sample_size < 2 or self.n_init < 1 or self.max_iter < 1:
            raise InputError("segment.auto.bad_setting")

    def _check_fitted(self) -> None:
        if not hasattr(self, "centers_"):
            raise InputError("segment.auto.not_fitted")

    def _weight(self, feature: Feature) -> float:
        kinds = self.kind_weights or {}
        blocks = self.block_weights or {}
        return float(kinds.get(feature.kind, 1.0)) * float(blocks.get(feature.block, 1.0))

    def _fit_encoding(self, frame: pd.DataFrame, used: Sequence[Feature]) -> Encoding:
        by_block: dict[str, list[Feature]] = {}
        for f in used:
            by_block.setdefault(f.block, []).append(f)
        numeric: list[NumericEncoding] = []
        categorical: list[CategoricalEncoding] = []
        for block, members in by_block.items():
            weight = self._weight(members[0])
            if weight <= 0:
                continue
            nums = [f for f in members if f.type == "numeric"]
            values = {f.name: _transformed(frame[f.name], f.transform) for f in nums}
            means = {
                n: float(np.nanmean(v)) if np.isfinite(v).any() else 0.0 for n, v in values.items()
            }
            variances = {
                n: float(np.nanvar(v)) if np.isfinite(v).sum() > 1 else 0.0
                for n, v in values.items()
            }
            shares = all(
                np.isfinite(v).any() and np.nanmin(v) >= 0 and np.nanmax(v) <= 1
                for v in values.values()
            )
            total = sum(variances.values())
            for f in nums:
                if variances[f.name] <= 0:
                    continue  # a constant says nothing
                # The shares of one mix are scaled together (a share keeps its meaning);
                # other features of a block are standardised one by one and share the weight.
                if shares and len(nums) > 1:
                    scale = math.sqrt(total)
                else:
                    scale = math.sqrt(variances[f.name] * len(nums))
                numeric.append(
                    NumericEncoding(
                        f.name, block, f.transform, means[f.name], scale, self.clip,
                        math.sqrt(weight),
                    )
                )  # fmt: skip
            cats = [f for f in members if f.type == "categorical"]
            for f in cats:
                column = frame[f.name].astype("string")
                counts = column.value_counts(dropna=True)
                known = int(counts.sum())
                if known == 0:
                    continue
                kept = sorted(
                    str(c) for c, n in counts.items() if n / len(frame) >= self.min_category_share
                )
                if len(kept) < 2:
                    continue
                in_kept = column.isin(kept)
                observed = int(in_kept.sum())
                share = tuple(float((column == c).sum()) / observed for c in kept)
                variance = 1.0 - sum(s * s for s in share)
                if variance <= 0:
                    continue
                categorical.append(
                    CategoricalEncoding(
                        f.name, block, tuple(kept), share,
                        math.sqrt(weight / (variance * len(cats))),
                    )
                )  # fmt: skip
        return Encoding(tuple(numeric), tuple(categorical))

    def _choose_k(
        self, x: FloatArray, w: FloatArray, rng: np.random.Generator
    ) -> tuple[int, dict[int, float], dict[int, float], FloatArray]:
        n = len(x)
        low, high = self.k_range
        high = max(low, min(high, n // 2))
        rows = np.sort(rng.choice(n, self.selection_size, replace=False)) if (
            n > self.selection_size
        ) else np.arange(n)  # fmt: skip
        xs, ws = x[rows], w[rows]
        # The criterion of k compares the gains of k-1 → k and k → k+1 segments.
        ks = list(range(max(1, low - 1), high + 2))
        path = _path(xs, ws, ks, rng, self.n_init, self.max_iter)
        scores = _krzanowski_lai({k: path[k][0] for k in ks}, xs.shape[1])
        scores = {k: scores[k] for k in range(low, high + 1)}
        agreements: dict[int, list[float]] = {k: [] for k in scores}
        for _ in range(self.n_bootstrap):
            pick = rng.choice(len(xs), len(xs), replace=True)
            other = _path(xs[pick], ws[pick], list(scores), rng, 0, self.max_iter, refine=False)
            for k in scores:
                labels = _distances(xs, ws, other[k][1]).argmin(axis=1)
                agreements[k].append(adjusted_rand_index(path[k][2], labels))
        stability = {k: float(np.mean(a)) if a else 1.0 for k, a in agreements.items()}
        chosen = _choose(scores, stability, self.min_stability, self.score_tolerance)
        return chosen, scores, stability, path[chosen][1]

    # --- prediction ------------------------------------------------------------------------

    def predict(self, features: pd.DataFrame | pa.Table) -> IntArray:
        """Segment of each row (1 to ``k_``), computed as the warehouse does.

        Distances are summed feature by feature in the order of
        :meth:`assignment_expression`, so both give the same segment but for exact ties.
        """
        self._check_fitted()
        frame = _frame(features)
        distances = self._sequential_distances(frame)
        result: IntArray = distances.argmin(axis=1).astype(np.int64) + 1
        return result

    def _sequential_distances(self, frame: pd.DataFrame) -> FloatArray:
        enc = self.encoding_
        centers = self.centers_
        numbers, codes = _coordinates(enc, frame)
        total = np.zeros((len(frame), self.k_))
        col = 0
        for z in numbers:
            present = np.isfinite(z)
            diff = np.where(present[:, None], z[:, None] - centers[:, col][None, :], 0.0)
            total = total + diff * diff
            col += 1
        for cat, index in zip(enc.categorical, codes, strict=True):
            table = _category_costs(cat, centers[:, col : col + len(cat.categories)])
            present = index >= 0
            total = total + np.where(present[:, None], table[np.maximum(index, 0)], 0.0)
            col += len(cat.categories)
        return total

    def assignment_expression(
        self, features: ir.Table, materialise: Materialise | None = None
    ) -> ir.Table:
        """``customer_id`` and ``segment_id`` of every row of ``features``, in the warehouse.

        The fitted encoding and centres are written into the expression: each person's
        coordinates, the squared distance to each centre over the features they have, and
        the nearest centre (the lower segment on a tie).

        With ``materialise`` (which writes an expression to a work table and returns that
        table), the coordinates and then the distances are written out before the next step
        reads them. Each is used many times by the step after it: an engine that inlines one
        step into the next (PostgreSQL does) would otherwise compute every coordinate once
        per centre and every distance once per comparison.
        """
        self._check_fitted()
        stage = materialise or (lambda expr, _name: expr.view())
        encoded = stage(self._coordinates_expression(features), "coordinates")
        measured = stage(self._distances_expression(encoded), "distances")
        d = [measured[f"_d{c}"] for c in range(self.k_)]
        branches = [
            (ibis.and_(*(d[c] <= d[o] for o in range(self.k_) if o != c)), c + 1)
            for c in range(self.k_ - 1)
        ]
        segment = ibis.cases(*branches, else_=self.k_) if branches else ibis.literal(1)
        return measured.select(measured[KEY], **{SEGMENT: segment.cast("int64")})

    def _coordinates_expression(self, features: ir.Table) -> ir.Table:
        """``customer_id`` and the coordinates (``_z*`` numeric, ``_c*`` category)."""
        enc = self.encoding_
        coords: dict[str, ir.Value] = {}
        for i, num in enumerate(enc.numeric):
            coords[f"_z{i}"] = _numeric_expression(num, features[num.name])
        for i, cat in enumerate(enc.categorical):
            value = features[cat.name].cast("string")
            coords[f"_c{i}"] = value.isin(cat.categories).ifelse(value, ibis.null("string"))
        encoded = features.select(features[KEY], **coords)
        # A block counts only when complete: its coordinates are dropped when one is missing.
        names = {
            **{num.name: f"_z{i}" for i, num in enumerate(enc.numeric)},
            **{cat.name: f"_c{i}" for i, cat in enumerate(enc.categorical)},
        }
        partial = {
            block: [names[m] for m in members]
            for block, members in _blocks(enc).items()
            if len(members) > 1
        }
        if partial:
            encoded = encoded.view()
            complete: dict[str, ir.Value] = {}
            for columns in partial.values():
                present = ibis.and_(*(encoded[name].notnull() for name in columns))
                for name in columns:
                    complete[name] = present.ifelse(encoded[name], ibis.null(encoded[name].type()))
            encoded = encoded.mutate(**complete)
        return encoded

    def _distances_expression(self, encoded: ir.Table) -> ir.Table:
        """``customer_id`` and the squared distance to each centre (``_d0``, ``_d1``, ...)."""
        enc = self.encoding_
        centers = self.centers_
        distances: dict[str, ir.Value] = {}
        for c in range(self.k_):
            total: ir.NumericValue = ibis.literal(0.0)
            col = 0
            for i, _ in enumerate(enc.numeric):
                z = encoded[f"_z{i}"]
                diff = z - float(centers[c, col])
                total = total + z.isnull().ifelse(0.0, diff * diff)
                col += 1
            for i, cat in enumerate(enc.categorical):
                table = _category_costs(cat, centers[:, col : col + len(cat.categories)])
                value = encoded[f"_c{i}"]
                cases = [
                    (value == name, float(table[j, c])) for j, name in enumerate(cat.categories)
                ]
                total = total + ibis.cases(*cases, else_=0.0)
                col += len(cat.categories)
            distances[f"_d{c}"] = total
        return encoded.select(encoded[KEY], **distances)


def draw_sample(features: ir.Table, size: int, seed: int = 0) -> pa.Table:
    """At most ``size`` rows of ``features``, drawn at random in the warehouse.

    Parameters
    ----------
    features
        The feature table (an Ibis expression).
    size
        Most rows to return; a smaller table comes back whole.
    seed
        Seed of the draw (the backend's repeatable sampling).

    Returns
    -------
    pyarrow.Table
        The rows, sorted by ``customer_id``.

    Notes
    -----
    The draw reads the whole of ``features``; when the same features are also assigned,
    write them to a table first so that the warehouse computes them once.
    """
    rows = int(features.count().to_pyarrow().as_py() or 0)
    if rows > size:
        # Bernoulli sampling returns about the fraction asked: asking a little less keeps the
        # draw under ``size`` (four standard deviations), and the limit guards the rest.
        fraction = size / rows * max(0.9, 1 - 4 / math.sqrt(size))
        features = features.sample(fraction, method="row", seed=seed).limit(size)
    table = features.to_pyarrow()
    return table.sort_by(KEY)


def adjusted_rand_index(left: npt.ArrayLike, right: npt.ArrayLike) -> float:
    """Adjusted Rand index of two partitions of the same items (Hubert & Arabie, 1985).

    1 for identical partitions (up to names), about 0 for unrelated ones.

    Examples
    --------
    >>> adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> round(adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 4)
    0.2424
    """
    a = np.unique(np.asarray(left), return_inverse=True)[1].ravel()
    b = np.unique(np.asarray(right), return_inverse=True)[1].ravel()
    if len(a) != len(b):
        raise InputError("segment.auto.partition_sizes", left=len(a), right=len(b))
    n = len(a)
    if n < 2:
        return 1.0
    table = np.bincount(a * (b.max() + 1) + b).astype(np.float64)

    def pairs(counts: FloatArray) -> float:
        return float((counts * (counts - 1) / 2).sum())

    together = pairs(table)
    rows = pairs(np.bincount(a).astype(np.float64))
    cols = pairs(np.bincount(b).astype(np.float64))
    expected = rows * cols / (n * (n - 1) / 2)
    best = (rows + cols) / 2
    if best == expected:
        return 1.0
    return (together - expected) / (best - expected)


# --- encoding ----------------------------------------------------------------------------------


def _frame(features: pd.DataFrame | pa.Table) -> pd.DataFrame:
    if isinstance(features, pa.Table):
        frame: pd.DataFrame = features.to_pandas()
        return frame
    return features


def _transformed(values: pd.Series[Any], transform: str) -> FloatArray:
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if transform == "log1p":
        # ln(1 + x) as the warehouse computes it, so both sides agree to the last digits.
        x = np.log(1.0 + np.maximum(x, 0.0))
    return x


def _numeric_coordinate(num: NumericEncoding, values: pd.Series[Any]) -> FloatArray:
    """The coordinate of a numeric feature (NaN where missing)."""
    t = _transformed(values, num.transform)
    z = np.minimum(np.maximum((t - num.loc) / num.scale, -num.clip), num.clip)
    result: FloatArray = z * num.weight
    return result


def _numeric_expression(num: NumericEncoding, value: ir.Value) -> ir.FloatingValue:
    """The same coordinate as an Ibis expression (null where missing)."""
    x = value.cast("float64")
    if num.transform == "log1p":
        x = (ibis.greatest(x, 0.0) + 1.0).ln()
    z = ibis.least(ibis.greatest((x - num.loc) / num.scale, -num.clip), num.clip)
    # GREATEST and LEAST skip nulls (DuckDB, PostgreSQL, Spark): a missing value is kept
    # missing explicitly.
    result: ir.FloatingValue = value.isnull().ifelse(ibis.null("float64"), z * num.weight)
    return result


def _category_costs(cat: CategoricalEncoding, centers: FloatArray) -> FloatArray:
    """Squared distance of each category (rows) to each centre (columns) over the indicators."""
    m = len(cat.categories)
    coords = (np.eye(m) - np.asarray(cat.shares)[None, :]) * cat.weight
    costs: FloatArray = ((coords[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    return costs


def _blocks(enc: Encoding) -> dict[str, list[str]]:
    """The features of each block, in the order of the encoding."""
    blocks: dict[str, list[str]] = {}
    items: list[NumericEncoding | CategoricalEncoding] = [*enc.numeric, *enc.categorical]
    for item in items:
        blocks.setdefault(item.block, []).append(item.name)
    return blocks


def _coordinates(
    enc: Encoding, frame: pd.DataFrame
) -> tuple[list[FloatArray], list[npt.NDArray[np.int64]]]:
    """Numeric coordinates (NaN where missing) and category codes (-1 where missing or
    unknown), with every feature of an incomplete block made missing."""
    numbers = [_numeric_coordinate(num, frame[num.name]) for num in enc.numeric]
    codes = [_category_codes(cat, frame[cat.name]) for cat in enc.categorical]
    present = {
        **{num.name: np.isfinite(z) for num, z in zip(enc.numeric, numbers, strict=True)},
        **{cat.name: c >= 0 for cat, c in zip(enc.categorical, codes, strict=True)},
    }
    complete: dict[str, npt.NDArray[np.bool_]] = {}
    for members in _blocks(enc).values():
        if len(members) > 1:
            whole: npt.NDArray[np.bool_] = np.logical_and.reduce([present[m] for m in members])
            for m in members:
                complete[m] = whole
    numbers = [
        np.where(complete[num.name], z, np.nan) if num.name in complete else z
        for num, z in zip(enc.numeric, numbers, strict=True)
    ]
    codes = [
        np.where(complete[cat.name], c, -1) if cat.name in complete else c
        for cat, c in zip(enc.categorical, codes, strict=True)
    ]
    return numbers, codes


def _category_codes(cat: CategoricalEncoding, values: pd.Series[Any]) -> npt.NDArray[np.int64]:
    """Index of each value among the categories (-1 where missing or unknown)."""
    text = values.astype("string").astype(object).where(values.notna(), None)
    codes: npt.NDArray[np.int64] = (
        pd.Index(list(cat.categories), dtype=object).get_indexer(pd.Index(text)).astype(np.int64)
    )
    return codes


def _encode(enc: Encoding, frame: pd.DataFrame) -> tuple[FloatArray, FloatArray]:
    """Coordinates (0 where missing) and the mask of present coordinates."""
    n = len(frame)
    x = np.zeros((n, enc.dimensions))
    w = np.zeros((n, enc.dimensions))
    numbers, codes = _coordinates(enc, frame)
    col = 0
    for z in numbers:
        present = np.isfinite(z)
        x[:, col] = np.where(present, z, 0.0)
        w[:, col] = present
        col += 1
    for cat, index in zip(enc.categorical, codes, strict=True):
        m = len(cat.categories)
        present = index >= 0
        block = (np.eye(m)[np.maximum(index, 0)] - np.asarray(cat.shares)[None, :]) * cat.weight
        x[:, col : col + m] = np.where(present[:, None], block, 0.0)
        w[:, col : col + m] = present[:, None]
        col += m
    return x, w


# --- k-means with missing coordinates ------------------------------------------------------


def _distances(
    x: FloatArray, w: FloatArray, centers: FloatArray, squares: FloatArray | None = None
) -> FloatArray:
    """Squared distances of rows to centres over each row's present coordinates.

    ``x`` is 0 where a coordinate is missing and ``w`` is 0 there (1 elsewhere), so
    ``sum(w * (x - c)**2) = sum(x**2) - 2 x.c + w.c**2``: three matrix products.
    """
    if squares is None:
        squares = (x * x).sum(axis=1)
    d = squares[:, None] - 2.0 * (x @ centers.T) + w @ (centers * centers).T
    result: FloatArray = np.maximum(d, 0.0)
    return result


def _seed_centers(
    x: FloatArray, w: FloatArray, k: int, rng: np.random.Generator, greedy: bool = True
) -> FloatArray:
    """k-means++ seeding (Arthur & Vassilvitskii, 2007); greedy: the best of several
    candidates at each step."""
    n = len(x)
    trials = 2 + int(math.log(k)) if k > 1 and greedy else 1
    centers = x[[int(rng.integers(n))]]
    closest = _distances(x, w, centers)[:, 0]
    for _ in range(1, k):
        total = closest.sum()
        if total <= 0:
            candidates = rng.integers(0, n, trials)
        else:
            candidates = rng.choice(n, trials, p=closest / total)
        options = np.minimum(closest[:, None], _distances(x, w, x[candidates]))
        best = int(options.sum(axis=0).argmin())
        centers = np.vstack([centers, x[candidates[best]]])
        closest = options[:, best]
    return centers


def _lloyd(
    x: FloatArray, w: FloatArray, centers: FloatArray, max_iter: int
) -> tuple[float, FloatArray, IntArray]:
    k = len(centers)
    squares = (x * x).sum(axis=1)
    labels: IntArray | None = None
    # Lloyd's iterations end when (almost) no row changes segment: the last few moves of a
    # long tail hardly change the centres.
    settled = max(1, len(x) // 10_000)
    for _ in range(max_iter):
        d = _distances(x, w, centers, squares)
        new = d.argmin(axis=1)
        if labels is not None and int((new != labels).sum()) < settled:
            labels = new
            break
        labels = new
        # Sums per segment through a sparse membership matrix: a dense one makes BLAS
        # multiply mostly zeros (and is slow with threads on a busy machine).
        members = sparse.csr_matrix(
            (np.ones(len(x)), (labels, np.arange(len(x)))), shape=(k, len(x))
        )
        sums = np.asarray(members @ x)
        counts = np.asarray(members @ w)
        centers = np.where(counts > 0, sums / np.maximum(counts, 1e-12), 0.0)
        empty = np.flatnonzero(np.bincount(labels, minlength=k) == 0)
        if len(empty):
            # An empty segment restarts at the rows farthest from their centre.
            far = np.argsort(-d[np.arange(len(x)), labels])[: len(empty)]
            centers[empty] = x[far]
    d = _distances(x, w, centers, squares)
    labels = d.argmin(axis=1)
    return float(d[np.arange(len(x)), labels].sum()), centers, labels


def _kmeans(
    x: FloatArray,
    w: FloatArray,
    k: int,
    rng: np.random.Generator,
    n_init: int,
    max_iter: int,
    start: FloatArray | None = None,
) -> tuple[float, FloatArray, IntArray]:
    """The best of ``n_init`` k-means runs (and one from ``start`` when given)."""
    best: tuple[float, FloatArray, IntArray] | None = None
    starts: list[FloatArray | None] = [start] if start is not None else []
    starts += [None] * n_init
    if not starts:
        starts = [None]
    for first in starts:
        seeded = first if first is not None else _seed_centers(x, w, k, rng)
        run = _lloyd(x, w, seeded, max_iter)
        if best is None or run[0] < best[0]:
            best = run
    assert best is not None
    return best


def _choose(
    scores: Mapping[int, float],
    stability: Mapping[int, float],
    min_stability: float,
    tolerance: float,
) -> int:
    """The number of segments: the largest stable k whose score is close to the best.

    Stable: a mean bootstrap ARI of at least ``min_stability``. Close: a score of at least
    ``tolerance`` times the best score of the stable k. Nested structure (three broad groups
    that split into six) gives high scores at both levels; the finer one is kept, as its
    segments can always be merged back. When no k is stable, the most stable k is chosen.
    """
    stable = [k for k in scores if stability[k] >= min_stability]
    if not stable:
        return max(stability, key=lambda k: (stability[k], -k))
    best = max(scores[k] for k in stable)
    return max(k for k in stable if scores[k] >= tolerance * best)


def _krzanowski_lai(inertia: Mapping[int, float], dimensions: int) -> dict[int, float]:
    """Krzanowski & Lai (1988) index of each k that has both neighbours in ``inertia``.

    ``DIFF(k) = (k-1)^(2/p) W(k-1) - k^(2/p) W(k)`` and ``KL(k) = |DIFF(k) / DIFF(k+1)|``,
    where ``W`` is the within-segment sum of squares and ``p`` the number of coordinates:
    large when going to k segments gains much more than going on to k + 1.

    Examples
    --------
    >>> scores = _krzanowski_lai({1: 100.0, 2: 40.0, 3: 35.0, 4: 31.0}, 1000)
    >>> round(scores[2], 2), round(scores[3], 2)
    (12.04, 1.25)
    """
    p = max(1, dimensions)

    def diff(k: int) -> float:
        return float((k - 1) ** (2 / p) * inertia[k - 1] - k ** (2 / p) * inertia[k])

    result: dict[int, float] = {}
    for k in inertia:
        if k - 1 in inertia and k + 1 in inertia:
            below, above = diff(k), diff(k + 1)
            result[k] = abs(below / above) if above != 0 else (math.inf if below else 0.0)
    return result


def _ward_starts(
    centers: FloatArray, sizes: FloatArray, ks: Sequence[int]
) -> dict[int, FloatArray]:
    """Starting centres for each k from Ward's agglomeration of weighted centres."""
    groups = [c.astype(np.float64) for c in centers]
    weights = [float(s) for s in sizes]
    alive = list(range(len(groups)))
    wanted = set(ks)
    starts: dict[int, FloatArray] = {}
    if len(alive) in wanted:
        starts[len(alive)] = np.array(groups)
    while len(alive) > 1:
        points = np.array([groups[i] for i in alive])
        mass = np.array([weights[i] for i in alive])
        gaps = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
        cost = mass[:, None] * mass[None, :] / (mass[:, None] + mass[None, :]) * gaps
        cost[np.tril_indices(len(alive))] = np.inf
        a, b = np.unravel_index(int(np.argmin(cost)), cost.shape)
        i, j = alive[int(a)], alive[int(b)]
        total = weights[i] + weights[j]
        groups[i] = (weights[i] * groups[i] + weights[j] * groups[j]) / total
        weights[i] = total
        alive.remove(j)
        if len(alive) in wanted:
            starts[len(alive)] = np.array([groups[i] for i in alive])
    return starts


def _path(
    x: FloatArray,
    w: FloatArray,
    ks: Sequence[int],
    rng: np.random.Generator,
    n_init: int,
    max_iter: int,
    refine: bool = True,
) -> dict[int, tuple[float, FloatArray, IntArray]]:
    """k-means for every k of ``ks``: each started from Ward's merge of many small segments
    (consistent across k, and rarely stuck) and from ``n_init`` k-means++ seedings; with
    ``refine``, also from its neighbours (k - 1 split, k + 1 merged)."""
    micro = min(len(x), max(40, 4 * max(ks)))
    _, centers, labels = _lloyd(x, w, _seed_centers(x, w, micro, rng, greedy=False), 20)
    sizes = np.bincount(labels, minlength=len(centers)).astype(np.float64)
    keep = sizes > 0
    starts = _ward_starts(centers[keep], sizes[keep], ks)
    result: dict[int, tuple[float, FloatArray, IntArray]] = {}
    for k in ks:
        result[k] = _kmeans(x, w, k, rng, n_init, max_iter, starts.get(k))
    # Neighbouring k keep each other honest: k + 1 also starts from k with its widest
    # segment split, and k from k + 1 with its closest pair merged. A run stuck at one k
    # would otherwise show as a false jump in the criterion.
    ordered = sorted(ks) if refine else []
    for below, above in itertools.pairwise(ordered):
        if above == below + 1:
            split = _lloyd(x, w, _split_widest(x, w, result[below], rng), max_iter)
            if split[0] < result[above][0]:
                result[above] = split
    for below, above in zip(ordered[-2::-1], ordered[:0:-1], strict=False):
        if above == below + 1:
            merged = _lloyd(x, w, _merge_closest(result[above]), max_iter)
            if merged[0] < result[below][0]:
                result[below] = merged
    return result


def _split_widest(
    x: FloatArray,
    w: FloatArray,
    fitted: tuple[float, FloatArray, IntArray],
    rng: np.random.Generator,
) -> FloatArray:
    """Centres of a fit with its segment of largest within sum of squares split in two."""
    _, centers, labels = fitted
    d = _distances(x, w, centers)[np.arange(len(x)), labels]
    spread = np.bincount(labels, weights=d, minlength=len(centers))
    widest = int(spread.argmax())
    rows = np.flatnonzero(labels == widest)
    if len(rows) < 2:
        return np.vstack([centers, x[int(rng.integers(len(x)))]])
    _, halves, _ = _lloyd(x[rows], w[rows], _seed_centers(x[rows], w[rows], 2, rng), 20)
    return np.vstack([np.delete(centers, widest, axis=0), halves])


def _merge_closest(fitted: tuple[float, FloatArray, IntArray]) -> FloatArray:
    """Centres of a fit with the two segments cheapest to merge (Ward) merged."""
    _, centers, labels = fitted
    sizes = np.bincount(labels, minlength=len(centers)).astype(np.float64)
    starts = _ward_starts(centers, np.maximum(sizes, 1e-9), [len(centers) - 1])
    return starts[len(centers) - 1]
