"""The overview: headline figures and charts of the whole customer base.

The page and the API read the figures the latest analysis stored
(:func:`chandung.services.dashboard.load_dashboard`); nothing is recomputed on a request once
the analysis has run. This module turns the stored figures into the shapes of the charts.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ...i18n import translate
from ...i18n.formats import format_compact_vnd, format_number, format_percent, format_vnd
from ...metrics.overview import Overview
from ...services.dashboard import Dashboard, load_dashboard
from .. import charts
from ..auth import Caller, Needs
from ..deps import holder_of, language_of, pages_of

router = APIRouter()

#: Months of revenue drawn.
MONTHS_SHOWN = 36
#: Plot area of the Pareto curve inside its SVG (left margin, top margin, width, height).
PARETO_BOX = (44.0, 10.0, 300.0, 200.0)
#: The tree map of RFM segments.
RFM_SIZE = (720.0, 300.0)
#: Cohort heat map: label column, size column, largest cell, row height.
COHORT_LABEL, COHORT_SIZE, COHORT_CELL, COHORT_ROW = 62.0, 58.0, 28.0, 20.0
#: The CLV histogram.
HISTOGRAM_SIZE = (360.0, 140.0)


def _month(value: date | str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%m/%Y")


def revenue_charts(o: Overview, lang: str) -> dict[str, Any]:
    """Revenue bars and the new-customer sparkline of the last :data:`MONTHS_SHOWN` months."""
    months = o.months[-MONTHS_SHOWN:]
    revenue = charts.column_chart(
        [(_month(m.month), m.revenue_vnd, format_compact_vnd(m.revenue_vnd, lang)) for m in months]
    )
    top = max((m.new_customers for m in months), default=0) or 1
    span = max(len(months) - 1, 1)
    points = [(i / span * 720, 50 - m.new_customers / top * 50) for i, m in enumerate(months)]
    spark = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = [
        (x, y, f"{_month(m.month)}: {format_number(m.new_customers, lang)}")
        for (x, y), m in zip(points, months, strict=True)
    ]
    best = max(months, key=lambda m: m.revenue_vnd, default=None)
    summary = ""
    if best is not None:
        summary = translate(
            "web_overview.revenue_summary",
            lang,
            best=_month(best.month),
            best_revenue=format_compact_vnd(best.revenue_vnd, lang),
            last=_month(months[-1].month),
            last_revenue=format_compact_vnd(months[-1].revenue_vnd, lang),
            new=format_number(months[-1].new_customers, lang),
        )
    return {
        "months": months,
        "revenue_bars": revenue,
        "new_customer_line": spark,
        "new_customer_marks": dots,
        "revenue_summary": summary,
    }


def pareto_chart(pareto: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """The Pareto curve (best customers first) with the marker at the top 20%."""
    if not pareto or not pareto.get("curve"):
        return None
    left, top, width, height = PARETO_BOX
    curve = [(p["customer_share"], p["revenue_share"]) for p in pareto["curve"]]
    share = float(pareto["top_share"] or 0.0)
    fraction = float(pareto["top_fraction"])
    return {
        "box": PARETO_BOX,
        "line": charts.polyline(curve, width, height),
        "marker_x": fraction * width,
        "marker_y": height - share * height,
        "ticks": [
            (format_percent(i / 5, lang, 0), i / 5 * width, height - i / 5 * height)
            for i in range(6)
        ],
        "translate": f"translate({left:.0f},{top:.0f})",
        "summary": translate(
            "web_overview.pareto_summary",
            lang,
            top=format_percent(fraction, lang),
            share=format_percent(share, lang),
            gini=format_number(pareto["gini"] or 0, lang, 2),
        ),
        "marker_label": translate(
            "web_overview.pareto_marker",
            lang,
            top=format_percent(fraction, lang, 0),
            share=format_percent(share, lang, 0),
        ),
        "table": [p for i, p in enumerate(pareto["curve"]) if i % 5 == 0],
        "top_share": share,
    }


#: Font sizes (pixels) a tile's name is tried at, largest first.
TILE_FONTS = (13.0, 11.0, 9.5)
#: Height of a line of a tile's text, as a multiple of its font size.
TILE_LINE = 1.25


def _text_width(text: str, size: float = 13.0) -> float:
    """About how wide ``text`` is drawn at ``size`` pixels, with the tile's margins."""
    return len(text) * size * 0.6 + 12


