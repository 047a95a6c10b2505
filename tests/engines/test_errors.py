"""An engine that cannot be reached, or lacks what a step needs, gives one clear error.

The error names the engine, the step and what to configure; nothing falls back to another
engine.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import ibis
import pytest
from typer.testing import CliRunner

from chandung.cli import app
from chandung.errors import EngineCapabilityError, StoreError
from chandung.services.stores import open_stores
from chandung.store import Warehouse
from chandung.workspace import Workspace

from .conftest import PostgresDatabases, engine_workspace, postgres_server, run_on_server


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _point_at(workspace: Workspace, *, warehouse: str = "", app_database: str = "") -> Workspace:
    settings = workspace.settings.model_copy(deep=True)
    settings.warehouse.url = warehouse
    settings.app_database.url = app_database
    return workspace.save_settings(settings)


def test_unreachable_warehouse_names_engine_step_and_setting(closed_port: int) -> None:
    url = f"postgres://analyst:secret@127.0.0.1:{closed_port}/crm"
    with pytest.raises(StoreError) as caught:
        Warehouse.connect(url)
    error = caught.value
    assert error.code == "engine.unreachable"
    english = error.render("en")
    assert "PostgreSQL warehouse" in english and "while opening it" in english
    assert "`[warehouse] url`" in english
    assert "secret" not in english and f"analyst:***@127.0.0.1:{closed_port}" in english
    vietnamese = error.render("vi")
    assert "PostgreSQL" in vietnamese and "khi mở kho" in vietnamese
    assert "`[warehouse] url`" in vietnamese


def test_unreachable_app_database_names_its_setting(tmp_path: Path, closed_port: int) -> None:
    workspace = _point_at(
        Workspace.open(tmp_path / "ws"),
        app_database=f"postgresql+psycopg://analyst@127.0.0.1:{closed_port}/app",
    )
    with pytest.raises(StoreError) as caught, open_stores(workspace):
        pass
    assert caught.value.code == "engine.app_unreachable"
    english = caught.value.render("en")
    assert "PostgreSQL app database" in english and "`[app_database] url`" in english


def test_the_command_line_says_it_in_one_line(tmp_path: Path, closed_port: int) -> None:
    home = tmp_path / "ws"
    _point_at(Workspace.open(home), warehouse=f"postgres://analyst@127.0.0.1:{closed_port}/crm")
    result = CliRunner().invoke(app, ["--lang", "en", "analyze", "--home", str(home)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: cannot reach the PostgreSQL warehouse")
    assert "Traceback" not in result.output


def test_an_operation_the_engine_lacks_names_engine_and_step(tmp_path: Path) -> None:
    # Ibis cannot write the authority of a URL for DuckDB: the step fails with one
    # capability error.
    with open_stores(Workspace.open(tmp_path / "ws")) as stores:
        table = ibis.memtable({"x": ["https://shop.example/p?id=1"]})
        with pytest.raises(EngineCapabilityError) as caught, stores.warehouse.step("value"):
            stores.warehouse.backend.execute(table.x.authority())
    english = caught.value.render("en")
    assert "DuckDB warehouse" in english and "scoring the value of every customer" in english
    assert "`[warehouse] url`" in english


@pytest.fixture
def postgres_warehouse(
    tmp_path: Path, request: pytest.FixtureRequest, postgres_databases: PostgresDatabases
) -> Iterator[Warehouse]:
    workspace = engine_workspace("postgres", tmp_path / "ws", request)
    with open_stores(workspace) as stores:
        yield stores.warehouse


def test_a_function_postgresql_lacks_is_a_capability_error(
    postgres_warehouse: Warehouse,
) -> None:
    table = postgres_warehouse.table("customers")
    first = table.aggregate(name=table.customer_id.first(order_by=table.customer_id))
    with pytest.raises(EngineCapabilityError) as caught, postgres_warehouse.step("identities"):
        first.to_pyarrow()
    english = caught.value.render("en")
    assert "PostgreSQL warehouse" in english and "resolving identities" in english


def test_a_server_going_away_mid_step_names_engine_and_step(
    postgres_warehouse: Warehouse,
) -> None:
    con = postgres_warehouse.backend.con
    pid = int(con.execute("SELECT pg_backend_pid()").fetchone()[0])
    run_on_server(postgres_server(), f"SELECT pg_terminate_backend({pid})")
    with pytest.raises(StoreError) as caught, postgres_warehouse.step("segment_auto"):
        postgres_warehouse.table("customers").count().to_pyarrow()
    assert caught.value.code == "engine.failed"
    english = caught.value.render("en")
    assert "PostgreSQL warehouse" in english and "finding segments automatically" in english
