from __future__ import annotations

import re
from typing import Any

import pytest

from chandung.i18n.formats import format_number
from chandung.privacy.context import acting_as
from chandung.privacy.roles import Principal
from chandung.services import dashboard
from chandung.services.analysis import run_analysis
from chandung.services.audit import list_entries
from chandung.services.dashboard import load_dashboard, value_customers
from chandung.services.stores import Stores, open_stores
from chandung.web.routes.value import format_parameter
from chandung.workspace import Workspace

from .conftest import add_users, client_as

VALUE_KEYS = {
    "run_id", "analysed_at", "stored", "stale", "model", "value_error", "clv", "by_segment",
    "churn", "validation", "validation_error",
}  # fmt: skip


def _listed(html: str, kind: str) -> list[str]:
    table = html.split(f'data-list="{kind}"')[1].split("</table>")[0]
    return re.findall(r'data-customer="([^"]+)"', table)


def test_a_viewer_sees_aggregates_only(
    analysed_demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def recompute(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the page recomputed the analysis")

    for name in ("validate_clv", "compute_dashboard", "overview", "summary_table"):
        monkeypatch.setattr(dashboard, name, recompute)
    with client_as(analysed_demo, "viewer") as (client, _):
        html = client.get("/value").text
        top = client.get("/api/v1/value/top-customers")
        risk = client.get("/api/v1/value/churn-risk")
        data = client.get("/api/v1/value")
    assert "data-list=" not in html and 'data-lists="hidden"' in html
    assert 'data-explain="p_alive"' in html and "P(alive)" in html
    assert "value-tracking" in html and "value-buckets" in html
    assert top.status_code == risk.status_code == 403
    assert data.status_code == 200 and set(data.json()) >= VALUE_KEYS


def test_figures_on_the_page_are_the_stored_ones(analysed_demo: Workspace) -> None:
    with open_stores(analysed_demo) as stores:
        board = load_dashboard(stores)
    assert board.value is not None
    validation = board.figures["value"]["validation"]
    with client_as(analysed_demo, "analyst") as (client, _):
        html = client.get("/value").text
        data = client.get("/api/v1/value").json()
    kpi = dict(re.findall(r'data-kpi="(\w+)"><span>[^<]*</span><strong[^>]*>([^<]+)<', html))
    assert kpi["scored"] == format_number(board.value["customers"], "vi")
    assert kpi["at_risk"] == format_number(board.figures["value"]["churn"]["customers"], "vi")
    fit = board.value["transaction_model"]
    assert format_number(fit["log_likelihood"], "vi", 2) in html
    for name in fit["params"]:
        assert f'<th scope="row">{name}</th>' in html
    # Parameters are written the page's way, never in scientific notation.
    params = html.split('class="value-params"')[1].split("</section>")[0]
    assert not re.search(r"\d[eE][+-]?\d", params)
    spend = board.value["spend_model"]["params"]["v"]
    assert format_parameter(spend, "vi") in params
    summary = re.search(r"<p [^>]*data-validation>([^<]+)<", html)
    assert summary and format_number(validation["actual_holdout_purchases"], "vi") in summary[1]
    assert format_number(validation["predicted_holdout_purchases"], "vi") in summary[1]
    # One pair of bars per frequency bucket, one polyline each for actual and predicted.
    buckets = html.split('class="value-buckets"')[1].split("</svg>")[0]
    assert buckets.count("<rect") == 2 * len(validation["buckets"])
    assert data["validation"]["actual_holdout_purchases"] == validation["actual_holdout_purchases"]
    assert data["model"]["transaction_model"]["params"] == pytest.approx(fit["params"])


def test_an_analyst_sees_the_lists_masked(analysed_demo: Workspace) -> None:
    with open_stores(analysed_demo) as stores, acting_as(Principal("analyst", "analyst")):
        top = value_customers(stores, "top", 20)
        risk = value_customers(stores, "churn_risk", 20)
    with client_as(analysed_demo, "analyst") as (client, _):
        html = client.get("/value").text
        api = client.get("/api/v1/value/top-customers?limit=20").json()
        api_risk = client.get("/api/v1/value/churn-risk?limit=5").json()
    assert _listed(html, "top") == [r["customer_id"] for r in top]
    assert _listed(html, "churn_risk") == [r["customer_id"] for r in risk]
    assert api["customers"] == top
    assert api_risk["customers"] == risk[:5]
    # Masked names keep the family name and initials only.
    for r in top:
        assert r["full_name"] is None or re.fullmatch(r"\S+( \w\.)*", r["full_name"]), r
        assert r["full_name"] is None or r["full_name"] in html


def test_an_admin_sees_names_and_the_view_is_recorded(analysed_demo: Workspace) -> None:
    with client_as(analysed_demo, "admin") as (client, _):
        rows = client.get("/api/v1/value/top-customers?limit=3").json()["customers"]
    assert len(rows) == 3 and all(" " in (r["full_name"] or " x") for r in rows)
    assert not any(re.search(r" \w\.", r["full_name"] or "") for r in rows)
    with open_stores(analysed_demo) as stores:
        recorded = list_entries(stores, action="personal_data.view", limit=1)
    assert recorded and recorded[0]["target"] == "customer_value" and recorded[0]["rows"] == 3


def test_the_value_page_in_english(analysed_demo: Workspace) -> None:
    with client_as(analysed_demo, "marketer") as (client, _):
        html = client.get("/value?lang=en").text
    assert 'lang="en"' in html and "How well the model predicts" in html
    assert "Valuable customers at risk of leaving" in html
    assert 'data-lists="hidden"' in html  # a marketer may not see customers


@pytest.mark.parametrize("limit", ["0", "501", "x"])
def test_list_limits_are_checked(analysed_demo: Workspace, limit: str) -> None:
    with client_as(analysed_demo, "analyst") as (client, _):
        r = client.get(f"/api/v1/value/churn-risk?limit={limit}")
    assert r.status_code == 422


def test_an_empty_workspace_renders_with_a_message(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        add_users(stores)
    with client_as(workspace, "admin") as (client, _):
        page = client.get("/value")
        data = client.get("/api/v1/value").json()
        top = client.get("/api/v1/value/top-customers").json()
        risk = client.get("/api/v1/value/churn-risk").json()
    assert page.status_code == 200 and "chandung demo" in page.text
    assert "<svg" not in page.text.split("<main")[1]
    assert data["model"] is None and data["stored"] is False
    assert top["customers"] == [] and risk["customers"] == []


def test_data_never_analysed_says_what_to_do(tiny_business: Stores) -> None:
    ws = tiny_business.workspace
    add_users(tiny_business)
    tiny_business.close()
    with client_as(ws, "analyst") as (client, _):
        html = client.get("/value").text
    assert 'data-analysis="missing"' in html and "chandung analyse" in html


def test_too_few_customers_for_the_models_says_why(tiny_business: Stores) -> None:
    report = run_analysis(tiny_business)
    assert report.value_error is not None
    ws = tiny_business.workspace
    add_users(tiny_business)
    tiny_business.close()
    with client_as(ws, "analyst") as (client, _):
        value = client.get("/value").text
        overview = client.get("/").text
        data = client.get("/api/v1/value").json()
    assert 'data-analysis="no_value"' in value and "<svg" not in value.split("<main")[1]
    assert 'data-analysis="stored"' in overview and "overview-histogram" not in overview
    assert data["stored"] is True and data["value_error"]["error"] == report.value_error["error"]


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (960_671.22, "960.700", "960,700"),
        (148_746.3, "148.700", "148,700"),
        (1.7920288, "1,792", "1.792"),
        (18.61213, "18,61", "18.61"),
        (0.0123, "0,0123", "0.0123"),
        (0.5, "0,5", "0.5"),
        (2.0, "2", "2"),
        (1.2e-7, "1,2 × 10⁻⁷", "1.2 × 10⁻⁷"),
    ],
)
def test_model_parameters_read_naturally(value: float, vi: str, en: str) -> None:
    assert format_parameter(value, "vi") == vi
    assert format_parameter(value, "en") == en
