"""Every page, as an administrator, on a laptop and on a phone: screenshots saved as test
artefacts, nothing overflowing the screen, no empty chart, every field labelled and every
control named, no script error, no request to another host."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from chandung.services.segments import create_segment
from chandung.services.stores import open_stores
from chandung.web import create_app
from chandung.web.auth import flat_routes
from chandung.workspace import Workspace

from .layout import accessibility_problems, layout_problems, screenshot

pytestmark = pytest.mark.browser

VIEWPORTS = {"laptop": (1280, 800), "phone": (375, 740)}
PASSWORD = "correct horse battery"


def _pages(workspace: Workspace, ids: dict[str, str]) -> list[str]:
    """The app's pages (not its API nor its downloads), with ids filled in."""
    out = []
    for route in flat_routes(create_app(workspace).routes):
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        path = route.path
        if path.startswith("/api/") or path in ("/healthz",) or re.search(r"\.\w+$", path):
            continue
        names = re.findall(r"{(\w+)}", path)
        if any(n not in ids for n in names):
            continue
        for n in names:
            path = path.replace("{" + n + "}", ids[n])
        out.append(path)
    return sorted(set(out))


def sign_in(page: Any, url: str, username: str, language: str = "vi") -> None:
    page.goto(f"{url}/login?lang={language}")
    label = {
        "vi": ("Tên đăng nhập", "Mật khẩu", "Đăng nhập"),
        "en": ("Username", "Password", "Sign in"),
    }
    user, password, button = label[language]
    page.get_by_label(user).fill(username)
    page.get_by_label(password).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_url(url + "/")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_page_lays_out_on_laptop_and_phone(
    analysed_demo: Workspace, serve: Any, page: Any, viewport: str
) -> None:
    with open_stores(analysed_demo) as stores:
        create_segment(stores, "khách quen", "orders >= 2", description="tour")
    url = serve(analysed_demo)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[viewport], strict=True)))
    sign_in(page, url, "admin")
    ids = {"name": "khách quen", "segment_id": "1"}
    customers = page.request.get(url + "/api/v1/customers?limit=1").json()["customers"]
    ids["person_id"] = str(customers[0]["customer_id"])
    personas = page.request.get(url + "/api/v1/personas").json()
    ids["persona_id"] = str(personas["personas"][0]["id"])
    failures: dict[str, list[str]] = {}
    for path in _pages(analysed_demo, ids):
        response = page.goto(url + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        screenshot(page, f"{viewport}{path}")
        problems = layout_problems(page) + accessibility_problems(page)
        if problems:
            failures[path] = problems
    assert failures == {}
    assert errors == []
    assert page.outside_requests == []
