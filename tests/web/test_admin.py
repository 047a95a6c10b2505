"""The administration pages and API, and each person's account page: every form's round trip."""

from __future__ import annotations

import html
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chandung.privacy.context import acting_as
from chandung.privacy.roles import LOCAL_OPERATOR, ROLE_PERMISSIONS
from chandung.services.consent_summary import consent_summary
from chandung.services.stores import Stores, open_stores
from chandung.web import create_app
from chandung.web.auth import route_permissions
from chandung.web.routes import admin as admin_routes
from chandung.web.routes import exports as export_routes
from chandung.workspace import Workspace

from .conftest import PASSWORD, add_users, client_as, sign_in

SECRET = re.compile(r"<code class=\"admin-secret\" data-secret>([^<]+)</code>")


@pytest.fixture(scope="module")
def demo(
    analysed_demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Workspace, dict[str, Any]]:
    """A copy of the analysed demo, with what the consent ledger says, counted here."""
    home = tmp_path_factory.mktemp("admin") / "ws"
    shutil.copytree(analysed_demo_template, home)
    workspace = Workspace.open(home)
    with open_stores(workspace) as stores, acting_as(LOCAL_OPERATOR):
        summary = consent_summary(stores, per_person=True)
        wh = stores.warehouse
        ledger = wh.table("consents").to_pyarrow().to_pylist()
        entries = Counter((e["purpose"], e["channel"] or "*", e["status"]) for e in ledger)
        person = {
            r["customer_id"]: r["person_id"]
            for r in wh.table("customer_links").to_pyarrow().to_pylist()
        }
        latest: dict[str, tuple[datetime, bool, str]] = {}
        for e in ledger:
            if e["purpose"] == "marketing" and e["channel"] == "zalo":
                who = person.get(e["customer_id"], e["customer_id"])
                key = (e["recorded_at"], e["status"] == "withdrawn", e["status"])
                if who not in latest or key[:2] > latest[who][:2]:
                    latest[who] = key
    zalo = [status for _, _, status in latest.values()]
    return workspace, {
        "summary": summary,
        "entries": entries,
        "zalo": {"given": zalo.count("given"), "withdrawn": zalo.count("withdrawn")},
    }


@pytest.fixture
def app(demo: tuple[Workspace, dict[str, Any]]) -> Iterator[TestClient]:
    with TestClient(create_app(demo[0])) as client:
        yield client


def _secret(page: str) -> str:
    found = SECRET.search(page)
    assert found, page
    return html.unescape(found.group(1))


def _signs_in(app: TestClient, username: str, password: str) -> bool:
    with TestClient(app.app) as other:
        form = other.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        data = {"username": username, "password": password, "csrf_token": token.group(1)}
        return other.post("/login", data=data, follow_redirects=False).status_code == 303


def test_admin_creates_a_user_who_can_then_sign_in(app: TestClient) -> None:
    csrf = sign_in(app, "admin")
    page = app.get("/admin")
    assert page.status_code == 200 and 'action="/admin/users"' in page.text
    assert "xem dữ liệu cá nhân không che" in page.text  # the role × permission matrix
    made = app.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "lan.nguyen", "display_name": "Nguyễn Thị Lan",
              "role": "marketer", "grants": ["personal_data.read"]},
    )  # fmt: skip
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    password = _secret(made.text)
    assert len(password) == 16
    with TestClient(app.app) as lan:
        sign_in(lan, "lan.nguyen", password)
        me = lan.get("/api/v1/me").json()
        assert me["role"] == "marketer" and "personal_data.read" in me["permissions"]
        assert lan.get("/admin").status_code == 403
    listed = {u["username"]: u for u in app.get("/api/v1/users").json()}
    assert listed["lan.nguyen"]["grants"] == ["personal_data.read"]
    assert 'data-user="lan.nguyen"' in app.get("/admin").text
    entry = app.get("/api/v1/audit?action=user.create&limit=1").json()["entries"][0]
    assert (entry["actor"], entry["target"]) == ("admin", "lan.nguyen")
    assert password not in str(entry)
    again = app.post(
        "/admin/users", data={"csrf_token": csrf, "username": "lan.nguyen", "role": "viewer"}
    )
    assert again.status_code == 422 and "lan.nguyen" in again.text


