"""Attacks against the app as it is served (uvicorn on a local port), refused without data.

Unauthenticated access to every route, privilege escalation between roles, session fixation,
malformed and oversized requests, and path traversal through the static files.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx2
import pytest
import uvicorn

from chandung.services.stores import Stores
from chandung.services.users import create_token
from chandung.web import create_app
from chandung.web.auth import SESSION_COOKIE, route_permissions
from tests.conftest import rows
from tests.web.conftest import PASSWORD, add_users

SECRET_NAME = "Nguyễn Thị Bí Mật"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tiny_business: Stores) -> Iterator[tuple[str, object, dict[str, str]]]:
    tiny_business.warehouse.append(
        "customers",
        rows("customers", [{"customer_id": "C99", "full_name": SECRET_NAME,
                            "name_key": "nguyen thi bi mat", "email": "bimat@example.vn"}]),
    )  # fmt: skip
    add_users(tiny_business)
    tokens = {role: create_token(tiny_business, role, "t")[1] for role in ("viewer", "analyst")}
    ws = tiny_business.workspace
    tiny_business.close()
    app = create_app(ws)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app, tokens
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _sign_in(client: httpx2.Client, username: str) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    data = {"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=data).status_code == 303


def test_no_route_answers_an_anonymous_caller(served: tuple[str, object, dict[str, str]]) -> None:
    url, app, _ = served
    guarded = route_permissions(app.routes)  # type: ignore[attr-defined]
    assert guarded
    with httpx2.Client(base_url=url, follow_redirects=False) as client:
        for method, path in guarded:
            r = client.request(method, path)
            assert r.status_code in (303, 401, 403), (method, path, r.status_code)
            assert SECRET_NAME not in r.text and "bimat" not in r.text
            if path.startswith("/api/"):
                assert r.headers["content-type"].startswith("application/json")


def test_a_lower_role_cannot_reach_higher_data(served: tuple[str, object, dict[str, str]]) -> None:
    url, _, tokens = served
    with httpx2.Client(base_url=url, follow_redirects=False) as client:
        _sign_in(client, "viewer")
        for headers in ({}, {"X-Role": "admin"}, {"X-Forwarded-User": "admin"}):
            r = client.get("/api/v1/customers", headers=headers)
            assert r.status_code == 403 and SECRET_NAME not in r.text
        assert client.get("/api/v1/me").json()["role"] == "viewer"
    with httpx2.Client(base_url=url) as client:
        viewer = {"Authorization": f"Bearer {tokens['viewer']}"}
        assert client.get("/api/v1/customers", headers=viewer).status_code == 403
        analyst = {"Authorization": f"Bearer {tokens['analyst']}"}
        masked = client.get("/api/v1/customers?search=bi mat", headers=analyst).json()
        assert masked["customers"] and SECRET_NAME not in str(masked)


def test_a_planted_session_is_useless(served: tuple[str, object, dict[str, str]]) -> None:
    url, _, _ = served
    with httpx2.Client(base_url=url, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, "attacker-chosen-id")
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        data = {"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)}
        r = client.post("/login", data=data)
        issued = [c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)]
        assert issued and "attacker-chosen-id" not in issued[0]
    with httpx2.Client(base_url=url, follow_redirects=False) as attacker:
        attacker.cookies.set(SESSION_COOKIE, "attacker-chosen-id")
        assert attacker.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", f"username={'a' * 100_000}&password=x&csrf_token=y"),
        ("application/json", '{"username": "admin", "password": "x"}'),
        ("application/x-www-form-urlencoded", "%%%&&&=\x00\x01"),
        ("multipart/form-data; boundary=nope", "--nope\r\ngarbage"),
    ],
)  # fmt: skip
def test_malformed_and_oversized_sign_ins_are_refused_cleanly(
    served: tuple[str, object, dict[str, str]], content_type: str, body: str
) -> None:
    url, _, _ = served
    with httpx2.Client(base_url=url, follow_redirects=False) as client:
        r = client.post("/login", content=body.encode(), headers={"content-type": content_type})
    assert 400 <= r.status_code < 500, r.status_code
    assert "Traceback" not in r.text and SESSION_COOKIE not in r.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../config.toml",
        "/static/%2e%2e/%2e%2e/config.toml",
        "/static/..%2fapp.db",
        "/static/%2e%2e%2fkeys/workspace.key",
        "/static/....//config.toml",
    ],
)
def test_no_file_outside_the_static_folder_is_served(
    served: tuple[str, object, dict[str, str]], path: str
) -> None:
    url, _, _ = served
    with httpx2.Client(base_url=url, follow_redirects=False) as client:
        r = client.get(path)
    assert r.status_code in (303, 400, 401, 404), r.status_code
    assert "[workspace]" not in r.text and "SQLite format" not in r.text
