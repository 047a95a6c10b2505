"""RFM scores and the named RFM segments, computed in the warehouse from the customer summary.

Each customer gets three scores from 1 to 5:

- **R** (recency) from ``days_since_last_purchase``: the more recent the last purchase, the
  higher the score;
- **F** (frequency) from ``orders``, the number of completed orders: orders rather than repeat
  purchase days, because that is what a person counts;
- **M** (monetary) from ``total_revenue``, the total spend over the period (not the mean per
  purchase, which would rank a one-off big basket above a loyal regular).

A score is the quintile of the customer's percent rank: ``min(5, 1 + floor(5 · below /
(n − 1)))`` where ``below`` is the number of customers with a strictly worse value and ``n`` the
number of customers (a single customer scores 1). The worst customer scores 1 and the best 5.
Equal values always get equal scores (no arbitrary split of ties, so the result does not depend
on the engine's row order); a block of ties takes the score of its lowest place, so one-off
buyers all get F = 1 however many they are.

The segment follows from R and the FM score, the mean of F and M rounded half up, through
:data:`RFM_SEGMENT_RULES`, a partition of the 5 × 5 grid (``docs/metrics.md`` draws it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from ..errors import InputError


@dataclass(frozen=True)
class SegmentRule:
    """A named RFM segment: the ranges of R and FM scores (both inclusive) it covers."""

    code: str
    r_min: int
    r_max: int
    fm_min: int
    fm_max: int

    def covers(self, r: int, fm: int) -> bool:
        """Whether the cell (R, FM) belongs to the segment."""
        return self.r_min <= r <= self.r_max and self.fm_min <= fm <= self.fm_max


#: The named segments on the R × FM grid, best first. Every cell of the grid belongs to exactly
#: one rule (a test checks it). The grid is the widely used R × F map of RFM segments (e.g.
#: Champions = R 5 and F 4-5, Hibernating = R 1-2 and F 1-2) read with FM, the mean of F and M,
#: in place of F, and with its low corner split into Hibernating (R 2) and Lost (R 1).
RFM_SEGMENT_RULES: tuple[SegmentRule, ...] = (
    SegmentRule("champions", 5, 5, 4, 5),
    SegmentRule("loyal", 3, 4, 4, 5),
    SegmentRule("potential_loyalist", 4, 5, 2, 3),
    SegmentRule("new", 5, 5, 1, 1),
    SegmentRule("promising", 4, 4, 1, 1),
    SegmentRule("need_attention", 3, 3, 3, 3),
    SegmentRule("about_to_sleep", 3, 3, 1, 2),
    SegmentRule("at_risk", 1, 2, 3, 4),
    SegmentRule("cannot_lose_them", 1, 2, 5, 5),
    SegmentRule("hibernating", 2, 2, 1, 2),
    SegmentRule("lost", 1, 1, 1, 2),
)

#: Segment codes in the order of :data:`RFM_SEGMENT_RULES` (labels: ``rfm.segments.<code>``).
RFM_SEGMENTS: tuple[str, ...] = tuple(rule.code for rule in RFM_SEGMENT_RULES)

#: Number of score levels per dimension.
LEVELS = 5

_NEEDED = ("customer_id", "days_since_last_purchase", "orders", "total_revenue")


def segment_of(r: int, fm: int) -> str:
    """The segment code of the grid cell (R, FM).

    Examples
    --------
    >>> segment_of(5, 5), segment_of(1, 1), segment_of(3, 3)
    ('champions', 'lost', 'need_attention')
    """
    for rule in RFM_SEGMENT_RULES:
        if rule.covers(r, fm):
            return rule.code
    raise InputError("metrics.rfm_cell", r=r, fm=fm)


def segment_rules_markdown() -> str:
    """:data:`RFM_SEGMENT_RULES` as a Markdown table (``docs/metrics.md`` holds it).

    Examples
    --------
    >>> print(segment_rules_markdown().splitlines()[2])
    | `champions` | 5 | 4–5 |
    """

    def span(low: int, high: int) -> str:
        return str(low) if low == high else f"{low}–{high}"

    lines = ["| segment | R | FM |", "|---|---|---|"]
    lines += [
        f"| `{r.code}` | {span(r.r_min, r.r_max)} | {span(r.fm_min, r.fm_max)} |"
        for r in RFM_SEGMENT_RULES
    ]
    return "\n".join(lines)


def segment_grid_markdown() -> str:
    """The R × FM grid of segment codes as a Markdown table, R = 5 on the first row."""
    levels = range(1, LEVELS + 1)
    lines = ["| R \\ FM | " + " | ".join(map(str, levels)) + " |", "|---" * (LEVELS + 1) + "|"]
    for r in reversed(levels):
        cells = " | ".join(f"`{segment_of(r, fm)}`" for fm in levels)
        lines.append(f"| **{r}** | {cells} |")
    return "\n".join(lines)


def rfm_scores(summary: ir.Table) -> ir.Table:
    """Add ``r_score``, ``f_score``, ``m_score``, ``fm_score`` and ``rfm_segment`` to a summary.

    Parameters
    ----------
    summary
        The output of :func:`~chandung.metrics.customer_summary.customer_summary` (any table
        with ``customer_id``, ``days_since_last_purchase``, ``orders`` and ``total_revenue``).

    Returns
    -------
    ir.Table
        ``summary`` with the scores (integers 1 to 5) and the segment code.

    Examples
    --------
    >>> import ibis
    >>> s = ibis.memtable({"customer_id": ["a", "b"], "days_since_last_purchase": [3, 200],
    ...                    "orders": [6, 1], "total_revenue": [900, 40]})
    >>> scored = rfm_scores(s).order_by("customer_id").to_pyarrow()
    >>> scored.select(["r_score", "f_score", "m_score", "rfm_segment"]).to_pylist()[0]
    {'r_score': 5, 'f_score': 5, 'm_score': 5, 'rfm_segment': 'champions'}
    """
    missing = [c for c in _NEEDED if c not in summary.columns]
    if missing:
        raise InputError("metrics.missing_columns", table="summary", columns=", ".join(missing))
    n = summary.count().over()
    scored = summary.mutate(
        # Fewer days since the last purchase is better, so R ranks them in descending order.
        r_score=_score(ibis.desc(summary.days_since_last_purchase), n),
        f_score=_score(summary.orders, n),
        m_score=_score(summary.total_revenue.fill_null(0), n),
    )
    # Integer halving of F + M + 1 is the mean of F and M rounded half up, exactly.
    fm = ((scored.f_score + scored.m_score + 1) / 2).floor().cast("int8")
    scored = scored.mutate(fm_score=fm)
    segment = ibis.cases(
        *(
            (
                scored.r_score.between(rule.r_min, rule.r_max)
                & scored.fm_score.between(rule.fm_min, rule.fm_max),
                rule.code,
            )
            for rule in RFM_SEGMENT_RULES
        ),
        else_=ibis.null("string"),
    )
    return scored.mutate(rfm_segment=segment)


def _score(order: ir.Value, n: ir.IntegerValue) -> ir.IntegerValue:
    # ibis.rank() is SQL's RANK() - 1: the number of rows ordered strictly before, so ties
    # share it. Dividing the integers (not using PERCENT_RANK's double) keeps the quintile
    # boundaries exact; a lone customer (n - 1 = 0) gets the lowest score.
    below = ibis.rank().over(order_by=order)
    level = ((below * LEVELS).cast("float64") / (n - 1).nullif(0)).floor().fill_null(0)
    return ibis.least(level + 1, LEVELS).cast("int8")


@dataclass(frozen=True)
class SegmentFigures:
    """Customers and revenue of one RFM segment."""

    segment: str
    customers: int
    revenue: float
    customer_share: float
    revenue_share: float
    mean_days_since_last_purchase: float | None
    mean_orders: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def rfm_segment_counts(scored: ir.Table) -> list[SegmentFigures]:
    """Customers and revenue per RFM segment, every segment listed (in rule order).

    Parameters
    ----------
    scored
        The output of :func:`rfm_scores`, or a summary (scored first).

    Returns
    -------
    list[SegmentFigures]
        One entry per code of :data:`RFM_SEGMENTS`, zeros for empty segments.
    """
    if "rfm_segment" not in scored.columns:
        scored = rfm_scores(scored)
    rows = (
        scored.group_by("rfm_segment")
        .aggregate(
            customers=scored.count(),
            revenue=scored.total_revenue.sum(),
            days=scored.days_since_last_purchase.cast("float64").mean(),
            orders=scored.orders.cast("float64").mean(),
        )
        .to_pyarrow()
        .to_pylist()
    )
    by_code = {r["rfm_segment"]: r for r in rows}
    customers = sum(int(r["customers"]) for r in rows)
    revenue = sum(float(r["revenue"] or 0) for r in rows)
    out = []
    for code in RFM_SEGMENTS:
        r = by_code.get(code)
        n = int(r["customers"]) if r else 0
        money = float(r["revenue"] or 0) if r else 0.0
        out.append(
            SegmentFigures(
                segment=code,
                customers=n,
                revenue=money,
                customer_share=n / customers if customers else 0.0,
                revenue_share=money / revenue if revenue else 0.0,
                mean_days_since_last_purchase=float(r["days"]) if r else None,
                mean_orders=float(r["orders"]) if r else None,
            )
        )
    return out
