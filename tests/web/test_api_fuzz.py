"""The REST API fuzzed from its own OpenAPI document: no input makes the server fail.

Schemathesis generates requests for every operation of ``/api/v1/openapi.json`` (valid ones
and ones that break the schema), sent with an administrator's API token, so every route is
reached past its permission check; the only property asserted is the one people rely on
first: the answer is never a server error, and errors come back as JSON.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from chandung.services.stores import open_stores
from chandung.services.users import create_token
from chandung.web import create_app
from chandung.workspace import Workspace

#: Operations that start a long background task (an import, the analysis, a segmentation,
#: persona generation, a backup): each fuzzed call would queue minutes of work. Their inputs
#: are checked by their own tests; here they are called with valid inputs once each, elsewhere.
LONG_TASKS = (
    r"^/api/v1/(imports|analysis|backups|backups/[^/]+/verify|segments/auto|personas/generate)$"
)
#: Revoking tokens by id would revoke the fuzzer's own token (ids are small integers, which the
#: fuzzer tries first); revocation has its own tests.
OWN_CREDENTIALS = r"^/api/v1/tokens/"


@pytest.fixture(scope="module")
def fuzzed_app(
    analysed_demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, str]]:
    home = tmp_path_factory.mktemp("fuzz") / "ws"
    shutil.copytree(analysed_demo_template, home)
    workspace = Workspace.open(home)
    with open_stores(workspace) as stores:
        from chandung.privacy.context import acting_as
        from chandung.privacy.roles import LOCAL_OPERATOR

        with acting_as(LOCAL_OPERATOR):
            _, token = create_token(stores, "admin", "fuzz")
    app = create_app(workspace)
    yield app, token
    app.state.jobs.close()
    app.state.holder.close()


def _operations(app: FastAPI, token: str) -> list[Any]:
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", app, headers={"Authorization": f"Bearer {token}"}
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    return [
        op
        for op in operations
        if not (op.method.upper() == "POST" and re.match(LONG_TASKS, op.path))
    ]


def test_no_input_makes_the_server_fail(fuzzed_app: tuple[FastAPI, str]) -> None:
    app, token = fuzzed_app
    auth = {"Authorization": f"Bearer {token}"}
    operations = _operations(app, token)
    assert len(operations) >= 30  # every capability has its resources
    failures: list[str] = []
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    for mode, operation in ((m, o) for m in modes for o in operations):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)  # fmt: skip
        def call(case: Any) -> None:
            response = case.call(headers=auth)
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, (where, response.text[:300])
            if response.status_code >= 400:
                kind = response.headers.get("content-type") or [""]
                kind = kind[0] if isinstance(kind, list) else kind
                assert kind.startswith("application/json"), (where, response.text[:300])

        try:
            call()
        except AssertionError as failure:
            failures.append(str(failure)[:600])
        except Unsatisfiable:
            # Nothing to break: the operation takes no input (negative mode only).
            assert mode == GenerationMode.NEGATIVE
    assert failures == []
