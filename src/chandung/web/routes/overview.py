"""The overview: headline figures and charts of the whole customer base."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ...i18n import translate
from ...i18n.formats import format_compact_vnd, format_number
from ...services.analysis import load_overview
from .. import charts
from ..auth import Caller, Needs
from ..deps import holder_of, language_of, pages_of

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(
    request: Request, caller: Annotated[Caller, Depends(Needs("aggregates.read"))]
) -> HTMLResponse:
    with holder_of(request).use() as stores:
        figures = load_overview(stores)
    lang = language_of(request)
    months = figures.months[-36:]
    revenue_bars = charts.column_chart(
        [
            (m.month.strftime("%m/%Y"), m.revenue_vnd, format_compact_vnd(m.revenue_vnd, lang))
            for m in months
        ]
    )
    new_customer_bars = charts.column_chart(
        [
            (m.month.strftime("%m/%Y"), m.new_customers, format_number(m.new_customers, lang))
            for m in months
        ],
        height=60,
    )
    channel_bars = charts.share_bars(
        {
            translate(f"channel_group.{k}", lang): v
            for k, v in figures.revenue_by_channel_group.items()
        },
        width=190,
    )
    device_bars = charts.share_bars(
        {translate(f"device.{k}", lang): v for k, v in figures.orders_by_device.items()},
        width=190,
    )
    return pages_of(request).render(
        request,
        "overview.html",
        {
            "active": "overview",
            "o": figures,
            "revenue_bars": revenue_bars,
            "new_customer_bars": new_customer_bars,
            "channel_bars": channel_bars,
            "device_bars": device_bars,
        },
        caller=caller,
    )


@router.get("/api/v1/overview", tags=["metrics"], dependencies=[Depends(Needs("aggregates.read"))])
def overview_json(request: Request) -> dict[str, Any]:
    """Headline figures of the customer base."""
    with holder_of(request).use() as stores:
        return load_overview(stores).as_dict()
