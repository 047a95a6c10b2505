"""An engine that cannot be reached, or lacks what a step needs, gives one clear error.

The error names the engine, the step and what to configure; nothing falls back to another
engine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from chandung.cli import app
from chandung.errors import EngineCapabilityError, StoreError
from chandung.schema import TABLES
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


# -- Spark -------------------------------------------------------------------------------------


def _empty_tables(folder: Path) -> Path:
    """A folder of every canonical table as an empty Parquet file."""
    folder.mkdir(parents=True, exist_ok=True)
    for spec in TABLES:
        pq.write_table(spec.arrow_schema().empty_table(), folder / f"{spec.name}.parquet")
    return folder


@pytest.fixture
def spark_workspace(tmp_path: Path, request: pytest.FixtureRequest) -> Workspace:
    """A workspace on Spark whose canonical tables are empty Parquet files."""
    tables = _empty_tables(tmp_path / "tables")
    return engine_workspace("spark", tmp_path / "ws", request, tables=tables)


@pytest.fixture
def spark_warehouse(spark_workspace: Workspace) -> Iterator[Warehouse]:
    with open_stores(spark_workspace) as stores:
        yield stores.warehouse


def _spark_error(workspace: Workspace) -> StoreError:
    with pytest.raises(StoreError) as caught, open_stores(workspace):
        pass
    return caught.value


def test_spark_without_pyspark_names_the_extra(
    spark_workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PySpark (and Ibis's backend for it) cannot be imported.
    monkeypatch.setitem(sys.modules, "chandung.store.spark_backend", None)
    error = _spark_error(spark_workspace)
    assert error.code == "engine.spark_missing"
    english = error.render("en")
    assert "Spark warehouse needs PySpark" in english and "while opening it" in english
    assert "pip install 'chandung[spark]'" in english
    assert "pip install 'chandung[spark]'" in error.render("vi")


def _no_running_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if no Spark context ran in this process yet (the suite's own keeps running)."""
    from pyspark import SparkContext

    monkeypatch.setattr(SparkContext, "_active_spark_context", None)


