"""Attacks through the exports and admin surfaces, refused: formulas hidden in customers'
names, file names steered to a path, exports without consent or purpose, callers without the
permission, and roles trying to raise their own privileges."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx2
import pytest

from chandung.privacy.context import acting_as
from chandung.privacy.roles import LOCAL_OPERATOR
from chandung.services.consents import record_consent
from chandung.services.segments import create_segment
from chandung.services.stores import Stores, open_stores
from chandung.web import create_app
from chandung.workspace import Workspace
from tests.web.conftest import sign_in

from .conftest import serving

#: Names a customer could type into a shop's form, each read as a formula by a spreadsheet.
EVIL = {
    "eq": '=HYPERLINK("http://evil.example","Bấm vào đây")',
    "plus": "+SUM(1+1)*cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
SAFE_NAME = re.compile(r'attachment; filename="chandung-audience-[a-z0-9-]+\.csv"')
SEGMENT = "../../etc/passwd\\..\\evil"


def _zalo_ledger(stores: Stores) -> dict[str, str]:
    """The latest marketing decision applying to Zalo of each person, from the ledger."""
    wh = stores.warehouse
    links = wh.table("customer_links").to_pyarrow().to_pylist()
    person = {r["customer_id"]: r["person_id"] for r in links}
    latest: dict[str, tuple[datetime, bool, str]] = {}
    for e in wh.table("consents").to_pyarrow().to_pylist():
        if e["purpose"] != "marketing" or (e["channel"] or "zalo") != "zalo":
            continue
        key = (e["recorded_at"], e["status"] == "withdrawn", e["status"])
        who = person.get(e["customer_id"], e["customer_id"])
        if who not in latest or key[:2] > latest[who][:2]:
            latest[who] = key
    return {p: status for p, (_, _, status) in latest.items()}


@pytest.fixture(scope="module")
def home(analysed_demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The analysed demo with six members of persona P1 renamed to formulas (all consented
    to Zalo), one member who withdrew after consenting, and a segment named like a path."""
    path = tmp_path_factory.mktemp("export-attacks") / "ws"
    shutil.copytree(analysed_demo_template, path)
    with open_stores(Workspace.open(path)) as stores, acting_as(LOCAL_OPERATOR):
        wh = stores.warehouse
        rows = wh.table("segment_assignments").to_pyarrow().to_pylist()
        run = max(r["segmentation_id"] for r in rows)
        members = {
            r["customer_id"] for r in rows if r["segmentation_id"] == run and r["segment_id"] == 1
        }
        phones = {
            p["person_id"]: p["phone_e164"] for p in wh.table("people").to_pyarrow().to_pylist()
        }
        ledger = _zalo_ledger(stores)
        reachable = sorted(p for p in members if ledger.get(p) == "given" and phones.get(p))
        for person, name in zip(reachable, EVIL.values(), strict=False):
            quoted = name.replace("'", "''")
            # The golden record shows a person's single record, or their merged one.
            wh.backend.raw_sql(
                f"UPDATE customers SET full_name = '{quoted}' WHERE customer_id IN "
                f"(SELECT customer_id FROM customer_links WHERE person_id = '{person}')"
            )
            wh.backend.raw_sql(
                f"UPDATE people_merged SET full_name = '{quoted}' WHERE person_id = '{person}'"
            )
        withdrawn = reachable[len(EVIL)]
        record_consent(stores, withdrawn, "marketing", None, "withdrawn", method="test",
                       at=datetime(2030, 1, 1))  # fmt: skip
        create_segment(stores, SEGMENT, "records >= 1")
        (path / "withdrawn.txt").write_text(withdrawn, "utf-8")
        ledger = _zalo_ledger(stores)
        expected = sorted(p for p in members if ledger.get(p) == "given" and phones.get(p))
        (path / "ledger.json").write_text(json.dumps(ledger), "utf-8")
        (path / "expected.json").write_text(json.dumps(expected), "utf-8")
    return path


