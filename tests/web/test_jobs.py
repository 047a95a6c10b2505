"""Long tasks: they run in the background, pages say "busy" instead of hanging while one holds
the warehouse, signing in never waits, and only the person who started a task follows it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chandung.errors import InputError
from chandung.privacy.context import current_principal
from chandung.services.stores import Stores, open_stores
from chandung.workspace import Workspace

from .conftest import add_users, client_as, sign_in


@pytest.fixture
def workspace_with_users(workspace: Workspace) -> Workspace:
    with open_stores(workspace) as stores:
        add_users(stores)
    return workspace


def test_a_long_task_reports_progress_and_its_result(workspace_with_users: Workspace) -> None:
    release = threading.Event()
    seen: dict[str, Any] = {}

    def task(stores: Stores, progress: Any) -> dict[str, Any]:
        seen["actor"] = current_principal().username
        progress(1, 4)
        release.wait(30)
        return {"rows": stores.warehouse.counts()["customers"]}

    with client_as(workspace_with_users, "analyst") as (client, _):
        app = client.app
        job = app.state.jobs.submit("test", _principal(client), task)  # type: ignore[attr-defined]
        running = _poll_until(client, job.id, lambda j: j["done"] == 1)
        assert running["status"] == "running" and running["total"] == 4
        # While the task holds the warehouse, a page answers "busy" rather than hanging ...
        app.state.holder.wait_seconds = 0.2  # type: ignore[attr-defined]
        busy = client.get("/", headers={"Accept": "text/html"})
        assert busy.status_code == 503 and "đang dùng dữ liệu" in busy.text
        assert client.get("/api/v1/overview").json()["error"] == "web.busy"
        # ... and signing in does not wait for it.
        other = TestClient(app)  # a second browser on the same app (no second start-up)
        sign_in(other, "viewer")
        assert other.get("/api/v1/me").json()["username"] == "viewer"
        release.set()
        finished = app.state.jobs.wait(job.id)  # type: ignore[attr-defined]
        assert finished.status == "done" and finished.result == {"rows": 0}
        assert client.get(f"/api/v1/jobs/{job.id}").json()["result"] == {"rows": 0}
    assert seen["actor"] == "analyst"  # the task acted as the person who started it


def test_a_failed_task_says_why_and_only_its_owner_sees_it(
    workspace_with_users: Workspace,
) -> None:
    def task(stores: Stores, progress: Any) -> dict[str, Any]:
        raise InputError("input.kind", value="x", kinds="customers")

    with client_as(workspace_with_users, "analyst") as (client, _):
        jobs = client.app.state.jobs  # type: ignore[attr-defined]
        job = jobs.submit("test", _principal(client), task)
        assert jobs.wait(job.id).status == "failed"
        answer = client.get(f"/api/v1/jobs/{job.id}?lang=en").json()
        assert answer["status"] == "failed" and answer["error"]["error"] == "input.kind"
        assert "customers" in answer["error"]["message"]
        sign_in(client, "marketer")
        assert client.get(f"/api/v1/jobs/{job.id}").status_code == 404
        sign_in(client, "admin")  # an administrator may follow anyone's task
        assert client.get(f"/api/v1/jobs/{job.id}").json()["status"] == "failed"


def _principal(client: Any) -> Any:
    from chandung.services.users import session_principal
    from chandung.web.auth import SESSION_COOKIE

    with client.app.state.holder.use_accounts() as stores:
        found = session_principal(stores, client.cookies.get(SESSION_COOKIE))
    assert found is not None
    return found[0]


def _poll_until(client: Any, job_id: str, done: Any) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + 20
    while True:
        answer: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if done(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)
