from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from chandung.errors import AccessDenied
from chandung.metrics.retention import cohort_retention
from chandung.metrics.rfm import rfm_segment_counts
from chandung.metrics.value import concentration
from chandung.privacy.context import acting_as
from chandung.privacy.roles import Principal
from chandung.services import dashboard
from chandung.services.analysis import run_analysis
from chandung.services.audit import list_entries
from chandung.services.dashboard import (
    CLV_BINS,
    DASHBOARD_KEY,
    compute_dashboard,
    finite,
    load_dashboard,
    overview_from_dict,
    stored_figures,
    value_customers,
    value_lists,
)
from chandung.services.stores import Stores, open_stores
from chandung.services.value import VALUE_TABLE, summary_table
from chandung.store.app_models import ImportBatch
from chandung.workspace import Workspace


def test_an_empty_workspace_has_headline_zeros_and_no_charts(stores: Stores) -> None:
    board = load_dashboard(stores)
    assert not board.stored and board.overview.orders == 0
    for key in ("pareto", "rfm", "cohorts", "clv", "value"):
        assert board.figures[key] is None
    assert board.as_dict()["overview"]["orders"] == 0


def test_before_any_analysis_the_figures_are_computed_from_the_data(tiny_business: Stores) -> None:
    board = load_dashboard(tiny_business)
    assert not board.stored and board.run_id is None
    assert board.overview.orders == 5 and board.overview.buyers == 3
    summary = summary_table(tiny_business, time_unit="days")
    expected = concentration(summary, points=dashboard.PARETO_POINTS)
    assert board.figures["pareto"]["top_share"] == pytest.approx(expected.top_share)
    assert board.figures["pareto"]["gini"] == pytest.approx(expected.gini)
    curve = board.figures["pareto"]["curve"]
    assert len(curve) == dashboard.PARETO_POINTS
    assert curve[0]["revenue_share"] == 0 and curve[-1]["revenue_share"] == pytest.approx(1)
    # Best customers first: the curve rises and never falls.
    shares = [p["revenue_share"] for p in curve]
    assert shares == sorted(shares)
    segments = {s.segment: s.customers for s in rfm_segment_counts(summary)}
    assert {s["segment"]: s["customers"] for s in board.figures["rfm"]} == segments
    matrix = cohort_retention(tiny_business.warehouse.table("orders"))
    assert [c["customers"] for c in board.figures["cohorts"]["cohorts"]] == [
        c.customers for c in matrix.cohorts
    ]
    assert board.figures["clv"] is None and board.figures["value"] is None