def test_spark_without_java_says_what_to_install(
    spark_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_running_context(monkeypatch)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java"))
    error = _spark_error(spark_workspace)
    assert error.code == "engine.spark_no_java"
    english = error.render("en")
    assert "needs Java 17 or later while opening it" in english and "JAVA_HOME" in english
    assert "JAVA_HOME" in error.render("vi")


def _fake_java(folder: Path, version: str) -> Path:
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2024-01-16' >&2\n")
    java.chmod(0o755)
    return folder


def _gateway_exits(monkeypatch: pytest.MonkeyPatch) -> None:
    """PySpark failing to start its JVM, as it does when Java cannot run Spark."""
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession

    def exits(self: object) -> None:
        raise PySparkRuntimeError(errorClass="JAVA_GATEWAY_EXITED", messageParameters={})

    monkeypatch.setattr(SparkSession.Builder, "getOrCreate", exits)


def test_spark_on_old_java_names_the_version(
    spark_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_running_context(monkeypatch)
    monkeypatch.setenv("JAVA_HOME", str(_fake_java(tmp_path / "jdk", "11.0.22")))
    _gateway_exits(monkeypatch)
    error = _spark_error(spark_workspace)
    assert error.code == "engine.spark_old_java"
    assert "is Java 11" in error.render("en") and "JAVA_HOME" in error.render("en")


def test_a_spark_session_that_cannot_start_names_the_master(
    spark_workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_running_context(monkeypatch)
    monkeypatch.setenv("JAVA_HOME", str(_fake_java(tmp_path / "jdk", "17.0.9")))
    _gateway_exits(monkeypatch)
    error = _spark_error(spark_workspace)
    assert error.code == "engine.spark_session"
    english = error.render("en")
    assert "cannot start the Spark session on master local[2] while opening it" in english
    assert "JAVA_GATEWAY_EXITED" in english and "`[spark] master`" in english


def test_a_master_spark_refuses_fails_in_one_line(spark_workspace: Workspace) -> None:
    # A process of its own, where Spark really starts (and refuses the master).
    settings = spark_workspace.settings.model_copy(deep=True)
    settings.spark.master = "nosuch"
    spark_workspace.save_settings(settings)
    done = subprocess.run(
        [sys.executable, "-m", "chandung", "--lang", "en", "analyze"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "CHANDUNG_HOME": str(spark_workspace.home)},
    )  # fmt: skip
    assert done.returncode == 1
    # Spark's own complaint comes first; the product's error is the last line.
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: cannot start the Spark session on master nosuch while opening")
    assert "`[spark] master`" in last and "Traceback" not in done.stderr


def test_a_second_master_in_one_process_is_refused(
    spark_warehouse: Warehouse, spark_workspace: Workspace
) -> None:
    # The suite's Spark context runs (spark_warehouse); another master cannot join it.
    settings = spark_workspace.settings.model_copy(deep=True)
    settings.spark.master = "local[1]"
    error = _spark_error(spark_workspace.save_settings(settings))
    assert error.code == "engine.spark_session"
    assert "already runs a Spark context on local[2]" in error.render("en")


def test_a_missing_folder_of_tables_names_it_and_its_setting(
    spark_workspace: Workspace, tmp_path: Path
) -> None:
    settings = spark_workspace.settings.model_copy(deep=True)
    settings.spark.tables_dir = str(tmp_path / "nowhere")
    error = _spark_error(spark_workspace.save_settings(settings))
    assert error.code == "engine.spark_no_tables"
    english = error.render("en")
    assert "nowhere, which does not exist (while opening it)" in english
    assert "`[spark] tables_dir`" in english and "chandung warehouse export" in english


def test_a_table_missing_from_the_folder_is_named(
    spark_workspace: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "tables" / "orders.parquet").unlink()
    error = _spark_error(spark_workspace)
    assert error.code == "engine.spark_missing_tables"
    english = error.render("en")
    assert "no Parquet file for orders in its folder of canonical tables" in english
    assert "`[spark] tables_dir`" in english


def test_a_table_without_its_columns_is_named(spark_workspace: Workspace, tmp_path: Path) -> None:
    pq.write_table(pa.table({"customer_id": ["C1"]}), tmp_path / "tables" / "customers.parquet")
    error = _spark_error(spark_workspace)
    assert error.code == "engine.spark_table_columns"
    english = error.render("en")
    assert "the canonical table customers in file://" in english
    assert "lacks the columns source_customer_ref, full_name, name_key, gender, " in english


def test_a_file_that_is_not_parquet_is_named(spark_workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "tables" / "orders.parquet").write_text("order_id,total\nO1,5\n")
    error = _spark_error(spark_workspace)
    assert error.code == "engine.spark_bad_table"
    assert "cannot read the canonical table orders in file://" in error.render("en")


def test_importing_on_spark_names_the_step_and_what_to_do(
    spark_workspace: Workspace, tmp_path: Path
) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("customer_id,full_name\nN1,Nguyễn Thị Lan\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["--lang", "en", "import", "customers", str(source), "--home", str(spark_workspace.home)],
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "Error: the Spark warehouse reads the canonical table customers from the Parquet files"
    )
    assert "while importing a file" in lines[0] and "`[spark] tables_dir`" in lines[0]
    # Nothing was written beside the tables.
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(
        f"{spec.name}.parquet" for spec in TABLES
    )


def test_an_operation_spark_lacks_names_engine_and_step(spark_warehouse: Warehouse) -> None:
    table = spark_warehouse.table("customers")
    listed = table.aggregate(ids=table.customer_id.collect(order_by=ibis.desc("customer_id")))
    with pytest.raises(EngineCapabilityError) as caught, spark_warehouse.step("segment_auto"):
        listed.to_pyarrow()
    english = caught.value.render("en")
    assert caught.value.code == "store.capability"
    assert "Spark warehouse" in english and "finding segments automatically" in english


def test_a_failing_spark_job_names_engine_step_and_settings(spark_warehouse: Warehouse) -> None:
    with pytest.raises(StoreError) as caught, spark_warehouse.step("value"):
        spark_warehouse.backend.raw_sql("SELECT raise_error('executor lost')").collect()
    assert caught.value.code == "engine.spark_failed"
    english = caught.value.render("en")
    assert "the Spark warehouse at pyspark:// failed while scoring" in english
    assert "executor lost" in english and "`[spark] options`" in english


def test_other_engines_never_import_pyspark(tmp_path: Path) -> None:
    # Starting the command line and opening a DuckDB workspace leave PySpark unloaded.
    code = (
        "import sys\n"
        "from chandung.cli.main import app\n"
        "from chandung.services.stores import open_stores\n"
        "from chandung.workspace import Workspace\n"
        f"with open_stores(Workspace.open({str(tmp_path / 'ws')!r})):\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
