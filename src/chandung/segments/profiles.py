"""Segment profiles: who is in a segment, how they differ from the whole base, in plain words.

A *base* is a wide table with one row per person (``customer_id`` plus attributes); a *segment*
is a subset of it, given either as an Ibis boolean expression over the base or as a table of
``customer_id`` values. :func:`profile_segment` describes the segment against the base and
:func:`compare_segments` two segments against each other. Every count, sum, mean, variance and
median is a grouped aggregate run in the warehouse (two queries per call, whatever the size of
the base); only those aggregates come into Python, where the tests are finished.

Statistics
----------
Categorical and boolean attributes
    Missing values form their own level, ``"unknown"`` (:data:`UNKNOWN`), so that the shares of
    an attribute's levels add up to 1 in the segment and in the base (a stored value
    ``"unknown"`` joins it). Levels are compared as text. For each level:
    ``share_segment`` and ``share_base`` (its share of the segment and of the base) and
    ``lift = share_segment / share_base``. The test is the pooled two-proportion z-test of the
    share in the segment against the share among the *rest* of the base (customers outside the
    segment): the segment is part of the base, so the two are not independent samples, whereas
    members and non-members are, and "the share differs between segment and rest" is the same
    hypothesis as "the share in the segment differs from the base". ``z²`` is Pearson's
    chi-square of the 2 × 2 table (member × level) without continuity correction. The effect
    size is Cohen's *h*, ``2·asin√p_segment − 2·asin√p_rest``.
Numeric attributes
    Mean and median (exact ``median``, which DuckDB, PostgreSQL and Spark all compute; pass
    ``approximate_median=True`` for the engine's approximate quantile on very large bases) in
    the segment and in the base, and their ratios. Missing values are left out. The test is
    Welch's t-test of the segment against the rest of the base, from the count, mean and sample
    variance of each computed in the warehouse; the effect size is the standardised difference
    ``(mean_segment − mean_rest) / √((var_segment + var_rest) / 2)``.
Multiple testing
    Every level of every categorical, boolean and combined attribute and every numeric
    attribute is one test. The p-values of all the tests of one profile (or one comparison) are
    adjusted together with the Benjamini-Hochberg procedure (:func:`benjamini_hochberg`), which
    keeps the expected share of false discoveries among the reported traits at or below
    ``alpha``; a result is *significant* when its adjusted p-value (``q_value``) is at most
    ``alpha``. A test that cannot be run (an empty side, a level every customer or no customer
    has, fewer than two values or no variance) has ``p_value = None`` and is left out of the
    family.
Traits
    A trait is a significant level or numeric attribute with enough support: at least
    ``min_count`` customers of the segment in the level, or expected there at the base's share
    for an under-represented level (``max(observed, expected) >= min_count``), or with a
    numeric value. Traits are ranked by ``score = |effect| · (1 − q / alpha)``: the effect size,
    discounted as the evidence nears the significance threshold. For an attribute with only
    two levels in the base, the under-represented level only mirrors the over-represented one
    and is not listed.

Edge cases
----------
An empty segment (or an empty base) is not an error: the profile has size 0, the levels of the
base with ``n_segment = 0`` and no share, lift or test (``None``), and no traits. A segment equal
to the whole base has lifts and ratios of 1, no rest to test against and so no significant
result. Customers of a membership table who are not in the base are ignored. When two compared
segments overlap, the A-vs-B tests treat them as independent samples, which they are not
entirely: :attr:`SegmentComparison.overlap` says how many customers are in both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

import ibis
import ibis.expr.types as ir
from scipy import stats

from ..errors import InputError
from ..i18n import DEFAULT_LANGUAGE, translate
from ..i18n.formats import format_compact_vnd, format_number, format_percent

AttributeKind = Literal["categorical", "numeric", "boolean"]

#: How the caller names attribute levels: ``labels[attribute][level]``, with the attribute's own
#: name under the reserved key ``"_"`` (as in the catalogues), or a function of
#: ``(attribute, level)`` (``level`` is ``None`` for the attribute's own name) that returns
#: ``None`` to keep the default.
Labels = Mapping[str, Mapping[str, str]] | Callable[[str, str | None], str | None]

#: The level of a missing value.
UNKNOWN = "unknown"

#: Default significance level of the corrected (Benjamini-Hochberg) p-values.
DEFAULT_ALPHA = 0.05

#: Default number of segment members a trait needs (z-tests are poor on smaller counts).
DEFAULT_MIN_COUNT = 20

#: Numeric attributes written as money in trait sentences (besides names ending in ``_vnd``).
MONEY_ATTRIBUTES = frozenset({"total_revenue", "average_order_value", "monetary_value"})

_KINDS: tuple[str, ...] = get_args(AttributeKind)
_MEMBER = "__chandung_member_{}"


# --------------------------------------------------------------------------------------------
# Tests


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float] | None:
    """Pooled two-proportion z-test of ``x1 / n1`` against ``x2 / n2``, two-sided.

    Returns
    -------
    tuple[float, float] | None
        ``(z, p_value)``, or ``None`` when the test cannot be run (an empty sample, or a pooled
        share of 0 or 1).

    Examples
    --------
    >>> z, p = two_proportion_z_test(30, 50, 20, 50)
    >>> round(z, 4), round(p, 4)
    (2.0, 0.0455)
    """
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    if pooled <= 0.0 or pooled >= 1.0:
        return None
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    return z, math.erfc(abs(z) / math.sqrt(2.0))


def welch_t_test(
    n1: int, mean1: float, var1: float, n2: int, mean2: float, var2: float
) -> tuple[float, float, float] | None:
    """Welch's unequal-variance t-test from each sample's count, mean and sample variance.

    Returns
    -------
    tuple[float, float, float] | None
        ``(t, degrees_of_freedom, p_value)`` (two-sided), or ``None`` when a sample has fewer
        than two values or neither varies.

    Examples
    --------
    >>> t, df, p = welch_t_test(10, 5.0, 4.0, 10, 3.0, 4.0)
    >>> round(t, 4), round(df, 1), round(p, 4)
    (2.2361, 18.0, 0.0382)
    """
    if n1 < 2 or n2 < 2:
        return None
    a, b = var1 / n1, var2 / n2
    if a + b <= 0.0:
        return None
    t = (mean1 - mean2) / math.sqrt(a + b)
    df = (a + b) ** 2 / (a**2 / (n1 - 1) + b**2 / (n2 - 1))
    return t, df, float(2.0 * stats.t.sf(abs(t), df))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given.

    ``q_(i) = min over j ≥ i of m · p_(j) / j`` for the p-values sorted increasingly, capped at
    1: rejecting every test with ``q ≤ alpha`` keeps the false discovery rate at or below
    ``alpha`` for independent or positively dependent tests.

    Examples
    --------
    >>> [round(q, 6) for q in benjamini_hochberg([0.01, 0.04, 0.03, 0.5])]
    [0.04, 0.053333, 0.053333, 0.5]
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted


def cohen_h(p1: float, p2: float) -> float:
    """Cohen's effect size *h* between two proportions.

    Examples
    --------
    >>> round(cohen_h(0.8, 0.4), 3)
    0.845
    """
    return 2.0 * math.asin(math.sqrt(p1)) - 2.0 * math.asin(math.sqrt(p2))


def _standardised_difference(
    mean1: float | None, var1: float | None, mean2: float | None, var2: float | None
) -> float | None:
    if mean1 is None or mean2 is None or var1 is None or var2 is None:
        return None
    spread = math.sqrt((var1 + var2) / 2.0)
    return (mean1 - mean2) / spread if spread > 0.0 else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0.0:
        return None
    return numerator / denominator


def _score(effect: float, q_value: float, alpha: float) -> float:
    return abs(effect) * (1.0 - q_value / alpha)


# --------------------------------------------------------------------------------------------
# Results


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class LevelFigures:
    """One level of a categorical or boolean attribute (or a combination of two) in a segment.

    ``columns`` and ``values`` hold one attribute and its level, or two for a combined level
    (e.g. ``("gender", "age_band")`` and ``("female", "25-34")``).
    """

    columns: tuple[str, ...]
    kinds: tuple[AttributeKind, ...]
    values: tuple[str, ...]
    n_segment: int
    n_base: int
    share_segment: float | None
    share_base: float | None
    lift: float | None
    share_rest: float | None
    effect: float | None
    statistic: float | None
    p_value: float | None
    q_value: float | None
    significant: bool

    @property
    def attribute(self) -> str:
        """The attribute's name (two joined by ``×`` for a combined level)."""
        return " × ".join(self.columns)

    @property
    def level(self) -> str:
        """The level (two joined by ``×`` for a combined level)."""
        return " × ".join(self.values)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        out["attribute"], out["level"] = self.attribute, self.level
        return out


