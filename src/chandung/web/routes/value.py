"""Customer value: the CLV models and how well they predict, and who is worth the most.

Everything drawn here was computed by the latest analysis and kept
(:func:`chandung.services.dashboard.load_dashboard`): the fitted models, the holdout check and
the distribution of predicted value. The customer lists are bounded queries over the scored
``customer_value`` table, shown only to callers who may see customers, masked by role.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from ...i18n import translate
from ...i18n.formats import format_number, format_percent
from ...privacy.context import acting_as
from ...services.dashboard import (
    AT_RISK_ALIVE,
    HIGH_VALUE_QUANTILE,
    Dashboard,
    finite,
    load_dashboard,
    value_customers,
    value_lists,
)
from .. import charts
from ..auth import Caller, Needs
from ..deps import holder_of, language_of, pages_of
from .overview import clv_histogram, value_error_text

router = APIRouter()

#: Customers in each list of the page.
PAGE_LIST = 20
#: Plot area of the tracking chart inside its SVG (left margin, top margin, width, height).
TRACKING_BOX = (56.0, 10.0, 650.0, 200.0)
#: The chart of holdout purchases by calibration frequency.
BUCKETS_SIZE = (640.0, 180.0)

Limit = Annotated[int, Query(ge=1, le=500, description="How many customers to list.")]


def tracking_chart(validation: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """Cumulative repeat purchases, actual and predicted, week by week, with the end of the
    calibration period marked."""
    points = (validation or {}).get("tracking") or []
    if validation is None or len(points) < 2:
        return None
    left, top, width, height = TRACKING_BOX
    highest = max(max(p["actual"], p["predicted"] or 0) for p in points) or 1
    last = len(points) - 1
    split = date.fromisoformat(validation["calibration_end"])
    at = next(
        (i for i, p in enumerate(points) if date.fromisoformat(p["week_ending"]) >= split), last
    )
    actual = [(i, p["actual"]) for i, p in enumerate(points)]
    predicted = [(i, p["predicted"] or 0.0) for i, p in enumerate(points)]
    return {
        "box": TRACKING_BOX,
        "translate": f"translate({left:.0f},{top:.0f})",
        "actual": charts.polyline(actual, width, height, x_max=last, y_max=highest),
        "predicted": charts.polyline(predicted, width, height, x_max=last, y_max=highest),
        "split_x": at / last * width,
        "y_ticks": [
            (format_number(highest * k / 4, lang), height - k / 4 * height) for k in range(5)
        ],
        "x_ticks": [
            (_day(points[i]["week_ending"]), i / last * width) for i in sorted({0, at, last})
        ],
        "rows": [p for i, p in enumerate(points) if i % 4 == 0 or i == last],
    }


def format_parameter(value: float | None, lang: str, digits: int = 4) -> str:
    """A fitted model's parameter for people, to ``digits`` significant digits in ``lang``'s
    way of writing numbers: ``960.700`` / ``960,700``, ``1,792`` / ``1.792``, ``0,0123`` /
    ``0.0123``; a very small value as a power of ten (``1,2 × 10⁻⁷``)."""
    if value is None or not math.isfinite(value):
        return "—"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude < -4:
        mantissa = _trim(format_number(value / 10**magnitude, lang, digits - 1), lang)
        return f"{mantissa} × 10{str(magnitude).translate(_SUPER)}"
    places = digits - 1 - magnitude
    return _trim(format_number(round(value, places), lang, max(0, places)), lang)


def _trim(text: str, lang: str) -> str:
    """``text`` without the zeros that end its decimals (``1,500`` → ``1,5`` in Vietnamese)."""
    point = "," if lang == "vi" else "."
    if point not in text:
        return text
    return text.rstrip("0").rstrip(point)


_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _day(value: str) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def buckets_chart(validation: dict[str, Any] | None) -> list[Any]:
    """Mean holdout purchases per customer, actual and predicted, by calibration frequency."""
    buckets = (validation or {}).get("buckets") or []
    groups = []
    for i, b in enumerate(buckets):
        label = (
            f"{b['frequency']}+"
            if i == len(buckets) - 1 and b["frequency"] >= 7
            else str(b["frequency"])
        )
        groups.append((label, [b["actual_mean"] or 0.0, b["predicted_mean"] or 0.0]))
    return charts.grouped_columns(groups, *BUCKETS_SIZE)


def validation_error_text(error: dict[str, Any] | None, lang: str) -> str | None:
    if not error:
        return None
    return translate(f"errors.{error['code']}", lang, **error.get("params", {}))


def value_context(board: Dashboard, lang: str) -> dict[str, Any]:
    """Everything the value page draws (the customer lists aside)."""
    value = board.figures.get("value") or {}
    validation = value.get("validation")
    return {
        "active": "value",
        "d": board,
        "o": board.overview,
        "model": board.value,
        "value_error": value_error_text(board.value_error, lang),
        "churn": value.get("churn"),
        "by_segment": value.get("by_segment") or [],
        "validation": validation,
        "validation_error": validation_error_text(value.get("validation_error"), lang),
        "tracking": tracking_chart(validation, lang),
        "buckets": buckets_chart(validation),
        "clv": clv_histogram(board.figures.get("clv"), lang),
        "high_value_share": format_percent(1 - HIGH_VALUE_QUANTILE, lang, 0),
        "alive_below": format_percent(AT_RISK_ALIVE, lang, 0),
        "param": lambda v, digits=4: format_parameter(v, lang, digits),
    }


@router.get("/value", response_class=HTMLResponse, include_in_schema=False)
def value_page(
    request: Request, caller: Annotated[Caller, Depends(Needs("aggregates.read"))]
) -> HTMLResponse:
    lists: dict[str, list[dict[str, Any]]] = {}
    with acting_as(caller.principal), holder_of(request).use() as stores:
        board = load_dashboard(stores)
        # The lists show customers: only to those who may see them (masked by role).
        if caller.principal.can("customers.read") and board.value:
            churn = (board.figures.get("value") or {}).get("churn") or {}
            lists = value_lists(
                stores, ("top", "churn_risk"), PAGE_LIST, min_revenue=churn.get("min_revenue")
            )
    context = value_context(board, language_of(request))
    context.update(top_customers=lists.get("top", []), churn_risk=lists.get("churn_risk", []))
    return pages_of(request).render(request, "value.html", context, caller=caller)


@router.get("/api/v1/value", tags=["value"])
def value_json(
    request: Request, _: Annotated[Caller, Depends(Needs("aggregates.read"))]
) -> dict[str, Any]:
    """Customer value as of the latest analysis: the fitted models, the holdout check, the
    distribution of predicted value, value by RFM segment and the customers at risk (counts)."""
    with holder_of(request).use() as stores:
        board = load_dashboard(stores)
    value = board.figures.get("value") or {}
    out: dict[str, Any] = finite(
        {
            "run_id": board.run_id,
            "analysed_at": board.analysed_at.isoformat() if board.analysed_at else None,
            "stored": board.stored,
            "stale": board.stale,
            "model": board.value,
            "value_error": board.value_error,
            "clv": board.figures.get("clv"),
            "by_segment": value.get("by_segment"),
            "churn": value.get("churn"),
            "validation": value.get("validation"),
            "validation_error": value.get("validation_error"),
        }
    )
    return out


@router.get("/api/v1/value/top-customers", tags=["value"])
def top_customers_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.read"))],
    limit: Limit = 50,
) -> dict[str, Any]:
    """The customers with the highest predicted lifetime value, masked unless the caller may
    see personal data."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        rows = value_customers(stores, "top", limit)
    return {"limit": limit, "customers": rows}


@router.get("/api/v1/value/churn-risk", tags=["value"])
def churn_risk_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.read"))],
    limit: Limit = 50,
) -> dict[str, Any]:
    """Customers of high value so far (top 20% by revenue) whom the model gives less than a
    50% chance of still being active, most revenue at risk first; masked by role."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        rows = value_customers(stores, "churn_risk", limit)
    return {
        "limit": limit,
        "min_revenue_quantile": HIGH_VALUE_QUANTILE,
        "alive_below": AT_RISK_ALIVE,
        "customers": rows,
    }