def test_the_analysis_stores_the_figures_and_the_page_reads_them(
    tiny_business: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = load_dashboard(tiny_business)
    report = run_analysis(tiny_business)
    found = stored_figures(tiny_business)
    assert found is not None and found[0].id == report.run_id
    assert DASHBOARD_KEY in found[0].summary

    def recompute(*args: object, **kwargs: object) -> None:
        raise AssertionError("figures recomputed")

    for name in ("overview", "compute_dashboard", "concentration", "cohort_retention"):
        monkeypatch.setattr(dashboard, name, recompute)
    board = load_dashboard(tiny_business)
    assert board.stored and board.run_id == report.run_id and not board.stale
    assert board.overview == live.overview
    for key in ("top_share", "gini"):
        assert board.figures["pareto"][key] == pytest.approx(live.figures["pareto"][key])
    assert board.figures["rfm"] == live.figures["rfm"]
    assert board.figures["cohorts"] == live.figures["cohorts"]


def test_an_import_after_the_analysis_marks_the_figures_stale(tiny_business: Stores) -> None:
    run_analysis(tiny_business)
    assert not load_dashboard(tiny_business).stale
    now = datetime.now(UTC)
    with tiny_business.app_db.session() as session:
        session.add(ImportBatch(id="later", source="orders.csv", started_at=now,
                                finished_at=now, status="loaded"))  # fmt: skip
    assert load_dashboard(tiny_business).stale


def test_overview_round_trips_through_json(tiny_business: Stores) -> None:
    board = load_dashboard(tiny_business)
    assert overview_from_dict(board.overview.as_dict()) == board.overview


def test_json_never_holds_nan() -> None:
    assert finite({"a": [math.nan, 1.5, math.inf], "b": (2,)}) == {"a": [None, 1.5, None], "b": [2]}


@pytest.fixture
def demo(analysed_demo: Workspace) -> Iterator[Stores]:
    with open_stores(analysed_demo) as s:
        yield s


def test_value_figures_come_from_the_scored_customers(demo: Stores) -> None:
    board = load_dashboard(demo)
    assert board.stored and board.value is not None
    scored: pa.Table = demo.warehouse.table(VALUE_TABLE).to_pyarrow()
    clv = board.figures["clv"]
    assert clv["customers"] == scored.num_rows == board.value["customers"]
    assert len(clv["bins"]) == CLV_BINS
    assert sum(b["customers"] for b in clv["bins"]) == scored.num_rows
    values = scored.column("predicted_clv_vnd").to_pylist()
    assert clv["total"] == pytest.approx(sum(values))
    first = clv["bins"][0]
    assert first["customers"] == sum(1 for v in values if v < first["high"])
    churn = board.figures["value"]["churn"]
    revenue = scored.column("total_revenue").to_pylist()
    alive = scored.column("probability_alive").to_pylist()
    at_risk = [
        r for r, a in zip(revenue, alive, strict=True)
        if r >= churn["min_revenue"] and r > 0 and a < dashboard.AT_RISK_ALIVE
    ]  # fmt: skip
    assert churn["customers"] == len(at_risk) > 0
    assert churn["revenue"] == pytest.approx(sum(at_risk))
    validation = board.figures["value"]["validation"]
    assert validation["model"] == demo.workspace.settings.value.transaction_model
    assert validation["tracking"] and validation["buckets"]
    segments = {s["segment"]: s["customers"] for s in board.figures["value"]["by_segment"]}
    assert sum(segments.values()) == scored.num_rows
    assert board.figures["rfm"] == [s.as_dict() for s in rfm_segment_counts(
        demo.warehouse.table(VALUE_TABLE))]  # fmt: skip


def test_lists_are_masked_by_role_and_audited_when_not(demo: Stores) -> None:
    with acting_as(Principal("viewer", "viewer")), pytest.raises(AccessDenied):
        value_customers(demo, "top")
    with acting_as(Principal("analyst", "analyst")):
        masked = value_customers(demo, "top", 5)
    with acting_as(Principal("admin", "admin")):
        clear = value_customers(demo, "top", 5)
        entries = list_entries(demo, action="personal_data.view", limit=1)
    assert [r["customer_id"] for r in masked] == [r["customer_id"] for r in clear]
    values = [r["predicted_clv_vnd"] for r in clear]
    assert values == sorted(values, reverse=True)
    scored = demo.warehouse.table(VALUE_TABLE).to_pyarrow()
    assert values[0] == pytest.approx(max(scored.column("predicted_clv_vnd").to_pylist()))
    for shown, real in zip(masked, clear, strict=True):
        assert real["full_name"] and shown["full_name"] != real["full_name"]
    assert entries[0]["target"] == "customer_value" and entries[0]["rows"] == 5


def test_the_page_gets_both_lists_at_once(demo: Stores) -> None:
    with acting_as(Principal("analyst", "analyst")):
        both = value_lists(demo, ("top", "churn_risk"), 10)
        assert both["top"] == value_customers(demo, "top", 10)
        assert both["churn_risk"] == value_customers(demo, "churn_risk", 10)


def test_churn_risk_lists_valuable_customers_unlikely_to_be_alive(demo: Stores) -> None:
    board = load_dashboard(demo)
    churn = board.figures["value"]["churn"]
    with acting_as(Principal("analyst", "analyst")):
        risky = value_customers(demo, "churn_risk", 500)
    assert len(risky) == min(500, churn["customers"])
    for r in risky:
        assert r["total_revenue"] >= churn["min_revenue"] and r["probability_alive"] < 0.5
    risk = [r["total_revenue"] * (1 - r["probability_alive"]) for r in risky]
    assert risk == sorted(risk, reverse=True)


def test_compute_dashboard_without_scores_leaves_value_out(demo: Stores) -> None:
    board = load_dashboard(demo)
    figures = compute_dashboard(demo, board.overview, scored=False)
    assert figures["clv"] is None and figures["value"] is None
    assert figures["pareto"]["top_share"] == pytest.approx(board.figures["pareto"]["top_share"])
