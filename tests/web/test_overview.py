from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from chandung.i18n.formats import format_number, format_percent
from chandung.services import dashboard
from chandung.services.dashboard import load_dashboard
from chandung.services.stores import Stores, open_stores
from chandung.web.routes.overview import tile_text
from chandung.workspace import Workspace

from .conftest import add_users, client_as

ORIGINAL_OVERVIEW_KEYS = {
    "customer_records", "buyers", "orders", "revenue_vnd", "average_order_value_vnd",
    "active_customers", "repeat_rate", "first_order", "last_order", "months",
    "revenue_by_channel_group", "orders_by_device",
}  # fmt: skip


def _kpis(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-kpi="(\w+)"><span>[^<]*</span><strong[^>]*>([^<]+)<', html))


def _stored(ws: Workspace) -> dashboard.Dashboard:
    with open_stores(ws) as stores:
        return load_dashboard(stores)


def _never_recompute(monkeypatch: pytest.MonkeyPatch) -> None:
    def recompute(*args: object, **kwargs: object) -> Any:
        raise AssertionError("a page recomputed the analysis")

    for name in ("overview", "compute_dashboard", "concentration", "cohort_retention",
                 "rfm_segment_counts", "validate_clv", "summary_table"):  # fmt: skip
        monkeypatch.setattr(dashboard, name, recompute)


def test_the_overview_draws_the_stored_figures_without_recomputing(
    analysed_demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = _stored(analysed_demo)
    _never_recompute(monkeypatch)
    with client_as(analysed_demo, "viewer") as (client, _):
        html = client.get("/").text
    kpi = _kpis(html)
    o = board.overview
    assert kpi["orders"] == format_number(o.orders, "vi")
    assert kpi["buyers"] == format_number(o.buyers, "vi")
    assert kpi["repeat_rate"] == format_percent(o.repeat_rate, "vi")
    assert kpi["top_share"] == format_percent(board.figures["pareto"]["top_share"], "vi")
    assert 'data-analysis="stored"' in html
    # Every RFM segment with its customers, as the service counted them.
    for s in board.figures["rfm"]:
        row = re.search(
            rf'data-segment="{s["segment"]}"><td>[^<]+</td><td class="num">([^<]+)<', html
        )
        assert row and row.group(1) == format_number(s["customers"], "vi"), s["segment"]
    # One heat-map cell per cohort and month after the first.
    cells = sum(len(c["shares"]) - 1 for c in board.figures["cohorts"]["cohorts"])
    heatmap = html.split('class="overview-heatmap"')[1].split("</svg>")[0]
    assert heatmap.count("<rect") == cells
    # One histogram bar per bin of predicted value, and its counts add up.
    histogram = html.split('class="overview-histogram"')[1].split("</svg>")[0]
    assert histogram.count("<rect") == dashboard.CLV_BINS


def test_every_chart_is_an_image_with_a_label_and_the_numbers_beside_it(
    analysed_demo: Workspace,
) -> None:
    with client_as(analysed_demo, "viewer") as (client, _):
        html = client.get("/").text
    charts = re.findall(r"<svg [^>]*>", html)
    drawn = [c for c in charts if "aria-hidden" not in c]
    assert len(drawn) >= 8
    for svg in drawn:
        assert 'role="img"' in svg and re.search(r'aria-label="[^"]{3,}"', svg), svg
    assert html.count("<details>") >= 6
    assert html.count("<h1") == 1
    assert "style=" not in html and "<script>" not in html
    assert "overview-marker" in html  # the top-20% marker of the Pareto curve
    assert html.count("overview-legend-scale") == 2  # RFM and cohort colour scales


def test_the_overview_in_english(analysed_demo: Workspace) -> None:
    board = _stored(analysed_demo)
    with client_as(analysed_demo, "analyst") as (client, _):
        html = client.get("/?lang=en").text
    assert "Revenue concentration (Pareto curve)" in html and "Retention of monthly cohorts" in html
    assert _kpis(html)["orders"] == format_number(board.overview.orders, "en")
    assert "Champions" in html and "Figures of the analysis of" in html


def test_data_never_analysed_says_so(tiny_business: Stores) -> None:
    ws = tiny_business.workspace
    add_users(tiny_business)
    tiny_business.close()
    with client_as(ws, "viewer") as (client, _):
        html = client.get("/").text
        data = client.get("/api/v1/overview").json()
    assert 'data-analysis="missing"' in html and "chandung analyse" in html
    assert _kpis(html)["orders"] == "5"
    assert "overview-pareto" in html and "overview-rfm" in html
    # No value yet: a message, not an empty chart.
    assert "overview-histogram" not in html
    assert data["stored"] is False and data["orders"] == 5


def test_an_empty_workspace_renders_with_a_message(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        add_users(stores)
    with client_as(workspace, "viewer") as (client, _):
        page = client.get("/")
        metrics = client.get("/api/v1/metrics")
    assert page.status_code == 200 and "chandung demo" in page.text
    assert "<svg" not in page.text.split("<main")[1]
    assert metrics.status_code == 200 and metrics.json()["pareto"] is None


def test_the_api_keeps_its_keys_and_adds_the_dashboard(analysed_demo: Workspace) -> None:
    board = _stored(analysed_demo)
    with client_as(analysed_demo, "viewer") as (client, _):
        overview = client.get("/api/v1/overview").json()
        metrics = client.get("/api/v1/metrics").json()
    assert set(overview) >= ORIGINAL_OVERVIEW_KEYS
    assert overview["orders"] == board.overview.orders and overview["stored"] is True
    assert {"run_id", "analysed_at", "overview", "pareto", "rfm", "cohorts", "clv", "value",
            "model"} <= set(metrics)  # fmt: skip
    assert metrics["run_id"] == board.run_id
    assert metrics["pareto"]["top_share"] == pytest.approx(board.figures["pareto"]["top_share"])
    assert len(metrics["pareto"]["curve"]) == dashboard.PARETO_POINTS


def test_the_api_needs_a_signed_in_caller(analysed_demo: Workspace) -> None:
    from fastapi.testclient import TestClient

    from chandung.web import create_app

    with TestClient(create_app(analysed_demo)) as client:
        assert client.get("/api/v1/metrics").status_code == 401
        assert client.get("/api/v1/overview").status_code == 401


def test_a_tile_shows_its_name_whenever_it_fits() -> None:
    big = tile_text("Champions", "12%", 184, 139)
    assert big["size"] == 13 and [t for t, _ in big["lines"]] == ["Champions", "12%"]
    # A narrower tile: a smaller font, or the name on two lines.
    narrow = tile_text("Sắp ngủ đông", "4%", 94, 159)
    assert [t for t, _ in narrow["lines"]] == ["Sắp ngủ đông", "4%"] and narrow["size"] < 13
    tall = tile_text("Không thể để mất", "3%", 81, 159)
    assert " ".join(t for t, _ in tall["lines"][:-1]) == "Không thể để mất"
    # Too small for the whole name: shortened, never the share alone.
    short = tile_text("Trung thành tiềm năng", "7%", 48, 20)
    assert short["lines"] and short["lines"][0][0].endswith("…")
    assert tile_text("New", "1%", 20, 10)["lines"] == []
    for width, height in ((30, 60), (48, 20), (70, 40), (120, 30)):
        lines = [t for t, _ in tile_text("Cần quan tâm", "5%", width, height)["lines"]]
        assert not lines or not lines[0].endswith("%"), (width, height, lines)


def test_every_rfm_segment_is_named_beside_its_figures(analysed_demo: Workspace) -> None:
    board = _stored(analysed_demo)
    with client_as(analysed_demo, "viewer") as (client, _):
        html = client.get("/?lang=en").text
    tiles = html.split('class="overview-rfm"')[1].split("</svg>")[0]
    for group in re.findall(r"<g>(.*?)</g>", tiles, re.S):
        texts = re.findall(r"<text [^>]*>([^<]+)</text>", group)
        assert not texts or not texts[0].endswith("%"), texts  # no tile shows a bare number
    # The table under the tiles is shown, not folded away, with every segment.
    table = html.split("overview-rfm-table")[1].split("</table>")[0]
    assert "Every segment, largest first" in table
    for s in board.figures["rfm"]:
        assert f'data-segment="{s["segment"]}"' in table
    assert 'data-kpi="aov"><span>' in html and 'title="₫' in html.split('data-kpi="aov"')[1]


def test_the_stale_warning_offers_the_analysis_to_who_may_run_it(
    analysed_demo: Workspace, tmp_path: Path
) -> None:
    from chandung.privacy.context import acting_as
    from chandung.privacy.roles import LOCAL_OPERATOR
    from chandung.services.imports import import_file

    source = tmp_path / "more.csv"
    source.write_text("Họ và tên,SĐT\nLê Văn Mới,0912000111\n", encoding="utf-8")
    with open_stores(analysed_demo) as stores, acting_as(LOCAL_OPERATOR):
        import_file(stores, "customers", source)
    with client_as(analysed_demo, "analyst") as (client, _):
        analyst = client.get("/").text
    with client_as(analysed_demo, "viewer") as (client, _):
        viewer = client.get("/").text
    assert 'data-analysis="stale"' in analyst and 'action="/data/analyze"' in analyst
    assert "Hãy chạy lại phân tích" in analyst
    assert 'data-analysis="stale"' in viewer and 'action="/data/analyze"' not in viewer