def test_role_state_and_password_round_trips(app: TestClient) -> None:
    csrf = sign_in(app, "admin")
    head = {"X-CSRF-Token": csrf}
    made = app.post("/api/v1/users", json={"username": "hoa", "role": "viewer"}, headers=head)
    assert made.status_code == 201 and made.json()["role"] == "viewer"
    password = made.json()["password"]
    with TestClient(app.app) as hoa:
        sign_in(hoa, "hoa", password)
        changed = app.post(
            "/admin/users/hoa/access",
            data={"csrf_token": csrf, "role": "analyst", "grants": ["data.export"]},
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert changed.headers["location"] == "/admin?done=changed&user=hoa"
        assert "hoa" in app.get(changed.headers["location"]).text
        assert hoa.get("/api/v1/me").status_code == 401  # the change ended her session
        sign_in(hoa, "hoa", password)
        me = hoa.get("/api/v1/me").json()
        assert me["role"] == "analyst" and "data.export" in me["permissions"]
    closed = app.post("/admin/users/hoa/state", data={"csrf_token": csrf, "change": "disable"})
    assert closed.status_code == 200 and not _signs_in(app, "hoa", password)
    app.post("/admin/users/hoa/state", data={"csrf_token": csrf, "change": "enable"})
    assert _signs_in(app, "hoa", password)
    reset = app.post("/admin/users/hoa/password", data={"csrf_token": csrf})
    assert reset.status_code == 200 and reset.headers["cache-control"] == "no-store"
    fresh = _secret(reset.text)
    assert not _signs_in(app, "hoa", password) and _signs_in(app, "hoa", fresh)
    patched = app.patch("/api/v1/users/hoa", json={"role": "marketer", "grants": []}, headers=head)
    assert patched.json()["role"] == "marketer" and patched.json()["grants"] == []
    actions = [e["action"] for e in app.get("/api/v1/audit?actor=admin&limit=20").json()["entries"]]
    assert {"user.create", "user.change", "password_change"} <= set(actions)


def test_an_api_token_works_until_it_is_revoked(app: TestClient) -> None:
    csrf = sign_in(app, "admin")
    page = app.get("/admin/tokens")
    assert page.status_code == 200 and 'action="/admin/tokens"' in page.text
    made = app.post(
        "/admin/tokens",
        data={"csrf_token": csrf, "username": "marketer", "name": "báo cáo hằng đêm",
              "scopes": ["aggregates.read", "audiences.export", "audit.read"]},
    )  # fmt: skip
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    token = _secret(made.text)
    assert token.startswith("cdt_")
    bearer = {"Authorization": f"Bearer {token}"}
    with TestClient(app.app) as script:
        me = script.get("/api/v1/me", headers=bearer)
        assert me.status_code == 200 and me.json()["username"] == "marketer"
        # Narrowed to its scopes, and never more than the user may do.
        assert me.json()["permissions"] == ["aggregates.read", "audiences.export"]
        assert script.get("/api/v1/audit", headers=bearer).status_code == 403
        listed = [t for t in app.get("/api/v1/tokens").json() if t["name"] == "báo cáo hằng đêm"]
        assert len(listed) == 1 and token not in str(listed) and not listed[0]["revoked"]
        assert listed[0]["last_used_at"] is not None
        token_id = listed[0]["id"]
        assert f'data-token="{token_id}"' in app.get("/admin/tokens").text
        revoked = app.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf})
        assert revoked.status_code == 200 and "không còn dùng được" in revoked.text
        assert script.get("/api/v1/me", headers=bearer).status_code == 401
    # The same through the API.
    head = {"X-CSRF-Token": csrf}
    made_api = app.post("/api/v1/tokens", json={"username": "viewer", "name": "api"}, headers=head)
    assert made_api.status_code == 201
    other = {"Authorization": f"Bearer {made_api.json()['token']}"}
    with TestClient(app.app) as script:
        assert script.get("/api/v1/me", headers=other).json()["username"] == "viewer"
        gone = app.delete(f"/api/v1/tokens/{made_api.json()['id']}", headers=head)
        assert gone.json() == {"id": made_api.json()["id"], "revoked": True}
        assert script.get("/api/v1/me", headers=other).status_code == 401
    assert app.delete("/api/v1/tokens/999999", headers=head).status_code == 404
    actions = {e["action"] for e in app.get("/api/v1/audit?limit=10").json()["entries"]}
    assert {"token.create", "token.revoke"} <= actions


