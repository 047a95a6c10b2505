"""Signing in from tests: users of every role, and a client that signs in through the form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient

from chandung.services.stores import Stores
from chandung.services.users import create_user
from chandung.web import create_app
from chandung.workspace import Workspace

PASSWORD = "correct horse battery"
ROLES = ("admin", "analyst", "marketer", "viewer")


def add_users(stores: Stores) -> None:
    """One user per role, named after it, with :data:`PASSWORD`."""
    for role in ROLES:
        create_user(stores, role, role, PASSWORD, check_permission=False)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the CSRF token of the new session's pages."""
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, form
    r = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get("/").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


@contextmanager
def client_as(workspace: Workspace, role: str) -> Iterator[tuple[TestClient, str]]:
    """A client of a fresh app over ``workspace``, signed in as the user named ``role``
    (as made by :func:`add_users` or the ``analysed_demo`` fixture); yields it with the CSRF
    token of its session."""
    with TestClient(create_app(workspace)) as client:
        yield client, sign_in(client, role)