def _wrap(text: str, chars: int) -> list[str]:
    """``text`` broken between words into lines of at most ``chars`` characters (a longer
    word is a line of its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def tile_text(name: str, share: str, width: float, height: float) -> dict[str, Any]:
    """How a tile of ``width`` × ``height`` shows its segment's ``name`` and ``share``: on as
    few lines as it can (at most three), at the largest font that allows it; else the name
    shortened with an ellipsis, its full name staying in the tile's title. The share goes below
    the name when there is room (never a share without a name: the table under the chart has
    both). ``lines`` are ``(text, y)`` from the tile's top; ``size`` is the font size."""

    def layout(size: float) -> tuple[int, int]:
        rows = max(0, int((height - 6) // (size * TILE_LINE)))
        return rows, int((width - 12) // (size * 0.6))

    chosen: tuple[float, list[str], int] | None = None
    for most in (1, 2, 3):
        for size in TILE_FONTS:
            rows, chars = layout(size)
            lines = _wrap(name, chars)
            if 0 < len(lines) <= min(most, rows) and all(len(line) <= chars for line in lines):
                chosen = (size, lines, rows)
                break
        if chosen:
            break
    if chosen is None:
        size = TILE_FONTS[-1]
        rows, chars = layout(size)
        short = [name[: chars - 1].rstrip() + "…"] if chars >= 4 and rows >= 1 else []
        chosen = (size, short, rows)
    size, lines, rows = chosen
    if share and lines and len(lines) < rows and _text_width(share, size) <= width:
        lines = [*lines, share]
    step = size * TILE_LINE
    return {
        "size": int(size),
        "lines": [(text, 4 + size + i * step) for i, text in enumerate(lines)],
    }


def rfm_chart(segments: list[dict[str, Any]] | None, lang: str) -> dict[str, Any] | None:
    """Tiles sized by customers and coloured by share of revenue, one per RFM segment."""
    if not segments or not any(s["customers"] for s in segments):
        return None
    by_code = {s["segment"]: s for s in segments}
    most = max(s["revenue_share"] for s in segments) or 1.0
    tiles = []
    for tile in charts.treemap([(s["segment"], s["customers"]) for s in segments], *RFM_SIZE):
        s = by_code[tile.key]
        level = s["revenue_share"] / most
        name = translate(f"rfm.segments.{tile.key}", lang)
        share = format_percent(s["customer_share"], lang, 0)
        tiles.append(
            {
                "tile": tile,
                "fill": charts.scale_colour(level),
                "dark": charts.is_dark(level),
                **tile_text(name, share, tile.width, tile.height),
                "title": translate(
                    "web_overview.rfm_title",
                    lang,
                    segment=name,
                    customers=format_number(s["customers"], lang),
                    customer_share=format_percent(s["customer_share"], lang),
                    revenue=format_compact_vnd(s["revenue"], lang),
                    revenue_share=format_percent(s["revenue_share"], lang),
                ),
            }
        )
    largest = max(segments, key=lambda s: s["customers"])
    richest = max(segments, key=lambda s: s["revenue"])
    ordered = sorted(segments, key=lambda s: -s["customers"])
    return {
        "size": RFM_SIZE,
        "tiles": tiles,
        "rows": [(translate(f"rfm.segments.{s['segment']}", lang), s) for s in ordered],
        "legend": [(format_percent(share * most, lang, 0), c) for share, c in charts.scale_steps()],
        "summary": translate(
            "web_overview.rfm_summary",
            lang,
            largest=translate(f"rfm.segments.{largest['segment']}", lang),
            largest_share=format_percent(largest["customer_share"], lang),
            richest=translate(f"rfm.segments.{richest['segment']}", lang),
            richest_share=format_percent(richest["revenue_share"], lang),
        ),
    }


def cohort_chart(cohorts: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """Heat map of monthly cohorts: the share of each cohort buying n months after its first."""
    rows = (cohorts or {}).get("cohorts") or []
    ages = int((cohorts or {}).get("months") or 0) - 1
    if not rows or ages < 1:
        return None
    most = max((s for r in rows for s in r["shares"][1:]), default=0.0) or 1.0
    cell = min(COHORT_CELL, (720 - COHORT_LABEL - COHORT_SIZE) / ages)
    x0 = COHORT_LABEL + COHORT_SIZE
    cells = []
    for i, row in enumerate(rows):
        y = 18 + i * COHORT_ROW
        for age in range(1, len(row["shares"])):
            share = row["shares"][age]
            cells.append(
                {
                    "x": x0 + (age - 1) * cell,
                    "y": y,
                    "width": cell - 1,
                    "height": COHORT_ROW - 1,
                    "fill": charts.scale_colour(share / most),
                    "dark": charts.is_dark(share / most),
                    "text": format_number(share * 100, lang) if cell >= 22 else "",
                    "title": translate(
                        "web_overview.cohort_title",
                        lang,
                        cohort=_month(row["month"]),
                        month=age,
                        active=format_number(row["active"][age], lang),
                        customers=format_number(row["customers"], lang),
                        share=format_percent(share, lang),
                    ),
                }
            )
    weighted = [(r["customers"], r["shares"][1]) for r in rows if len(r["shares"]) > 1]
    first_month = sum(n * s for n, s in weighted) / max(sum(n for n, _ in weighted), 1)
    return {
        "rows": [(18 + i * COHORT_ROW, _month(r["month"]), r) for i, r in enumerate(rows)],
        "cells": cells,
        "cell": cell,
        "ages": list(range(1, ages + 1)),
        "x0": x0,
        "width": x0 + ages * cell,
        "height": 18 + len(rows) * COHORT_ROW + 4,
        "legend": [(format_percent(share * most, lang, 0), c) for share, c in charts.scale_steps()],
        "summary": translate(
            "web_overview.cohort_summary", lang, share=format_percent(first_month, lang)
        ),
    }


def clv_histogram(clv: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """Bars of customers by predicted lifetime value (the last bar: the top 1% and above)."""
    if not clv or not clv.get("bins"):
        return None
    last = len(clv["bins"]) - 1

    def label(i: int, b: dict[str, Any]) -> str:
        low = format_compact_vnd(b["low"], lang)
        if i == last:
            return translate("web_overview.clv_bin_last", lang, low=low)
        return f"{low} – {format_compact_vnd(b['high'], lang)}"

    rows = [(label(i, b), b) for i, b in enumerate(clv["bins"])]
    bars = charts.column_chart(
        [(text, b["customers"], format_number(b["customers"], lang)) for text, b in rows],
        *HISTOGRAM_SIZE,
    )
    return {
        "bars": bars,
        "rows": rows,
        "ticks": [
            (bar, format_compact_vnd(b["low"], lang))
            for bar, (_, b) in zip(bars, rows, strict=True)
        ],
        "summary": translate(
            "web_overview.clv_summary",
            lang,
            customers=format_number(clv["customers"], lang),
            median=format_vnd(clv["median"], lang),
            mean=format_vnd(clv["mean"], lang),
            clip=format_compact_vnd(clv["clipped_at"], lang),
        ),
    }


def mix_charts(o: Overview, lang: str) -> dict[str, Any]:
    """Share bars of revenue by channel group and of orders by device."""
    channels = {
        translate(f"channel_group.{k}", lang): v for k, v in o.revenue_by_channel_group.items()
    }
    devices = {translate(f"device.{k}", lang): v for k, v in o.orders_by_device.items()}
    return {
        "channel_bars": charts.share_bars(channels, width=190),
        "device_bars": charts.share_bars(devices, width=190),
    }


def value_error_text(error: dict[str, Any] | None, lang: str) -> str | None:
    """Why the analysis could not compute customer value, in ``lang`` when the message needs
    no detail of the run (else as the analysis wrote it, in the workspace's language)."""
    if not error:
        return None
    stored = str(error.get("message") or "")
    code = error.get("error")
    if not code:
        return stored
    text = translate(f"errors.{code}", lang, default="")
    if not text or "{" in text:
        return stored
    hint = translate(f"errors.{code}.hint", lang, default="")
    return f"{text} {hint}".strip()


def overview_context(board: Dashboard, lang: str) -> dict[str, Any]:
    """Everything the overview template draws."""
    o = board.overview
    return {
        "active": "overview",
        "d": board,
        "o": o,
        **revenue_charts(o, lang),
        **mix_charts(o, lang),
        "pareto": pareto_chart(board.figures.get("pareto"), lang),
        "rfm": rfm_chart(board.figures.get("rfm"), lang),
        "cohorts": cohort_chart(board.figures.get("cohorts"), lang),
        "clv": clv_histogram(board.figures.get("clv"), lang),
        "value_error": value_error_text(board.value_error, lang),
    }


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(
    request: Request, caller: Annotated[Caller, Depends(Needs("aggregates.read"))]
) -> HTMLResponse:
    with holder_of(request).use() as stores:
        board = load_dashboard(stores)
    context = overview_context(board, language_of(request))
    return pages_of(request).render(request, "overview.html", context, caller=caller)


@router.get("/api/v1/overview", tags=["metrics"])
def overview_json(
    request: Request, _: Annotated[Caller, Depends(Needs("aggregates.read"))]
) -> dict[str, Any]:
    """Headline figures of the customer base (as of the latest analysis, when there is one)."""
    with holder_of(request).use() as stores:
        board = load_dashboard(stores)
    return {
        **board.overview.as_dict(),
        "analysed_at": board.analysed_at.isoformat() if board.analysed_at else None,
        "stored": board.stored,
        "stale": board.stale,
    }


@router.get("/api/v1/metrics", tags=["metrics"])
def metrics_json(
    request: Request, _: Annotated[Caller, Depends(Needs("aggregates.read"))]
) -> dict[str, Any]:
    """Every figure of the overview: headline figures, Pareto curve, RFM segments, cohort
    retention, CLV distribution and model report, as stored by the latest analysis."""
    with holder_of(request).use() as stores:
        return load_dashboard(stores).as_dict()
