"""Every customer metric of the workspace in one report (``chandung metrics show``).

Each figure is an aggregate computed in the warehouse; the report holds only aggregates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..metrics.basket import association_rules
from ..metrics.cadence import cadence_summary
from ..metrics.loyalty import interaction_summary, loyalty_summary, repeat_buying
from ..metrics.mix import channel_mix, device_mix, lead_conversion, session_conversion
from ..metrics.retention import cohort_retention, retention_by_period
from ..metrics.rfm import rfm_scores, rfm_segment_counts
from ..metrics.value import concentration, customer_value
from .stores import Stores
from .value import _links, observation_end, summary_table

#: Months of retention shown (the cohort matrix keeps them all).
RECENT_PERIODS = 12


def metrics_report(stores: Stores, *, end: date | None = None) -> dict[str, Any]:
    """All metrics as one JSON-ready mapping (see docs/metrics.md for each definition)."""
    wh = stores.warehouse
    end = end or observation_end(stores)
    summary = summary_table(stores, end=end, time_unit="days")
    orders, items = wh.table("orders"), wh.table("order_items")
    products = wh.table("products")
    links = _links(stores)
    monthly = retention_by_period(orders, period="month", links=links)
    quarterly = retention_by_period(orders, period="quarter", links=links)
    return {
        "observation_end": end.isoformat(),
        "value": customer_value(summary).as_dict(),
        "concentration": concentration(summary).as_dict(),
        "rfm_segments": [s.as_dict() for s in rfm_segment_counts(rfm_scores(summary))],
        "retention": {
            "monthly": [p.as_dict() for p in monthly[-RECENT_PERIODS:]],
            "quarterly": [p.as_dict() for p in quarterly[-RECENT_PERIODS:]],
        },
        "cohorts": cohort_retention(orders, links=links).as_dict(),
        "repeat_buying": repeat_buying(orders, items, products).as_dict(),
        "loyalty": loyalty_summary(wh.table("survey_responses")).as_dict(),
        "interactions": interaction_summary(
            orders,
            wh.table("events"),
            wh.table("feedback"),
            wh.table("survey_responses"),
            wh.table("campaign_contacts"),
        ).as_dict(),
        "cadence": cadence_summary(orders).as_dict(),
        "basket": association_rules(items, orders, level="category", products=products).as_dict(),
        "channel_mix": channel_mix(orders).as_dict(),
        "device_mix": device_mix(orders, wh.table("events")).as_dict(),
        "conversion": {
            "sessions": session_conversion(wh.table("events")).as_dict(),
            "leads": lead_conversion(wh.table("leads"), orders).as_dict(),
        },
    }
