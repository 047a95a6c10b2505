from __future__ import annotations

from typing import Any

import pytest

from chandung.services.stores import Stores
from chandung.services.users import create_user

pytestmark = pytest.mark.browser


def test_a_person_reads_the_overview_and_switches_language(
    tiny_business: Stores, serve: Any, page: Any
) -> None:
    ws = tiny_business.workspace
    create_user(tiny_business, "lan", "viewer", "correct horse battery", check_permission=False)
    tiny_business.close()
    url = serve(ws)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(url + "/")
    # Not signed in: the overview sends the person to the sign-in form, then back.
    page.wait_for_url("**/login?next=/")
    page.get_by_label("Tên đăng nhập").fill("lan")
    page.get_by_label("Mật khẩu").fill("correct horse battery")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(url + "/")
    assert page.locator("h1").inner_text() == "Tổng quan"
    assert page.locator('[data-kpi="orders"] strong').inner_text() == "5"
    assert page.locator("svg.bars rect").count() == 3  # three months with sales

    page.get_by_role("link", name="EN").click()
    page.wait_for_url("**/?lang=en")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator('[data-kpi="revenue"] strong').inner_text() == "₫2.0M"

    page.reload()  # the language choice is remembered
    assert page.locator("h1").inner_text() == "Overview"
    assert errors == []  # no CSP violation or script error
    assert page.outside_requests == []
