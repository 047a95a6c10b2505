"""Ready-made segmentations from the brief, one command each.

Three are fixed splits computed in the warehouse over the segment base: ``rfm`` (the named RFM
segments), ``value`` (the top 20% of customers by predicted lifetime value against the rest,
with the share of value each holds) and ``buying_power`` (income band by spend tier). The
others are automatic segmentations restricted to one kind of data: ``demographic``,
``behavioural``, ``technology``, ``needs`` (survey answers and stated mindset) and ``b2b``.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from ..errors import InputError
from .auto_segments import auto_segment
from .segment_base import segment_base
from .stores import Stores

#: The automatic ones, and the kind of data each uses.
AUTOMATIC = {
    "demographic": "demographic",
    "behavioural": "behavioural",
    "technology": "technology",
    "needs": "psychographic",
    "b2b": "b2b",
}
READY = ("rfm", "value", "buying_power", *AUTOMATIC)
#: Share of customers in the top value tier.
TOP_SHARE = 0.2
#: Monthly income bands (VND, lower bounds) of the buying-power grid.
INCOME_BANDS = (
    (0, "<10tr"),
    (10_000_000, "10-20tr"),
    (20_000_000, "20-40tr"),
    (40_000_000, "40tr+"),
)


def ready_segmentation(
    stores: Stores, name: str, *, language: str = "vi", seed: int = 0
) -> dict[str, Any]:
    """The segmentation ``name`` (one of :data:`READY`) as JSON-ready figures."""
    if name not in READY:
        raise InputError("segment.ready_unknown", value=name, names=", ".join(READY))
    if name in AUTOMATIC:
        report = auto_segment(stores, kinds=[AUTOMATIC[name]], seed=seed, language=language)
        return {"segmentation": name, **report.as_dict()}
    base = segment_base(stores)
    buyers = base.filter(base.bought.fill_null(False))
    if name == "rfm":
        key = buyers.rfm_segment.fill_null("unknown")
    elif name == "value":
        cut = buyers.predicted_clv_vnd.quantile(1 - TOP_SHARE).to_pyarrow().as_py()
        key = (buyers.predicted_clv_vnd >= (cut if cut is not None else 0)).ifelse(
            "top_20", "other_80"
        )
    else:
        income = ibis.cases(
            *[(buyers.monthly_income_vnd >= low, label) for low, label in reversed(INCOME_BANDS)],
            else_="unknown",
        )
        spend = ibis.ntile(3).over(order_by=buyers.average_order_value)
        tier = ibis.cases((spend == 0, "low"), (spend == 1, "mid"), else_="high")
        key = income + ibis.literal(" × ") + tier
    return {"segmentation": name, "segments": _figures(buyers, key)}


def _figures(buyers: ir.Table, key: ir.Value) -> list[dict[str, Any]]:
    t = buyers.mutate(_segment=key)
    rows = (
        t.group_by("_segment")
        .aggregate(
            size=t.count(),
            revenue=t.total_revenue.fill_null(0).sum(),
            value=t.predicted_clv_vnd.fill_null(0).sum(),
            mean_clv=t.predicted_clv_vnd.mean(),
        )
        # Equal sizes by name: without it, each engine lists ties in its own order.
        .order_by([ibis.desc("size"), "_segment"])
        .to_pyarrow()
        .to_pylist()
    )
    size = sum(int(r["size"]) for r in rows)
    revenue = sum(float(r["revenue"] or 0) for r in rows)
    value = sum(float(r["value"] or 0) for r in rows)
    return [
        {
            "id": r["_segment"],
            "size": int(r["size"]),
            "share": int(r["size"]) / size if size else 0.0,
            "revenue_share": float(r["revenue"] or 0) / revenue if revenue else 0.0,
            "value_share": float(r["value"] or 0) / value if value else 0.0,
            "mean_clv": float(r["mean_clv"]) if r["mean_clv"] is not None else None,
        }
        for r in rows
    ]
