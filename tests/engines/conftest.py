"""Workspaces on each warehouse engine, for the engine suite.

DuckDB always runs. PostgreSQL runs when ``CHANDUNG_TEST_POSTGRES_URL`` names a server
(``postgres://user@host:port/``): the suite creates a fresh warehouse and app database on it
for the session and drops them afterwards. Without it the PostgreSQL cases skip, except in CI
(``CI=true``), where a missing server is a failure: CI starts one (``.ci/run``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from chandung.workspace import Workspace

ENGINES = ("duckdb", "postgres")
SERVER_VARIABLE = "CHANDUNG_TEST_POSTGRES_URL"
NO_SERVER = f"set {SERVER_VARIABLE} to run the engine suite on PostgreSQL; CI starts a server"
#: The longest one statement may run on the test server: a runaway query fails the test
#: instead of holding the server (milliseconds).
STATEMENT_TIMEOUT_MS = 300_000


@dataclass(frozen=True)
class PostgresDatabases:
    """The two databases of a session on the test server."""

    warehouse_url: str
    app_url: str


def postgres_server() -> str:
    """The test server's URL; skips (fails in CI) when none is configured."""
    url = os.environ.get(SERVER_VARIABLE, "").strip()
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{NO_SERVER} (CI=true: the PostgreSQL cases must run, not skip)")
    pytest.skip(NO_SERVER)


def _with_database(server: str, database: str, scheme: str | None = None) -> str:
    parts = urlsplit(server)
    return urlunsplit((scheme or parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def run_on_server(server: str, statement: str) -> None:
    """Run ``statement`` on the test server, outside any test database."""
    import psycopg

    with psycopg.connect(_with_database(server, "postgres", "postgresql"), autocommit=True) as con:
        con.execute(statement)


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """A fresh warehouse and app database on the test server, dropped after the session."""
    server = postgres_server()
    prefix = f"chandung_test_{uuid.uuid4().hex[:8]}"
    names = (f"{prefix}_wh", f"{prefix}_app")
    previous = os.environ.get("PGOPTIONS")
    os.environ["PGOPTIONS"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    try:
        for name in names:
            run_on_server(server, f'CREATE DATABASE "{name}"')
        yield PostgresDatabases(
            warehouse_url=_with_database(server, names[0], "postgres"),
            app_url=_with_database(server, names[1], "postgresql+psycopg"),
        )
    finally:
        for name in names:
            run_on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if previous is None:
            os.environ.pop("PGOPTIONS", None)
        else:
            os.environ["PGOPTIONS"] = previous


def engine_workspace(engine: str, home: Path, request: pytest.FixtureRequest) -> Workspace:
    """A new workspace at ``home`` whose warehouse and app database are on ``engine``."""
    workspace = Workspace.open(home)
    if engine == "duckdb":
        return workspace
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    settings = workspace.settings.model_copy(deep=True)
    settings.warehouse.url = databases.warehouse_url
    settings.app_database.url = databases.app_url
    return workspace.save_settings(settings)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The name of each engine in turn (PostgreSQL only with a server, see the module)."""
    name: str = request.param
    if name == "postgres":
        postgres_server()
    return name
