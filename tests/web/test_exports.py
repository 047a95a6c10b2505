"""The exports page and API: count an audience, then download it as CSV."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chandung.privacy.context import acting_as
from chandung.privacy.roles import LOCAL_OPERATOR
from chandung.services.audience_sources import audience_sources, preview_audience
from chandung.services.stores import open_stores
from chandung.web import create_app
from chandung.workspace import Workspace

from .conftest import add_users, client_as, sign_in

CHECKED = [("persona:P5", "email"), ("persona:P1", "zalo")]


@pytest.fixture(scope="module")
def demo(
    analysed_demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Workspace, dict[str, Any]]:
    """A copy of the analysed demo, and what the services say about a few audiences."""
    home = tmp_path_factory.mktemp("exports") / "ws"
    shutil.copytree(analysed_demo_template, home)
    workspace = Workspace.open(home)
    with open_stores(workspace) as stores, acting_as(LOCAL_OPERATOR):
        sources = [s.ref for s in audience_sources(stores)]
        auto = [s for s in sources if s.startswith("auto:")]
        checks = [*CHECKED, (auto[-1], "email")]
        previews = {(s, c): preview_audience(stores, s, c) for s, c in checks}
    return workspace, {"sources": sources, "auto": auto, "previews": previews}


@pytest.fixture
def app(demo: tuple[Workspace, dict[str, Any]]) -> Iterator[TestClient]:
    with TestClient(create_app(demo[0])) as client:
        yield client


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _counts(page: str) -> dict[str, int]:
    found = dict(re.findall(r'data-count="(\w+)">(?:<strong>)?([\d.,]+)<', page))
    return {k: int(re.sub(r"[.,]", "", v)) for k, v in found.items()}


def test_the_page_lists_every_source_and_counts_like_the_service(
    app: TestClient, demo: tuple[Workspace, dict[str, Any]]
) -> None:
    sign_in(app, "marketer")
    page = app.get("/exports")
    assert page.status_code == 200 and "Xuất danh sách khách hàng" in page.text
    offered = re.findall(r'<option value="([^"]+)"', page.text)
    assert set(demo[1]["sources"]) <= set(offered)
    assert "persona:P1" in offered and len(demo[1]["auto"]) == 6
    assert "data-preview" not in page.text  # nothing counted before a choice
    for (source, channel), expected in demo[1]["previews"].items():
        counted = app.get("/exports", params={"source": source, "channel": channel})
        assert _counts(counted.text) == {
            "members": expected.members, "consented": expected.consented, "rows": expected.rows,
        }  # fmt: skip
        assert expected.members > expected.consented >= expected.rows > 0
        assert f'name="source" value="{source}"' in counted.text
        api = app.get("/api/v1/audiences/preview", params={"source": source, "channel": channel})
        assert api.json()["preview"] == {**expected.as_dict(), "masked": True}
    english = app.get("/exports?lang=en&source=persona:P1&channel=zalo").text
    assert "Download CSV" in english and "masked" in english


def test_download_from_the_page_then_in_the_audit_log(
    app: TestClient, demo: tuple[Workspace, dict[str, Any]]
) -> None:
    csrf = sign_in(app, "marketer")
    source, channel = CHECKED[0]
    expected = demo[1]["previews"][(source, channel)]
    page = app.get("/exports", params={"source": source, "channel": channel}).text
    form = re.search(r'<form method="post" action="/exports/download".*?</form>', page, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    assert fields == {"csrf_token": csrf, "source": source, "channel": channel}
    fields["purpose"] = "Bản tin e-mail tháng 12"
    got = app.post("/exports/download", data=fields)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"].startswith(
        'attachment; filename="chandung-audience-persona-p5-email-'
    )
    assert got.headers["cache-control"] == "no-store"
    assert got.content.startswith(b"\xef\xbb\xbf")  # spreadsheets read it as UTF-8
    rows = _rows(got.content)
    assert len(rows) == expected.rows == int(got.headers["x-audience-rows"])
    assert list(rows[0]) == ["person_id", "display_name", "email"]
    assert got.headers["x-audience-masked"] == "true"
    # The same list for an administrator, unmasked: same people, other names and e-mails.
    admin_csrf = sign_in(app, "admin")
    plain = app.post(
        "/api/v1/audiences/export",
        json={"source": source, "channel": channel, "purpose": "check"},
        headers={"X-CSRF-Token": admin_csrf},
    )
    assert plain.status_code == 200 and not plain.content.startswith(b"\xef\xbb\xbf")
    unmasked = {r["person_id"]: r for r in _rows(plain.content)}
    assert set(unmasked) == {r["person_id"] for r in rows}
    for row in rows:
        assert row["email"] != unmasked[row["person_id"]]["email"]
        assert "@" in unmasked[row["person_id"]]["email"]
    entries = app.get("/api/v1/audit", params={"action": "export", "limit": 2}).json()["entries"]
    mine = next(e for e in entries if e["actor"] == "marketer")
    assert mine["target"] == f"audience:{source}" and mine["rows"] == len(rows)
    assert mine["purpose"] == "Bản tin e-mail tháng 12"
    assert mine["details"]["channel"] == "email" and mine["details"]["masked"] is True


def test_an_automatic_segment_without_a_persona_is_exported(
    app: TestClient, demo: tuple[Workspace, dict[str, Any]]
) -> None:
    csrf = sign_in(app, "admin")
    source = demo[1]["auto"][-1]
    expected = demo[1]["previews"][(source, "email")]
    got = app.post(
        "/api/v1/audiences/export",
        json={"source": source, "channel": "email", "purpose": "E-mail khuyến mãi"},
        headers={"X-CSRF-Token": csrf},
    )
    assert got.status_code == 200, got.text
    rows = _rows(got.content)
    assert len(rows) == expected.rows and list(rows[0]) == ["person_id", "display_name", "email"]
    assert all("@" in r["email"] for r in rows)
    assert int(got.headers["x-audience-members"]) == expected.members
    assert got.headers["content-disposition"].startswith(
        'attachment; filename="chandung-audience-auto-segment-6-email-'
    )
    entry = app.get("/api/v1/audit?action=export&limit=1").json()["entries"][0]
    assert entry["target"] == f"audience:{source}" and entry["rows"] == len(rows)
    assert entry["purpose"] == "E-mail khuyến mãi" and entry["actor"] == "admin"


def test_bad_choices_are_clear_errors(
    app: TestClient, demo: tuple[Workspace, dict[str, Any]]
) -> None:
    sign_in(app, "analyst")
    run = demo[1]["auto"][0].rsplit(":", 1)[0]
    cases = {
        "nothing": (422, "web_exports.source"),
        "persona:P99": (404, "persona.not_found"),
        "segment:Không có": (404, "segment.not_found"),
        "auto:seg-none:1": (404, "segment.segmentation_not_found"),
        f"{run}:99": (404, "web_exports.no_auto_segment"),
        "auto:x": (422, "web_exports.source"),
    }
    for source, (status, code) in cases.items():
        got = app.get(
            "/api/v1/audiences/preview?lang=en", params={"source": source, "channel": "zalo"}
        )
        assert (got.status_code, got.json()["error"]) == (status, code), source
    assert app.get("/api/v1/audiences/preview?source=persona:P1&channel=fax").status_code == 422
    missing = app.get("/api/v1/audiences/preview?source=persona:P1")
    assert missing.status_code == 422 and missing.json()["error"] == "consent.channel"
    page = app.get("/exports?source=persona:P99&channel=zalo&lang=en")
    assert page.status_code == 404 and "P99" in html.unescape(page.text)


def test_the_api_lists_sources_without_a_choice(app: TestClient) -> None:
    sign_in(app, "analyst")
    data = app.get("/api/v1/audiences/preview").json()
    assert data["preview"] is None and "zalo" in data["channels"]
    by_ref = {s["source"]: s for s in data["sources"]}
    assert by_ref["persona:P1"]["kind"] == "persona" and by_ref["persona:P1"]["size"] > 0


def test_an_empty_workspace_says_what_to_do(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        add_users(stores)
    with client_as(workspace, "marketer") as (client, _):
        page = client.get("/exports")
        assert page.status_code == 200 and "chandung analyze" in page.text
        assert client.get("/api/v1/audiences/preview").json()["sources"] == []
