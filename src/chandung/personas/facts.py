"""The aggregates a persona set is written from: counts, means and texts per segment.

Everything here is computed in the warehouse (:mod:`chandung.services.persona_facts`) and is
small: counts of each level of each attribute per segment and in the whole base, means and
medians, a few candidate quotes. The persona builder (:mod:`.build`) reads only this, so it is
pure and can be tested on hand-made facts.

Segment ``0`` is never a segment: the base (every customer) is kept apart in ``base_*``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Distribution:
    """How the levels of one attribute are spread over the segments and the whole base.

    ``totals`` are what shares are taken over (customers, respondents, orders or texts of the
    segment). For multiple-choice answers a unit may count in several levels, so the counts of
    a segment may add up to more than its total. Missing values are not counted in any level
    but do count in the totals when ``totals_include_missing``.
    """

    source: str
    unit: str
    counts: Mapping[int, Mapping[str, int]]
    totals: Mapping[int, int]
    base_counts: Mapping[str, int]
    base_total: int
    ids: Mapping[tuple[int, str], tuple[str, ...]] = field(default_factory=dict)

    def count(self, segment: int, level: str) -> int:
        return int(self.counts.get(segment, {}).get(level, 0))

    def total(self, segment: int) -> int:
        return int(self.totals.get(segment, 0))

    def known(self, segment: int) -> int:
        """Units of the segment with a known level (for single-valued attributes)."""
        return int(sum(self.counts.get(segment, {}).values()))

    def share(self, segment: int, level: str) -> float | None:
        total = self.total(segment)
        return self.count(segment, level) / total if total else None

    def base_share(self, level: str) -> float | None:
        if not self.base_total:
            return None
        return int(self.base_counts.get(level, 0)) / self.base_total

    def levels(self, segment: int) -> list[tuple[str, int]]:
        """The segment's levels, most common first (ties by name, for stable output)."""
        return sorted(self.counts.get(segment, {}).items(), key=lambda kv: (-kv[1], kv[0]))


@dataclass(frozen=True)
class NumericSummary:
    """Count, mean and median of one number in a segment (or the base)."""

    n: int
    mean: float | None
    median: float | None


@dataclass(frozen=True)
class Numeric:
    """One number per customer (or answer), summarised per segment and over the base."""

    source: str
    segments: Mapping[int, NumericSummary]
    base: NumericSummary

    def of(self, segment: int) -> NumericSummary:
        return self.segments.get(segment, NumericSummary(0, None, None))


@dataclass(frozen=True)
class Quote:
    """A short text a member wrote, already masked, with what it is about."""

    feedback_id: str
    text: str
    topic: str
    sentiment: int


@dataclass(frozen=True)
class SegmentInfo:
    """A segment the personas are drawn from."""

    id: int
    name: str
    size: int
    revenue: float


@dataclass(frozen=True)
class Facts:
    """Everything a persona set is built from.

    Attributes
    ----------
    segments
        The segments, by id (ids start at 1).
    base_size, base_revenue
        Customers and revenue of the whole base.
    customers
        Distributions over customers (gender, age band, province, main channel...).
    numbers
        Numbers per customer (age, orders, CLV, churn risk...).
    orders
        Distributions over orders (channel, category, season, Tết, weekend, discount...).
    survey
        Multiple-choice questions: distributions over respondents, by question id.
    survey_numbers
        Numeric survey answers (ranks, scores), by question id.
    feedback
        Distributions over texts: ``"topics"`` (every text), ``"praise"`` (texts that are not
        negative), ``"complaints"`` (negative texts) and ``"objections"`` (negative texts of
        members at risk of leaving); each level is a topic key.
    sentiment
        Texts per segment by sentiment (``"negative"``, ``"neutral"``, ``"positive"``).
    quotes
        Candidate quotes per segment.
    pairs
        Per segment, the pair of product categories most bought together:
        ``(first, second, orders with both, share of the segment's orders, lift)``.
    name_style
        ``"vi"`` or ``"en"``: which names fit the customers.
    """

    segments: Mapping[int, SegmentInfo]
    base_size: int
    base_revenue: float
    customers: Mapping[str, Distribution]
    numbers: Mapping[str, Numeric]
    orders: Mapping[str, Distribution] = field(default_factory=dict)
    survey: Mapping[str, Distribution] = field(default_factory=dict)
    survey_numbers: Mapping[str, Numeric] = field(default_factory=dict)
    feedback: Mapping[str, Distribution] = field(default_factory=dict)
    sentiment: Distribution | None = None
    quotes: Mapping[int, tuple[Quote, ...]] = field(default_factory=dict)
    pairs: Mapping[int, tuple[str, str, int, float, float]] = field(default_factory=dict)
    name_style: str = "vi"