@dataclass(frozen=True)
class NumericFigures:
    """A numeric attribute in a segment against the base (missing values left out)."""

    attribute: str
    n_segment: int
    n_base: int
    mean_segment: float | None
    mean_base: float | None
    median_segment: float | None
    median_base: float | None
    mean_ratio: float | None
    median_ratio: float | None
    std_segment: float | None
    n_rest: int
    mean_rest: float | None
    std_rest: float | None
    effect: float | None
    statistic: float | None
    degrees_of_freedom: float | None
    p_value: float | None
    q_value: float | None
    significant: bool

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        return out


@dataclass(frozen=True)
class Trait:
    """A distinguishing trait of a segment, ready to be written as a sentence.

    ``segment_value`` and ``base_value`` are shares for a level and means for a numeric
    attribute; ``ratio`` is the lift or the ratio of the means; ``direction`` is ``"over"`` when
    the segment has more of it than the rest of the base.
    """

    kind: Literal["level", "numeric"]
    columns: tuple[str, ...]
    kinds: tuple[AttributeKind, ...]
    values: tuple[str, ...]
    direction: Literal["over", "under"]
    n_segment: int
    segment_value: float
    base_value: float
    ratio: float | None
    effect: float
    q_value: float
    score: float

    def label(self, language: str = DEFAULT_LANGUAGE, labels: Labels | None = None) -> str:
        """What the trait is about, e.g. ``nữ 25–34 tuổi`` or ``CLV dự báo``."""
        if self.kind == "numeric":
            return attribute_label(self.columns[0], language, labels)
        parts = [
            _level_label(column, kind, value, language, labels)
            for column, kind, value in zip(self.columns, self.kinds, self.values, strict=True)
        ]
        # Given labels read as one phrase ("nữ 25–34 tuổi"); defaults name their attribute.
        explicit = all(
            _given_label(labels, c, v) is not None
            for c, v in zip(self.columns, self.values, strict=True)
        )
        return (" " if explicit else ", ").join(parts)

    def text(self, language: str = DEFAULT_LANGUAGE, labels: Labels | None = None) -> str:
        """The trait as a plain sentence in ``language``.

        Examples
        --------
        >>> trait = Trait("level", ("gender",), ("categorical",), ("female",), "over", 71,
        ...               0.71, 0.38, 1.87, 0.67, 0.001, 0.65)
        >>> trait.text("en", {"gender": {"female": "women"}})
        'women: 71% vs 38% overall, lift 1.9'
        >>> trait.text("vi", {"gender": {"female": "nữ"}})
        'nữ: 71% so với 38% toàn bộ, gấp 1,9 lần'
        """
        label = self.label(language, labels)
        if self.kind == "level":
            key = "segment.traits.level_over"
            if self.direction == "under":
                key = "segment.traits.level_under"
            return translate(
                key,
                language,
                label=label,
                segment=format_percent(self.segment_value, language, 0),
                base=format_percent(self.base_value, language, 0),
                lift=format_number(self.ratio or 0.0, language, 1),
            )
        segment = _value_text(self.columns[0], self.segment_value, language)
        base = _value_text(self.columns[0], self.base_value, language)
        if self.ratio is None or self.ratio <= 0.0:
            return translate(
                "segment.traits.numeric_plain", language, label=label, segment=segment, base=base
            )
        key = "segment.traits.numeric_over"
        if self.direction == "under":
            key = "segment.traits.numeric_under"
        return translate(
            key,
            language,
            label=label,
            segment=segment,
            base=base,
            ratio=format_number(self.ratio, language, 1),
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        return out


@dataclass(frozen=True)
class SegmentProfile:
    """A segment described against the whole base.

    ``revenue``, ``mean_clv`` and ``mean_probability_alive`` (and their base counterparts) are
    ``None`` when the column was not asked for, or when there is no value to average.
    """

    size: int
    base_size: int
    customer_share: float | None
    revenue: float | None
    base_revenue: float | None
    revenue_share: float | None
    mean_clv: float | None
    base_mean_clv: float | None
    mean_probability_alive: float | None
    base_mean_probability_alive: float | None
    levels: tuple[LevelFigures, ...]
    numeric: tuple[NumericFigures, ...]
    traits: tuple[Trait, ...]
    alpha: float
    min_count: int

    def trait_texts(
        self, language: str = DEFAULT_LANGUAGE, labels: Labels | None = None, limit: int = 5
    ) -> list[str]:
        """The first ``limit`` traits as sentences in ``language``."""
        return [trait.text(language, labels) for trait in self.traits[:limit]]

    def levels_of(self, attribute: str) -> tuple[LevelFigures, ...]:
        """The levels of one attribute (``"gender × age_band"`` for a combination)."""
        return tuple(level for level in self.levels if level.attribute == attribute)

    def numeric_of(self, attribute: str) -> NumericFigures:
        """The figures of one numeric attribute."""
        for figures in self.numeric:
            if figures.attribute == attribute:
                return figures
        raise KeyError(attribute)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        out["levels"] = [level.as_dict() for level in self.levels]
        return out


@dataclass(frozen=True)
class LevelDifference:
    """One level's share in segment A against segment B, with the test of the difference."""

    columns: tuple[str, ...]
    kinds: tuple[AttributeKind, ...]
    values: tuple[str, ...]
    n_a: int
    n_b: int
    share_a: float | None
    share_b: float | None
    difference: float | None
    ratio: float | None
    effect: float | None
    statistic: float | None
    p_value: float | None
    q_value: float | None
    significant: bool

    @property
    def attribute(self) -> str:
        return " × ".join(self.columns)

    @property
    def level(self) -> str:
        return " × ".join(self.values)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        out["attribute"], out["level"] = self.attribute, self.level
        return out


@dataclass(frozen=True)
class NumericDifference:
    """A numeric attribute in segment A against segment B (Welch's t-test)."""

    attribute: str
    n_a: int
    n_b: int
    mean_a: float | None
    mean_b: float | None
    median_a: float | None
    median_b: float | None
    difference: float | None
    ratio: float | None
    effect: float | None
    statistic: float | None
    degrees_of_freedom: float | None
    p_value: float | None
    q_value: float | None
    significant: bool

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = _jsonable(asdict(self))
        return out


@dataclass(frozen=True)
class SegmentComparison:
    """Two segments side by side, each against the base, and A against B.

    The A-vs-B p-values are adjusted together (Benjamini-Hochberg), apart from those of each
    profile; ``overlap`` counts the customers in both segments.
    """

    a: SegmentProfile
    b: SegmentProfile
    overlap: int
    levels: tuple[LevelDifference, ...]
    numeric: tuple[NumericDifference, ...]
    alpha: float

    def top_differences(self, limit: int = 10) -> list[LevelDifference | NumericDifference]:
        """The significant differences, largest effect (discounted by its q-value) first."""
        items: tuple[LevelDifference | NumericDifference, ...] = (*self.levels, *self.numeric)
        found = [
            (_score(item.effect, item.q_value, self.alpha), item)
            for item in items
            if item.significant and item.effect is not None and item.q_value is not None
        ]
        found.sort(key=lambda pair: -pair[0])
        return [item for _, item in found[:limit]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.as_dict(),
            "b": self.b.as_dict(),
            "overlap": self.overlap,
            "levels": [level.as_dict() for level in self.levels],
            "numeric": [figures.as_dict() for figures in self.numeric],
            "alpha": self.alpha,
        }


# --------------------------------------------------------------------------------------------
# Labels and numbers in sentences


def _given_label(labels: Labels | None, column: str, value: str | None) -> str | None:
    if labels is None:
        return None
    if callable(labels):
        return labels(column, value)
    return labels.get(column, {}).get("_" if value is None else value)


def attribute_label(
    attribute: str, language: str = DEFAULT_LANGUAGE, labels: Labels | None = None
) -> str:
    """The name of an attribute: the caller's label, the catalogue's, or the column name.

    Examples
    --------
    >>> attribute_label("gender", "vi"), attribute_label("loyalty_tier", "en")
    ('giới tính', 'loyalty_tier')
    """
    given = _given_label(labels, attribute, None)
    if given is not None:
        return given
    return translate(f"segment.profile.attributes.{attribute}", language, default=attribute)


def _level_label(
    column: str, kind: AttributeKind, value: str, language: str, labels: Labels | None
) -> str:
    given = _given_label(labels, column, value)
    if given is not None:
        return given
    attribute = attribute_label(column, language, labels)
    if kind == "boolean":
        if value == "true":
            return translate("segment.traits.boolean_true", language, attribute=attribute)
        if value == "false":
            return translate("segment.traits.boolean_false", language, attribute=attribute)
    shown = translate("segment.profile.unknown", language) if value == UNKNOWN else value
    return translate("segment.traits.level", language, attribute=attribute, value=shown)


def _value_text(attribute: str, value: float, language: str) -> str:
    if attribute.endswith("_vnd") or attribute in MONEY_ATTRIBUTES:
        return format_compact_vnd(value, language)
    if attribute.startswith(("probability", "share")) or attribute.endswith(("_rate", "_share")):
        return format_percent(value, language, 0)
    return format_number(value, language, 0 if abs(value) >= 100 else 1)


# --------------------------------------------------------------------------------------------
# Warehouse aggregates


@dataclass(frozen=True)
class _Moments:
    n: int
    mean: float | None
    var: float | None
    median: float | None = None


@dataclass(frozen=True)
class _Group:
    """Aggregates of one membership flag."""

    size: int
    revenue: float | None
    mean_clv: float | None
    mean_alive: float | None
    numeric: dict[str, tuple[_Moments, _Moments]]  # attribute → (members, rest)


@dataclass(frozen=True)
class _LevelRow:
    columns: tuple[str, ...]
    kinds: tuple[AttributeKind, ...]
    values: tuple[str, ...]
    n_base: int
    n_groups: tuple[int, ...]


@dataclass(frozen=True)
class _Aggregates:
    base_size: int
    base_revenue: float | None
    base_mean_clv: float | None
    base_mean_alive: float | None
    base_numeric: dict[str, _Moments]
    groups: tuple[_Group, ...]
    overlap: int
    levels: tuple[_LevelRow, ...]
    n_levels_in_base: dict[tuple[str, ...], int]


def _float(value: Any) -> float | None:
    if value is None:
        return None
    out = float(value)
    return None if math.isnan(out) else out


def _membership(base: ir.Table, members: ir.Table | ir.BooleanValue) -> ir.BooleanValue:
    if isinstance(members, ir.Table):
        if "customer_id" not in members.columns:
            raise InputError("metrics.missing_columns", table="members", columns="customer_id")
        # IN (subquery) is a semi-join every engine runs; duplicate ids in members do no harm.
        return base.customer_id.isin(members.customer_id).fill_null(False)
    return members.fill_null(False)


def _check(
    base: ir.Table,
    attributes: Mapping[str, AttributeKind],
    combinations: Sequence[tuple[str, str]],
    figure_columns: Sequence[str | None],
    alpha: float,
    min_count: int,
) -> None:
    for name, kind in attributes.items():
        if kind not in _KINDS:
            raise InputError(
                "input.metric_choice", name=name, value=kind, choices=", ".join(_KINDS)
            )
    for pair in combinations:
        for name in pair:
            if attributes.get(name) not in ("categorical", "boolean"):
                raise InputError(
                    "input.metric_choice",
                    name="combinations",
                    value=name,
                    choices=", ".join(
                        n for n, k in attributes.items() if k in ("categorical", "boolean")
                    ),
                )
    needed = ["customer_id", *attributes, *(c for c in figure_columns if c is not None)]
    missing = [c for c in dict.fromkeys(needed) if c not in base.columns]
    if missing:
        raise InputError("metrics.missing_columns", table="base", columns=", ".join(missing))
    if not 0.0 < alpha < 1.0:
        raise InputError("metrics.fraction", field="alpha", value=alpha)
    if min_count < 0:
        raise InputError("input.metric_range", name="min_count", value=min_count, range="≥ 0")


def _gather(
    base: ir.Table,
    memberships: Sequence[ir.Table | ir.BooleanValue],
    attributes: Mapping[str, AttributeKind],
    combinations: Sequence[tuple[str, str]],
    revenue_column: str | None,
    clv_column: str | None,
    alive_column: str | None,
    approximate_median: bool,
) -> _Aggregates:
    flagged = base.mutate(
        **{_MEMBER.format(i): _membership(base, m) for i, m in enumerate(memberships)}
    )
    flags = [flagged[_MEMBER.format(i)] for i in range(len(memberships))]
    numeric = [name for name, kind in attributes.items() if kind == "numeric"]

    def median(column: ir.NumericColumn, where: ir.BooleanValue | None = None) -> ir.Scalar:
        if approximate_median:
            return column.approx_median(where=where)
        return column.median(where=where)

    # One query for sizes, money figures and the moments of every numeric attribute.
    metrics: dict[str, ir.Scalar] = {"n": flagged.count()}
    figures = {"revenue": revenue_column, "clv": clv_column, "alive": alive_column}
    for key, column in figures.items():
        if column is None:
            continue
        value = flagged[column].cast("float64")
        metrics[f"{key}_base"] = value.sum() if key == "revenue" else value.mean()
        for i, flag in enumerate(flags):
            metrics[f"{key}_{i}"] = (
                value.sum(where=flag) if key == "revenue" else value.mean(where=flag)
            )
    for i, flag in enumerate(flags):
        metrics[f"n_{i}"] = flag.cast("int64").sum()
    if len(flags) == 2:
        metrics["overlap"] = (flags[0] & flags[1]).cast("int64").sum()
    for j, name in enumerate(numeric):
        value = flagged[name].cast("float64")
        metrics[f"x{j}_n"], metrics[f"x{j}_mean"] = value.count(), value.mean()
        metrics[f"x{j}_var"], metrics[f"x{j}_median"] = value.var(), median(value)
        for i, flag in enumerate(flags):
            for side, where in (("in", flag), ("out", ~flag)):
                prefix = f"x{j}_{i}_{side}"
                metrics[f"{prefix}_n"] = value.count(where=where)
                metrics[f"{prefix}_mean"] = value.mean(where=where)
                metrics[f"{prefix}_var"] = value.var(where=where)
            metrics[f"x{j}_{i}_in_median"] = median(value, where=flag)
    row = flagged.aggregate(**metrics).to_pyarrow().to_pylist()[0]

    def moments(prefix: str, with_median: bool = False) -> _Moments:
        return _Moments(
            n=int(row[f"{prefix}_n"] or 0),
            mean=_float(row[f"{prefix}_mean"]),
            var=_float(row[f"{prefix}_var"]),
            median=_float(row[f"{prefix}_median"]) if with_median else None,
        )

    groups = tuple(
        _Group(
            size=int(row[f"n_{i}"] or 0),
            # A sum over no row is NULL: an empty segment has no revenue, not an unknown one.
            revenue=(_float(row[f"revenue_{i}"]) or 0.0) if revenue_column else None,
            mean_clv=_float(row.get(f"clv_{i}")),
            mean_alive=_float(row.get(f"alive_{i}")),
            numeric={
                name: (moments(f"x{j}_{i}_in", True), moments(f"x{j}_{i}_out"))
                for j, name in enumerate(numeric)
            },
        )
        for i in range(len(flags))
    )
    base_revenue = (_float(row["revenue_base"]) or 0.0) if revenue_column else None
    levels = _gather_levels(flagged, flags, attributes, combinations)
    distinct: dict[tuple[str, ...], int] = {}
    for level in levels:
        distinct[level.columns] = distinct.get(level.columns, 0) + 1
    return _Aggregates(
        base_size=int(row["n"] or 0),
        base_revenue=base_revenue,
        base_mean_clv=_float(row.get("clv_base")),
        base_mean_alive=_float(row.get("alive_base")),
        base_numeric={name: moments(f"x{j}", True) for j, name in enumerate(numeric)},
        groups=groups,
        overlap=int(row.get("overlap") or 0),
        levels=levels,
        n_levels_in_base=distinct,
    )


def _gather_levels(
    flagged: ir.Table,
    flags: Sequence[ir.BooleanValue],
    attributes: Mapping[str, AttributeKind],
    combinations: Sequence[tuple[str, str]],
) -> tuple[_LevelRow, ...]:
    groupings: list[tuple[str, ...]] = [
        (name,) for name, kind in attributes.items() if kind in ("categorical", "boolean")
    ]
    groupings += [tuple(pair) for pair in combinations]
    if not groupings:
        return ()
    # One grouped aggregate per attribute, all in one UNION ALL query; keys are text so that
    # the parts share a schema, and a missing value is the level "unknown".
    parts = []
    for index, columns in enumerate(groupings):
        keys = {
            f"level{k}": flagged[c].cast("string").fill_null(UNKNOWN) for k, c in enumerate(columns)
        }
        counts = {f"n_{i}": flag.cast("int64").sum() for i, flag in enumerate(flags)}
        grouped = flagged.group_by(**keys).aggregate(n_base=flagged.count(), **counts)
        # The second key is added after grouping: grouping by a constant is not portable.
        if len(columns) == 1:
            grouped = grouped.mutate(level1=ibis.literal(None, "string"))
        grouped = grouped.mutate(part=ibis.literal(index, "int32"))
        parts.append(
            grouped.select(
                "part",
                grouped.level0.cast("string").name("level0"),
                grouped.level1.cast("string").name("level1"),
                grouped.n_base.cast("int64").name("n_base"),
                *(grouped[f"n_{i}"].cast("int64").name(f"n_{i}") for i in range(len(flags))),
            )
        )
    union = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    rows = union.to_pyarrow().to_pylist()
    out = []
    for r in rows:
        columns = groupings[r["part"]]
        values = (r["level0"],) if len(columns) == 1 else (r["level0"], r["level1"])
        out.append(
            _LevelRow(
                columns=columns,
                kinds=tuple(attributes[c] for c in columns),
                values=values,
                n_base=int(r["n_base"] or 0),
                n_groups=tuple(int(r[f"n_{i}"] or 0) for i in range(len(flags))),
            )
        )
    # Attributes in the order asked for; levels by size in the base, then by name.
    out.sort(key=lambda lv: (groupings.index(lv.columns), -lv.n_base, lv.values))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Profiles


def _adjust(p_values: Sequence[float | None]) -> list[float | None]:
    tested = [p for p in p_values if p is not None]
    adjusted = iter(benjamini_hochberg(tested))
    return [None if p is None else next(adjusted) for p in p_values]


def _build_profile(agg: _Aggregates, index: int, alpha: float, min_count: int) -> SegmentProfile:
    group = agg.groups[index]
    size, base_size = group.size, agg.base_size
    rest_size = base_size - size

    level_fields: list[dict[str, Any]] = []
    for row in agg.levels:
        n_seg = row.n_groups[index]
        n_rest = row.n_base - n_seg
        share_segment = n_seg / size if size else None
        share_base = row.n_base / base_size if base_size else None
        share_rest = n_rest / rest_size if rest_size else None
        test = two_proportion_z_test(n_seg, size, n_rest, rest_size)
        level_fields.append(
            {
                "columns": row.columns,
                "kinds": row.kinds,
                "values": row.values,
                "n_segment": n_seg,
                "n_base": row.n_base,
                "share_segment": share_segment,
                "share_base": share_base,
                "lift": _ratio(share_segment, share_base),
                "share_rest": share_rest,
                "effect": (
                    cohen_h(share_segment, share_rest)
                    if share_segment is not None and share_rest is not None
                    else None
                ),
                "statistic": test[0] if test else None,
                "p_value": test[1] if test else None,
            }
        )

    numeric_fields: list[dict[str, Any]] = []
    for name, (inside, outside) in group.numeric.items():
        whole = agg.base_numeric[name]
        welch = (
            welch_t_test(inside.n, inside.mean, inside.var, outside.n, outside.mean, outside.var)
            if inside.mean is not None
            and inside.var is not None
            and outside.mean is not None
            and outside.var is not None
            else None
        )
        numeric_fields.append(
            {
                "attribute": name,
                "n_segment": inside.n,
                "n_base": whole.n,
                "mean_segment": inside.mean,
                "mean_base": whole.mean,
                "median_segment": inside.median,
                "median_base": whole.median,
                "mean_ratio": _ratio(inside.mean, whole.mean),
                "median_ratio": _ratio(inside.median, whole.median),
                "std_segment": math.sqrt(inside.var) if inside.var is not None else None,
                "n_rest": outside.n,
                "mean_rest": outside.mean,
                "std_rest": math.sqrt(outside.var) if outside.var is not None else None,
                "effect": _standardised_difference(
                    inside.mean, inside.var, outside.mean, outside.var
                ),
                "statistic": welch[0] if welch else None,
                "degrees_of_freedom": welch[1] if welch else None,
                "p_value": welch[2] if welch else None,
            }
        )

    q_values = _adjust([f["p_value"] for f in (*level_fields, *numeric_fields)])
    for fields, q in zip((*level_fields, *numeric_fields), q_values, strict=True):
        fields["q_value"] = q
        fields["significant"] = q is not None and q <= alpha
    levels = tuple(LevelFigures(**f) for f in level_fields)
    numeric = tuple(NumericFigures(**f) for f in numeric_fields)

    return SegmentProfile(
        size=size,
        base_size=base_size,
        customer_share=size / base_size if base_size else None,
        revenue=group.revenue,
        base_revenue=agg.base_revenue,
        revenue_share=_ratio(group.revenue, agg.base_revenue),
        mean_clv=group.mean_clv,
        base_mean_clv=agg.base_mean_clv,
        mean_probability_alive=group.mean_alive,
        base_mean_probability_alive=agg.base_mean_alive,
        levels=levels,
        numeric=numeric,
        traits=_traits(levels, numeric, agg.n_levels_in_base, size, alpha, min_count),
        alpha=alpha,
        min_count=min_count,
    )


def _traits(
    levels: Sequence[LevelFigures],
    numeric: Sequence[NumericFigures],
    n_levels: Mapping[tuple[str, ...], int],
    size: int,
    alpha: float,
    min_count: int,
) -> tuple[Trait, ...]:
    found: list[Trait] = []
    for lv in levels:
        if not lv.significant or lv.effect is None or lv.q_value is None:
            continue
        if lv.share_segment is None or lv.share_base is None:
            continue
        over = lv.effect > 0
        # Of two levels, the under-represented one only restates the other.
        if not over and n_levels.get(lv.columns, 0) == 2:
            continue
        if max(lv.n_segment, size * lv.share_base) < min_count:
            continue
        found.append(
            Trait(
                kind="level",
                columns=lv.columns,
                kinds=lv.kinds,
                values=lv.values,
                direction="over" if over else "under",
                n_segment=lv.n_segment,
                segment_value=lv.share_segment,
                base_value=lv.share_base,
                ratio=lv.lift,
                effect=lv.effect,
                q_value=lv.q_value,
                score=_score(lv.effect, lv.q_value, alpha),
            )
        )
    for nf in numeric:
        if not nf.significant or nf.effect is None or nf.q_value is None:
            continue
        if nf.mean_segment is None or nf.mean_base is None or nf.n_segment < min_count:
            continue
        found.append(
            Trait(
                kind="numeric",
                columns=(nf.attribute,),
                kinds=("numeric",),
                values=(),
                direction="over" if nf.effect > 0 else "under",
                n_segment=nf.n_segment,
                segment_value=nf.mean_segment,
                base_value=nf.mean_base,
                ratio=nf.mean_ratio,
                effect=nf.effect,
                q_value=nf.q_value,
                score=_score(nf.effect, nf.q_value, alpha),
            )
        )
    # Rounding the score keeps exact ties (mirrored levels) in a stable order: over first.
    found.sort(key=lambda t: (-round(t.score, 9), t.direction != "over", t.columns, t.values))
    return tuple(found)


def profile_segment(
    base: ir.Table,
    members: ir.Table | ir.BooleanValue,
    *,
    attributes: Mapping[str, AttributeKind],
    combinations: Sequence[tuple[str, str]] = (),
    revenue_column: str | None = "total_revenue",
    clv_column: str | None = "predicted_clv_vnd",
    alive_column: str | None = "probability_alive",
    min_count: int = DEFAULT_MIN_COUNT,
    alpha: float = DEFAULT_ALPHA,
    approximate_median: bool = False,
) -> SegmentProfile:
    """Describe a segment against the whole base, with its distinguishing traits.

    Parameters
    ----------
    base
        One row per customer: ``customer_id`` and the attributes.
    members
        The segment: a boolean expression over ``base`` (a missing value counts as outside), or
        a table with a ``customer_id`` column.
    attributes
        The attributes to describe and their kind: ``"categorical"``, ``"numeric"`` or
        ``"boolean"``.
    combinations
        Pairs of categorical or boolean attributes whose combined levels are also described
        (e.g. ``[("gender", "age_band")]``); one more grouped aggregate per pair.
    revenue_column, clv_column, alive_column
        Columns for the share of revenue, the mean CLV and the mean probability of being alive;
        ``None`` leaves the figure out.
    min_count
        Members a trait needs (observed, or expected at the base's share for an
        under-represented level).
    alpha
        Significance level of the Benjamini-Hochberg adjusted p-values.
    approximate_median
        Use the engine's approximate median instead of the exact one.

    Returns
    -------
    SegmentProfile
        Sizes, money figures, every level and numeric attribute with its test, and the traits
        (significant results with enough support), best first. See the module's docstring for
        the statistics and the edge cases.

    Examples
    --------
    >>> import ibis
    >>> base = ibis.memtable({"customer_id": list("abcdef"), "gender": list("ffmmmm"),
    ...                       "total_revenue": [5, 5, 1, 1, 1, 1]})
    >>> p = profile_segment(base, base.gender == "f", attributes={"gender": "categorical"},
    ...                     clv_column=None, alive_column=None)
    >>> p.size, round(p.revenue_share, 2), [(lv.level, lv.lift) for lv in p.levels]
    (2, 0.71, [('m', 0.0), ('f', 3.0)])
    """
    figure_columns = (revenue_column, clv_column, alive_column)
    _check(base, attributes, combinations, figure_columns, alpha, min_count)
    agg = _gather(
        base,
        [members],
        attributes,
        combinations,
        revenue_column,
        clv_column,
        alive_column,
        approximate_median,
    )
    return _build_profile(agg, 0, alpha, min_count)


def compare_segments(
    base: ir.Table,
    a: ir.Table | ir.BooleanValue,
    b: ir.Table | ir.BooleanValue,
    *,
    attributes: Mapping[str, AttributeKind],
    combinations: Sequence[tuple[str, str]] = (),
    revenue_column: str | None = "total_revenue",
    clv_column: str | None = "predicted_clv_vnd",
    alive_column: str | None = "probability_alive",
    min_count: int = DEFAULT_MIN_COUNT,
    alpha: float = DEFAULT_ALPHA,
    approximate_median: bool = False,
) -> SegmentComparison:
    """Profile two segments and test, level by level and attribute by attribute, A against B.

    The parameters are those of :func:`profile_segment`, with the two segments ``a`` and
    ``b``. Both profiles come from the same two queries. Shares are compared with the pooled
    two-proportion z-test of A's share against B's, means with Welch's t-test of A against B;
    the A-vs-B p-values are adjusted together with Benjamini-Hochberg. The tests take A and B
    as independent samples: when they overlap (see ``overlap``) they are approximate.

    Examples
    --------
    >>> import ibis
    >>> base = ibis.memtable({"customer_id": list("abcd"), "orders": [1, 2, 5, 6]})
    >>> c = compare_segments(base, base.orders < 3, base.orders >= 3,
    ...                      attributes={"orders": "numeric"}, revenue_column=None,
    ...                      clv_column=None, alive_column=None)
    >>> c.numeric[0].mean_a, c.numeric[0].mean_b, c.numeric[0].difference
    (1.5, 5.5, -4.0)
    """
    figure_columns = (revenue_column, clv_column, alive_column)
    _check(base, attributes, combinations, figure_columns, alpha, min_count)
    agg = _gather(
        base,
        [a, b],
        attributes,
        combinations,
        revenue_column,
        clv_column,
        alive_column,
        approximate_median,
    )
    profile_a = _build_profile(agg, 0, alpha, min_count)
    profile_b = _build_profile(agg, 1, alpha, min_count)
    size_a, size_b = profile_a.size, profile_b.size

    level_fields: list[dict[str, Any]] = []
    for row in agg.levels:
        n_a, n_b = row.n_groups
        share_a = n_a / size_a if size_a else None
        share_b = n_b / size_b if size_b else None
        test = two_proportion_z_test(n_a, size_a, n_b, size_b)
        level_fields.append(
            {
                "columns": row.columns,
                "kinds": row.kinds,
                "values": row.values,
                "n_a": n_a,
                "n_b": n_b,
                "share_a": share_a,
                "share_b": share_b,
                "difference": share_a - share_b
                if share_a is not None and share_b is not None
                else None,
                "ratio": _ratio(share_a, share_b),
                "effect": cohen_h(share_a, share_b)
                if share_a is not None and share_b is not None
                else None,
                "statistic": test[0] if test else None,
                "p_value": test[1] if test else None,
            }
        )
    numeric_fields: list[dict[str, Any]] = []
    for name in agg.groups[0].numeric:
        ma, mb = agg.groups[0].numeric[name][0], agg.groups[1].numeric[name][0]
        welch = (
            welch_t_test(ma.n, ma.mean, ma.var, mb.n, mb.mean, mb.var)
            if ma.mean is not None
            and ma.var is not None
            and mb.mean is not None
            and mb.var is not None
            else None
        )
        numeric_fields.append(
            {
                "attribute": name,
                "n_a": ma.n,
                "n_b": mb.n,
                "mean_a": ma.mean,
                "mean_b": mb.mean,
                "median_a": ma.median,
                "median_b": mb.median,
                "difference": ma.mean - mb.mean
                if ma.mean is not None and mb.mean is not None
                else None,
                "ratio": _ratio(ma.mean, mb.mean),
                "effect": _standardised_difference(ma.mean, ma.var, mb.mean, mb.var),
                "statistic": welch[0] if welch else None,
                "degrees_of_freedom": welch[1] if welch else None,
                "p_value": welch[2] if welch else None,
            }
        )
    q_values = _adjust([f["p_value"] for f in (*level_fields, *numeric_fields)])
    for fields, q in zip((*level_fields, *numeric_fields), q_values, strict=True):
        fields["q_value"] = q
        fields["significant"] = q is not None and q <= alpha
    return SegmentComparison(
        a=profile_a,
        b=profile_b,
        overlap=agg.overlap,
        levels=tuple(LevelDifference(**f) for f in level_fields),
        numeric=tuple(NumericDifference(**f) for f in numeric_fields),
        alpha=alpha,
    )