@pytest.fixture
def app(home: Path) -> Iterator[httpx2.Client]:
    application = create_app(Workspace.open(home))
    with serving(application) as served, served.client() as client:
        yield client
    application.state.jobs.close()
    application.state.holder.close()


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("role", ["admin", "marketer"])
def test_formulas_in_names_are_neutralised(app: httpx2.Client, home: Path, role: str) -> None:
    csrf = sign_in(app, role)
    got = app.post(
        "/exports/download",
        data={"csrf_token": csrf, "source": "persona:P1", "channel": "zalo", "purpose": "test"},
    )
    assert got.status_code == 200, got.text
    rows = _rows(got.content)
    assert rows and list(rows[0]) == ["person_id", "display_name", "phone"]
    for row in rows:
        first = row["display_name"][:1]
        assert first not in ("=", "+", "-", "@", "\t", "\r"), row
        assert row["display_name"].lstrip()[:1] not in ("=", "+", "-", "@"), row
    if role == "admin":  # unmasked: each evil name is there, behind an apostrophe
        names = {r["display_name"] for r in rows}
        for name in EVIL.values():
            assert "'" + name in names, name


def test_only_consented_contacts_are_exported(app: httpx2.Client, home: Path) -> None:
    csrf = sign_in(app, "admin")
    got = app.post(
        "/exports/download",
        data={"csrf_token": csrf, "source": "persona:P1", "channel": "zalo", "purpose": "t"},
    )
    exported = {r["person_id"] for r in _rows(got.content)}
    ledger = json.loads((home / "ledger.json").read_text("utf-8"))
    withdrawn = (home / "withdrawn.txt").read_text("utf-8")
    assert withdrawn not in exported and ledger[withdrawn] == "withdrawn"
    assert exported and all(ledger.get(p) == "given" for p in exported)
    assert exported == set(json.loads((home / "expected.json").read_text("utf-8")))


def test_the_file_name_cannot_be_steered(app: httpx2.Client, home: Path) -> None:
    csrf = sign_in(app, "admin")
    got = app.post(
        "/exports/download",
        data={"csrf_token": csrf, "source": f"segment:{SEGMENT}", "channel": "zalo",
              "purpose": "t"},
    )  # fmt: skip
    assert got.status_code == 200
    disposition = got.headers["content-disposition"]
    assert SAFE_NAME.fullmatch(disposition), disposition
    assert ".." not in disposition and "/" not in disposition and "\\" not in disposition
    api = app.post(
        "/api/v1/audiences/export",
        json={"source": f"segment:{SEGMENT}", "channel": "sms", "purpose": "t"},
        headers={"X-CSRF-Token": csrf},
    )
    assert SAFE_NAME.fullmatch(api.headers["content-disposition"])
    counted = app.get("/api/v1/audiences/preview", params={"segment": SEGMENT, "channel": "sms"})
    assert counted.json()["preview"]["source"] == f"segment:{SEGMENT}"
    assert counted.json()["preview"]["rows"] == int(api.headers["x-audience-rows"])
    # Nothing was left behind in the workspace, nor written beside it.
    assert not [p for p in home.iterdir() if p.name.startswith(".export-")]
    assert not (home.parent / "etc").exists() and not (home / "etc").exists()