def test_the_audit_page_lists_the_login_and_checks_the_chain(app: TestClient) -> None:
    csrf = sign_in(app, "admin")
    for n in range(50):  # more entries than one page holds
        made = {"username": "viewer", "name": f"t{n}"}
        app.post("/api/v1/tokens", json=made, headers={"X-CSRF-Token": csrf})
    page = app.get("/admin/audit")
    assert page.status_code == 200
    assert len(re.findall(r"data-entry=", page.text)) == 50
    assert re.search(
        r'data-action="login" data-actor="admin"', app.get("/admin/audit?action=login").text
    )
    logins = app.get(f"/admin/audit?action=login&actor=admin&since={date.today()}").text
    actions = set(re.findall(r'data-action="([^"]+)"', logins))
    assert actions == {"login"} and "đăng nhập" in logins
    assert "data-entry" not in app.get("/admin/audit?until=2000-01-01").text
    checked = app.get("/admin/audit?verify=true")
    assert 'data-verify="ok"' in checked.text
    verified = app.get("/api/v1/audit/verify").json()
    assert verified["ok"] is True and verified["checked"] > 4
    first = app.get("/api/v1/audit?limit=3").json()
    ids = [e["id"] for e in first["entries"]]
    assert ids == sorted(ids, reverse=True) and first["next_before"] == ids[-1]
    second = app.get(f"/api/v1/audit?limit=3&before={first['next_before']}").json()
    assert all(e["id"] < ids[-1] for e in second["entries"])
    older = re.search(r'href="(/admin/audit\?before=\d+)"', page.text)
    assert older is not None
    next_page = app.get(html.unescape(older.group(1))).text
    shown = [int(i) for i in re.findall(r'data-entry="(\d+)"', page.text)]
    assert all(int(i) < min(shown) for i in re.findall(r'data-entry="(\d+)"', next_page))
    assert 'href="/admin/audit?"' in next_page  # back to the newest


def test_audit_details_read_as_pairs_and_times_stay_on_one_line(app: TestClient) -> None:
    csrf = sign_in(app, "admin")
    made = {"username": "viewer", "name": "báo cáo"}
    app.post("/api/v1/tokens", json=made, headers={"X-CSRF-Token": csrf})
    page = app.get("/admin/audit?action=token.create").text
    row = page.split('data-action="token.create"')[1].split("</tr>")[0]
    assert '<span class="muted">name:</span> báo cáo' in row
    assert "{" not in row and '"name"' not in row  # no raw JSON
    when = re.search(
        r'<td class="admin-nowrap"><time datetime="[^"]+" title="([^"]+)">([^<]+)<', row
    )
    assert when and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", when[2])
    assert when[1].startswith(when[2]) and when[1].endswith("UTC")


def test_long_audit_details_are_shortened_with_all_of_them_a_click_away() -> None:
    entry = {
        "at": "2026-11-23T03:47:12+00:00",
        "details": {"ids": [f"C{i:07d}" for i in range(120)], "search": False, "a": 1, "b": 2.5},
    }
    shown = admin_routes._shown_entry(entry, "en")
    assert shown["when"] == "23/11/2026 03:47"
    assert shown["details_brief"][0] == ("a", "1") and len(shown["details_brief"]) == 3
    assert shown["details_more"] is True
    everything = dict(shown["details_all"])
    assert everything["search"] == "no" and everything["b"] == "2.50"
    assert (
        everything["ids"].startswith("C0000000, C0000001") and "… and 70 more" in everything["ids"]
    )
    assert admin_routes._shown_entry(entry, "vi")["details_all"][3][1] == "không"


def _consent_cells(page: str) -> dict[str, tuple[int, int]]:
    found = re.findall(
        r'data-consent="([^"]+)">.*?data-status="given">([\d.]+)<.*?'
        r'data-status="withdrawn">([\d.]+)<', page, re.S,
    )  # fmt: skip
    return {k: (int(g.replace(".", "")), int(w.replace(".", ""))) for k, g, w in found}


