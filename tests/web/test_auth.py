"""Sign-in, sessions, CSRF, lock-out, API tokens, and the role × route matrix."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from chandung.privacy.roles import ROLE_PERMISSIONS
from chandung.services.stores import Stores, open_stores
from chandung.services.users import change_user, create_token, revoke_token
from chandung.web import create_app
from chandung.web.auth import PUBLIC_PATHS, SESSION_COOKIE, flat_routes, route_permissions
from chandung.workspace import Workspace

from .conftest import PASSWORD, ROLES, add_users, sign_in


@pytest.fixture
def workspace_with_users(tiny_business: Stores) -> Iterator[Workspace]:
    from tests.conftest import rows

    people = rows(
        "customers",
        [
            {
                "customer_id": "C9",
                "full_name": "Nguyễn Thị Lan",
                "name_key": "nguyen thi lan",
                "email": "lan.nguyen@example.vn",
            }
        ],
    )
    tiny_business.warehouse.append("customers", people)
    add_users(tiny_business)
    ws = tiny_business.workspace
    tiny_business.close()
    yield ws


@pytest.fixture
def app_client(workspace_with_users: Workspace) -> Iterator[TestClient]:
    with TestClient(create_app(workspace_with_users)) as c:
        yield c


def test_anonymous_pages_redirect_and_api_says_401(app_client: TestClient) -> None:
    page = app_client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/"
    api = app_client.get("/api/v1/customers?lang=en")
    assert api.status_code == 401 and api.json()["error"] == "auth.required"
    assert "Nguyễn" not in api.text
    assert app_client.get("/healthz").status_code == 200


def test_every_route_is_guarded_by_one_permission(workspace_with_users: Workspace) -> None:
    app = create_app(workspace_with_users)
    guarded = route_permissions(app.routes)
    for route in flat_routes(app.routes):
        if isinstance(route, APIRoute) and route.path not in PUBLIC_PATHS:
            for method in route.methods:
                assert (method, route.path) in guarded, (method, route.path)


@pytest.mark.parametrize("role", ROLES)
def test_role_route_matrix(workspace_with_users: Workspace, role: str) -> None:
    app = create_app(workspace_with_users)
    guarded = route_permissions(app.routes)
    with TestClient(app) as client:
        sign_in(client, role)
        for (method, path), permission in sorted(guarded.items()):
            if method != "GET":
                continue
            allowed = permission is None or permission in ROLE_PERMISSIONS[role]
            status = client.get(path, follow_redirects=False).status_code
            if "{" in path:  # a placeholder id: allowed callers get "not found", never 401/403
                assert status in ((404, 422) if allowed else (403,)), (role, path, status)
            else:
                assert status == (200 if allowed else 403), (role, path, permission, status)


def test_personal_data_is_masked_unless_granted(workspace_with_users: Workspace) -> None:
    app = create_app(workspace_with_users)
    with TestClient(app) as client:
        sign_in(client, "analyst")
        masked = client.get("/api/v1/customers?search=lan").json()["customers"]
        assert masked[0]["full_name"] == "Nguyễn T. L." and masked[0]["email"] == "l***@e***.vn"
    with open_stores(workspace_with_users) as stores:
        change_user(stores, "analyst", grants=["personal_data.read"])
    with TestClient(app) as client:
        sign_in(client, "analyst")
        plain = client.get("/api/v1/customers?search=lan").json()["customers"]
        assert (
            plain[0]["full_name"] == "Nguyễn Thị Lan"
            and plain[0]["email"] == "lan.nguyen@example.vn"
        )
    with TestClient(app) as client:
        sign_in(client, "admin")
        assert client.get("/api/v1/customers?search=lan").json()["customers"][0]["full_name"] == (
            "Nguyễn Thị Lan"
        )


def test_state_changing_requests_need_the_csrf_token(app_client: TestClient) -> None:
    csrf = sign_in(app_client, "viewer")
    refused = app_client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    wrong = app_client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert app_client.get("/", follow_redirects=False).status_code == 200  # still signed in
    done = app_client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert app_client.get("/", follow_redirects=False).status_code == 303  # signed out


def test_login_form_needs_its_csrf_token(app_client: TestClient) -> None:
    r = app_client.post(
        "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "x"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 403 and SESSION_COOKIE not in r.headers.get("set-cookie", "")


def _attempt(client: TestClient, username: str, password: str) -> int:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    data = {"username": username, "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=data, follow_redirects=False).status_code


def test_repeated_failures_lock_the_account(workspace_with_users: Workspace) -> None:
    with TestClient(create_app(workspace_with_users)) as client:
        for _ in range(5):
            assert _attempt(client, "marketer", "wrong password!") == 401
        # Locked: even the right password is refused, with the same message.
        assert _attempt(client, "marketer", PASSWORD) == 401
        assert _attempt(client, "analyst", PASSWORD) == 303  # others are not affected
    with open_stores(workspace_with_users) as stores:
        change_user(stores, "marketer", unlock=True)
    with TestClient(create_app(workspace_with_users)) as client:
        assert _attempt(client, "marketer", PASSWORD) == 303


def test_unknown_user_and_wrong_password_look_the_same(app_client: TestClient) -> None:
    def message(username: str) -> str:
        form = app_client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        data = {"username": username, "password": "nope nope nope", "csrf_token": token.group(1)}
        html = app_client.post("/login", data=data).text
        found = re.search(r'role="alert">([^<]+)<', html)
        assert found
        return found.group(1)

    assert message("nobody") == message("viewer")


def test_a_planted_session_id_is_replaced_at_sign_in(app_client: TestClient) -> None:
    app_client.cookies.set(SESSION_COOKIE, "planted-by-attacker")
    form = app_client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    r = app_client.post(
        "/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )  # fmt: skip
    issued = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "planted-by-attacker" not in issued
    with TestClient(app_client.app) as attacker:
        attacker.cookies.set(SESSION_COOKIE, "planted-by-attacker")
        assert attacker.get("/", follow_redirects=False).status_code == 303


def test_session_cookie_is_http_only_and_same_site(workspace_with_users: Workspace) -> None:
    with TestClient(create_app(workspace_with_users)) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        data = {"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)}
        r = client.post("/login", data=data, follow_redirects=False)
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_redirect_after_sign_in_stays_on_this_site(app_client: TestClient) -> None:
    form = app_client.get("/login?next=//evil.example/x").text
    assert 'name="next" value="/"' in form


def test_api_tokens_act_as_their_user_within_their_scopes(workspace_with_users: Workspace) -> None:
    with open_stores(workspace_with_users) as stores:
        _, full = create_token(stores, "analyst", "script")
        scoped_id, scoped = create_token(stores, "analyst", "figures only", ["aggregates.read"])
    with TestClient(create_app(workspace_with_users)) as client:
        bearer = {"Authorization": f"Bearer {full}"}
        assert client.get("/api/v1/customers", headers=bearer).status_code == 200
        narrow = {"Authorization": f"Bearer {scoped}"}
        assert client.get("/api/v1/overview", headers=narrow).status_code == 200
        assert client.get("/api/v1/customers", headers=narrow).status_code == 403
        bad = {"Authorization": "Bearer cdt_not-a-token"}
        assert client.get("/api/v1/overview", headers=bad).status_code == 401
    with open_stores(workspace_with_users) as stores:
        revoke_token(stores, scoped_id)
    with TestClient(create_app(workspace_with_users)) as client:
        assert client.get("/api/v1/overview", headers=narrow).status_code == 401


def test_too_many_sign_in_attempts_from_one_address(app_client: TestClient) -> None:
    codes = [_attempt(app_client, "nobody", "wrong wrong wrong") for _ in range(21)]
    assert codes[:20] == [401] * 20 and codes[20] == 429