def test_a_purpose_is_required(app: httpx2.Client) -> None:
    def exports() -> int:
        sign_in(app, "admin")
        return len(app.get("/api/v1/audit?action=export&limit=500").json()["entries"])

    before = exports()
    csrf = sign_in(app, "marketer")
    for purpose in ("", "   "):
        form = {"csrf_token": csrf, "source": "persona:P1", "channel": "zalo", "purpose": purpose}
        assert app.post("/exports/download", data=form).status_code == 422
        body = {"source": "persona:P1", "channel": "zalo", "purpose": purpose}
        api = app.post("/api/v1/audiences/export", json=body, headers={"X-CSRF-Token": csrf})
        assert api.status_code == 422 and api.json()["error"] == "audience.purpose"
    missing = app.post(
        "/api/v1/audiences/export", json={"source": "persona:P1", "channel": "zalo"},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert missing.status_code == 422
    assert exports() == before


def test_viewer_and_anonymous_are_refused(app: httpx2.Client) -> None:
    body = {"source": "persona:P1", "channel": "zalo", "purpose": "t"}
    assert app.post("/api/v1/audiences/export", json=body).status_code == 401
    assert app.get("/api/v1/audiences/preview").status_code == 401
    assert app.get("/exports", follow_redirects=False).status_code == 303
    csrf = sign_in(app, "viewer")
    assert app.get("/exports").status_code == 403
    form = {"csrf_token": csrf, **body}
    refused = app.post("/exports/download", data=form)
    assert refused.status_code == 403 and "person_id" not in refused.text
    api = app.post("/api/v1/audiences/export", json=body, headers={"X-CSRF-Token": csrf})
    assert api.status_code == 403 and api.json()["error"] == "auth.denied"
    assert app.get("/api/v1/audiences/preview?source=persona:P1&channel=zalo").status_code == 403


def test_exports_need_the_csrf_token(app: httpx2.Client) -> None:
    sign_in(app, "marketer")
    form = {"source": "persona:P1", "channel": "zalo", "purpose": "t"}
    assert app.post("/exports/download", data=form).status_code == 403
    assert app.post("/exports/download", data={**form, "csrf_token": "forged"}).status_code == 403


def test_an_analyst_cannot_raise_their_own_privileges(app: httpx2.Client) -> None:
    csrf = sign_in(app, "analyst")
    head = {"X-CSRF-Token": csrf}
    attempts = [
        app.get("/admin"),
        app.get("/api/v1/users"),
        app.post("/admin/users", data={"csrf_token": csrf, "username": "mole", "role": "admin"}),
        app.post("/admin/users/analyst/access", data={"csrf_token": csrf, "role": "admin"}),
        app.post("/admin/users/admin/state", data={"csrf_token": csrf, "change": "disable"}),
        app.post("/admin/users/admin/password", data={"csrf_token": csrf}),
        app.post("/api/v1/users", json={"username": "mole", "role": "admin"}, headers=head),
        app.patch("/api/v1/users/analyst", json={"role": "admin"}, headers=head),
        app.patch("/api/v1/users/analyst", json={"grants": ["personal_data.read"]}, headers=head),
        app.post("/api/v1/tokens", json={"username": "admin", "name": "x"}, headers=head),
        app.post("/admin/tokens", data={"csrf_token": csrf, "username": "admin", "name": "x"}),
        app.get("/api/v1/tokens"),
        app.post("/api/v1/backups", headers=head),
        app.get("/admin/settings"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    # The account page changes a password only: a role sent along is ignored.
    app.post("/account/password", data={"csrf_token": csrf, "current": "x", "new": "y" * 12,
                                        "repeat": "y" * 12, "role": "admin"})  # fmt: skip
    sign_in(app, "admin")
    found = {u["username"]: u for u in app.get("/api/v1/users").json()}
    assert "mole" not in found
    assert found["analyst"]["role"] == "analyst" and found["analyst"]["grants"] == []
    assert found["admin"]["active"]


def test_a_marketer_cannot_read_the_audit_log(app: httpx2.Client) -> None:
    sign_in(app, "marketer")
    for path in ("/admin/audit", "/api/v1/audit", "/api/v1/audit/verify", "/admin/consents"):
        got = app.get(path)
        assert got.status_code == 403 and 'data-action="login"' not in got.text, path


def test_an_admin_cannot_demote_or_close_their_own_account(app: httpx2.Client) -> None:
    csrf = sign_in(app, "admin")
    own = app.post("/admin/users/admin/access", data={"csrf_token": csrf, "role": "viewer"})
    assert own.status_code == 422
    api = app.patch("/api/v1/users/admin", json={"active": False}, headers={"X-CSRF-Token": csrf})
    assert api.status_code == 422 and api.json()["error"] == "web_admin.self_change"
    assert app.get("/api/v1/me").json()["role"] == "admin"