def test_the_consents_page_counts_like_the_ledger(
    app: TestClient, demo: tuple[Workspace, dict[str, Any]]
) -> None:
    sign_in(app, "admin")
    entries = demo[1]["entries"]
    cells = _consent_cells(app.get("/admin/consents").text)
    assert cells and set(cells) == {f"{p}:{c}" for p, c, _ in entries}
    for key, shown in cells.items():
        purpose, channel = key.split(":")
        expected = (entries[(purpose, channel, "given")], entries[(purpose, channel, "withdrawn")])
        assert shown == expected, key
    summary = demo[1]["summary"]
    people = app.get("/admin/consents?by=people").text
    assert f'data-total="people">{summary.people:,}'.replace(",", ".") in people
    cells = _consent_cells(people)
    assert len(cells) == len(summary.counts)
    for count in summary.counts:
        key = f"{count.purpose}:{count.channel or '*'}"
        assert cells[key] == (count.given, count.withdrawn), key
    zalo = next(c for c in summary.counts if (c.purpose, c.channel) == ("marketing", "zalo"))
    assert {"given": zalo.given, "withdrawn": zalo.withdrawn} == demo[1]["zalo"]
    api = app.get("/api/v1/consents/summary?by=people").json()
    assert api["entries"] == sum(entries.values()) and api["people"] == summary.people
    assert app.get("/api/v1/consents/summary").json()["people"] is None


def test_a_backup_job_completes_and_appears_in_the_list(app: TestClient) -> None:
    csrf = sign_in(app, "admin")
    empty = app.get("/admin/backups").text
    assert "data-backup=" not in empty
    started = app.post("/admin/backups", data={"csrf_token": csrf}, follow_redirects=False)
    assert started.status_code == 303
    job_id = started.headers["location"].split("job=")[1]
    running = app.get(started.headers["location"]).text
    assert f'data-job="{job_id}"' in running or 'data-job-result="done"' in running
    job = app.app.state.jobs.wait(job_id)  # type: ignore[attr-defined]
    assert job.status == "done", job.error
    name = job.result["name"]
    done = app.get(started.headers["location"]).text
    assert 'data-job-result="done"' in done and f'data-backup="{name}"' in done
    assert "data-job=" not in done
    row = re.search(rf'data-backup="{re.escape(name)}">.*?</tr>', done, re.S)
    assert row is not None and "tốt" in row.group(0)  # checked when it was made
    listed = app.get("/api/v1/backups").json()["destinations"][0]["backups"]
    assert [b["name"] for b in listed] == [name] and listed[0]["check"]["ok"] is True
    check = app.post(
        "/admin/backups/verify", data={"csrf_token": csrf, "name": name}, follow_redirects=False
    )
    verify_job = check.headers["location"].split("job=")[1]
    assert app.app.state.jobs.wait(verify_job).result["ok"] is True  # type: ignore[attr-defined]
    assert 'data-job-result="done"' in app.get(check.headers["location"]).text
    head = {"X-CSRF-Token": csrf}
    via_api = app.post("/api/v1/backups", headers=head)
    assert via_api.status_code == 202
    assert app.app.state.jobs.wait(via_api.json()["job"]).status == "done"  # type: ignore[attr-defined]
    assert len(app.get("/api/v1/backups").json()["destinations"][0]["backups"]) == 2
    for bad in ("../app.db", "/etc/passwd", "nope.cdbackup"):
        assert app.post(f"/api/v1/backups/{bad}/verify", headers=head).status_code in (404, 405)
        form = app.post("/admin/backups/verify", data={"csrf_token": csrf, "name": bad})
        assert form.status_code == 404
    actions = [e["action"] for e in app.get("/api/v1/audit?limit=10").json()["entries"]]
    assert "backup" in actions and "backup.verify" in actions


