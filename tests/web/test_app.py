from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from chandung.services.stores import Stores, open_stores
from chandung.web import create_app
from chandung.workspace import Workspace

from .conftest import add_users, sign_in


@pytest.fixture
def client(tiny_business: Stores) -> Iterator[TestClient]:
    ws = tiny_business.workspace
    add_users(tiny_business)
    tiny_business.close()  # the app opens the workspace itself, as `chandung serve` does
    with TestClient(create_app(ws)) as c:
        sign_in(c, "viewer")
        yield c


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_overview_shows_figures_from_the_warehouse(client: TestClient) -> None:
    html = client.get("/").text
    assert 'lang="vi"' in html and "Tổng quan" in html
    kpi = dict(re.findall(r'data-kpi="(\w+)"><span>[^<]*</span><strong[^>]*>([^<]+)<', html))
    assert kpi["orders"] == "5"
    assert kpi["buyers"] == "3"
    assert kpi["customer_records"] == "5"
    assert kpi["aov"] == "400.000 ₫"
    assert kpi["repeat_rate"] == "66,7%"
    assert "Doanh thu theo tháng" in html and "<rect" in html


def test_overview_in_english_and_the_choice_is_remembered(client: TestClient) -> None:
    r = client.get("/?lang=en")
    assert 'lang="en"' in r.text and "Average order value" in r.text and "₫400,000" in r.text
    assert "chandung_lang=en" in r.headers["set-cookie"]
    assert 'lang="en"' in client.get("/").text


def test_overview_api_matches_the_page(client: TestClient) -> None:
    data = client.get("/api/v1/overview").json()
    assert data["orders"] == 5 and data["revenue_vnd"] == 2_000_000
    assert data["revenue_by_channel_group"]["marketplace"] == 1_400_000


def test_nothing_is_loaded_from_another_host(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    css = client.get("/static/app.css").text
    for text in (r.text, css):
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url\(([^)]+)\)""", text)
        for found in (u for pair in urls for u in pair if u):
            assert not re.match(r"^(https?:)?//", found), found
    assert "@import" not in css


def test_empty_workspace_says_what_to_do(tmp_path: pytest.TempPathFactory) -> None:
    ws = Workspace.open(tmp_path / "empty")  # type: ignore[operator]
    with open_stores(ws) as stores:
        add_users(stores)
    with TestClient(create_app(ws)) as c:
        sign_in(c, "viewer")
        html = c.get("/").text
    assert "chandung demo" in html


def test_unknown_page_is_a_translated_404(client: TestClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Trang này không tồn tại" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    api = client.get("/api/v1/no-such-thing?lang=en")
    assert api.status_code == 404
    assert api.json() == {
        "error": "not_found",
        "message": "This page does not exist.",
        "where": None,
    }


def test_unexpected_error_shows_no_traceback(tiny_business: Stores) -> None:
    app = create_app(tiny_business.workspace)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom?lang=en")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "server log" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
