"""Workspaces on each warehouse engine, for the engine suite.

DuckDB always runs. PostgreSQL runs when ``CHANDUNG_TEST_POSTGRES_URL`` names a server
(``postgres://user@host:port/``): the suite creates a fresh warehouse and app database on it
for the session and drops them afterwards. Spark runs when PySpark and Java are installed, in
local mode with one Spark context for the whole session; its workspaces read their canonical
tables from Parquet files. Without a server, or without PySpark or Java, those cases skip,
except in CI (``CI=true``), where it is a failure: CI has PySpark and Java, and starts a
PostgreSQL server (``.ci/run``).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from chandung.store.spark import JAVA_MAJOR, java_executable, java_major
from chandung.workspace import Workspace

ENGINES = ("duckdb", "postgres", "spark")
SERVER_VARIABLE = "CHANDUNG_TEST_POSTGRES_URL"
NO_SERVER = f"set {SERVER_VARIABLE} to run the engine suite on PostgreSQL; CI starts a server"
#: The longest one statement may run on the test server: a runaway query fails the test
#: instead of holding the server (milliseconds).
STATEMENT_TIMEOUT_MS = 300_000
#: Spark in local mode, sized for small data on a small machine: two cores, two partitions
#: after a shuffle, no adaptive re-planning and no generated code (each costs more than it
#: saves on a few thousand rows), and a JVM that compiles quickly rather than well (the
#: session is short).
SPARK_MASTER = "local[2]"
SPARK_OPTIONS = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
}


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


@functools.cache
def _spark_missing() -> str:
    """What Spark lacks on this machine (empty: nothing)."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (`pip install 'chandung[spark]'`)"
    if (java := java_executable()) is None:
        return f"no Java runtime was found (Spark needs Java {JAVA_MAJOR} or later)"
    if (java_major(java) or 0) < JAVA_MAJOR:
        return f"{java} is older than Java {JAVA_MAJOR}"
    return ""


def require_spark() -> None:
    """Skip (fail in CI) unless PySpark and a Java runtime Spark can use are installed."""
    missing = _spark_missing()
    if not missing:
        return
    message = f"the engine suite runs on Spark only with PySpark and Java: {missing}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the Spark cases must run, not skip)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def spark_context() -> Iterator[None]:
    """Stops the process's Spark context, if one was started, once the session ends."""
    yield
    if importlib.util.find_spec("pyspark") is not None:
        from pyspark import SparkContext

        if SparkContext._active_spark_context is not None:
            SparkContext._active_spark_context.stop()


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


def engine_workspace(
    engine: str, home: Path, request: pytest.FixtureRequest, tables: Path | None = None
) -> Workspace:
    """A new workspace at ``home`` whose warehouse (and app database) are on ``engine``; on
    Spark, with its canonical tables read from the folder ``tables``."""
    workspace = Workspace.open(home)
    if engine == "duckdb":
        return workspace
    settings = workspace.settings.model_copy(deep=True)
    if engine == "spark":
        require_spark()
        request.getfixturevalue("spark_context")
        settings.warehouse.url = "pyspark://"
        settings.spark.master = SPARK_MASTER
        settings.spark.options = dict(SPARK_OPTIONS)
        if tables is not None:
            settings.spark.tables_dir = str(tables)
        return workspace.save_settings(settings)
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    settings.warehouse.url = databases.warehouse_url
    settings.app_database.url = databases.app_url
    return workspace.save_settings(settings)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The name of each engine in turn (PostgreSQL only with a server, Spark only with
    PySpark and Java; see the module)."""
    name: str = request.param
    if name == "postgres":
        postgres_server()
    elif name == "spark":
        require_spark()
    return name