def test_settings_show_where_each_value_comes_from(
    app: TestClient, demo: tuple[Workspace, dict[str, Any]]
) -> None:
    sign_in(app, "admin")
    page = app.get("/admin/settings").text
    row = re.search(r'data-setting="workspace.name">.*?</tr>', page, re.S)
    assert row is not None and "Sen Việt" in row.group(0) and 'data-source="file"' in row.group(0)
    assert "<form" not in page.split("<main", 1)[1].split("</main>")[0]  # read-only
    config = demo[0].config_path
    before = config.read_text("utf-8")
    try:
        config.write_text(
            before.replace('llm_url = ""', 'llm_url = "https://lan:s3cret@llm.example/v1"'),
            "utf-8",
        )
        changed = app.get("/admin/settings").text
        assert "s3cret" not in changed and "https://lan:***@llm.example/v1" in changed
        assert "khởi động lại" in changed
        values = {v["key"]: v for v in app.get("/api/v1/settings").json()}
        assert values["personas.llm_url"]["pending"] == "https://lan:***@llm.example/v1"
        assert values["security.key_env"]["env_set"] is False
    finally:
        config.write_text(before, "utf-8")


def test_each_person_changes_their_own_password(app: TestClient) -> None:
    admin_csrf = sign_in(app, "admin")
    made = app.post(
        "/api/v1/users", json={"username": "minh", "role": "viewer", "password": PASSWORD},
        headers={"X-CSRF-Token": admin_csrf},
    )  # fmt: skip
    assert made.status_code == 201 and made.json()["password"] is None
    csrf = sign_in(app, "minh")
    page = app.get("/account")
    assert page.status_code == 200 and "data-username>minh<" in page.text
    new = "một câu dài dễ nhớ"

    def change(current: str, first: str, second: str) -> Any:
        data = {"csrf_token": csrf, "current": current, "new": first, "repeat": second}
        return app.post("/account/password", data=data, follow_redirects=False)

    assert change(PASSWORD, new, new + "!").status_code == 422
    wrong = change("not my password", new, new)
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng" in wrong.text
    assert change(PASSWORD, "aaaaaaaaaaaa", "aaaaaaaaaaaa").status_code == 422
    done = change(PASSWORD, new, new)
    assert done.status_code == 303 and done.headers["location"] == "/account?changed=true"
    assert "chandung_session=" in done.headers["set-cookie"]  # this browser stays signed in
    after = app.get(done.headers["location"])
    assert after.status_code == 200 and "Đã đổi mật khẩu" in after.text
    assert not _signs_in(app, "minh", PASSWORD) and _signs_in(app, "minh", new)
    sign_in(app, "admin")
    entry = app.get("/api/v1/audit?action=password_change&limit=1").json()["entries"][0]
    assert (entry["actor"], entry["target"]) == ("minh", "minh")


def test_forms_need_the_csrf_token(app: TestClient) -> None:
    sign_in(app, "admin")
    for path, data in (
        ("/admin/users", {"username": "x", "role": "viewer"}),
        ("/admin/tokens", {"username": "viewer", "name": "x"}),
        ("/admin/backups", {}),
        ("/admin/users/viewer/state", {"change": "disable"}),
    ):
        assert app.post(path, data=data).status_code == 403, path
        assert app.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert app.get("/api/v1/users").json()  # still signed in, nothing changed
    assert all(u["active"] for u in app.get("/api/v1/users").json())


def test_an_empty_workspace_renders_every_admin_page(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        add_users(stores)
    with client_as(workspace, "admin") as (client, _):
        for path in ("/admin", "/admin/tokens", "/admin/audit", "/admin/consents",
                     "/admin/backups", "/admin/settings", "/account"):  # fmt: skip
            assert client.get(path).status_code == 200, path
        assert "chandung consent record" in client.get("/admin/consents").text
        assert client.get("/api/v1/consents/summary").json()["entries"] == 0


@pytest.mark.parametrize("role", ["admin", "analyst", "marketer", "viewer"])
def test_each_role_gets_the_admin_and_export_pages_it_may_see(
    tiny_business: Stores, role: str
) -> None:
    add_users(tiny_business)
    workspace = tiny_business.workspace
    tiny_business.close()
    # The routes of these two modules (the app nests included routers).
    routes = [*admin_routes.router.routes, *export_routes.router.routes]
    mine = {
        (path, permission)
        for (method, path), permission in route_permissions(routes).items()
        if method == "GET" and "{" not in path
    }
    assert len(mine) == 16
    with client_as(workspace, role) as (client, _):
        for path, permission in sorted(mine):
            allowed = permission is None or permission in ROLE_PERMISSIONS[role]
            status = client.get(path, follow_redirects=False).status_code
            assert status == (200 if allowed else 403), (role, path, status)
