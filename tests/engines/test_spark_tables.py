"""The folder of canonical tables a Spark warehouse reads, and the settings of its session.

No Spark runs here: ``chandung warehouse export`` writes the folder from a DuckDB workspace,
and the session settings are checked as they would be given to Spark.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from chandung.cli import app
from chandung.config import Settings
from chandung.errors import AccessDenied, ConfigError
from chandung.privacy.context import acting_as
from chandung.privacy.roles import Principal
from chandung.schema import TABLES
from chandung.services.stores import open_stores, spark_layout
from chandung.services.warehouse_export import export_canonical_tables
from chandung.store.spark import session_options
from chandung.workspace import Workspace

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("export") / "shop"
    made = runner.invoke(
        app, ["demo", "generate", "--customers", "300", "--seed", "5", "--home", str(home)]
    )
    assert made.exit_code == 0, made.output
    return home


def test_export_writes_every_canonical_table_with_its_columns(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    result = runner.invoke(app, ["warehouse", "export", str(folder), "--home", str(demo), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["tables"]
    with open_stores(Workspace.open(demo)) as stores:
        expected = stores.warehouse.counts()
    assert counts == expected and counts["customers"] == 300
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t.name}.parquet" for t in TABLES)
    for spec in TABLES:
        written = pq.read_table(folder / f"{spec.name}.parquet")
        assert written.schema.equals(spec.arrow_schema()), spec.name
        assert written.num_rows == counts[spec.name]


def test_export_is_recorded_and_said_in_words(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    said = runner.invoke(
        app, ["--lang", "en", "warehouse", "export", str(folder), "--home", str(demo)]
    )
    assert said.exit_code == 0, said.output
    assert said.stdout.startswith("Wrote 12 tables (") and str(folder) in said.stdout
    listed = runner.invoke(
        app, ["audit", "list", "--action", "export", "--home", str(demo), "--json"]
    )
    entries = [e for e in json.loads(listed.stdout) if e["target"] == str(folder)]
    assert len(entries) == 1
    assert entries[0]["details"]["tables"]["customers"] == 300
    assert entries[0]["rows"] == sum(entries[0]["details"]["tables"].values())


def test_export_needs_to_see_personal_data(demo: Path, tmp_path: Path) -> None:
    # The files hold names and phone numbers in clear: exporting alone is not enough.
    with (
        open_stores(Workspace.open(demo)) as stores,
        pytest.raises(AccessDenied),
        acting_as(Principal("an", "analyst", frozenset({"data.export"}))),
    ):
        export_canonical_tables(stores, tmp_path / "tables")
    assert not (tmp_path / "tables").exists()


def test_session_settings_put_the_users_last() -> None:
    settings = Settings.from_mapping(
        {
            "warehouse": {"url": "pyspark://"},
            "spark": {
                "options": {
                    "spark.ui.enabled": "true",
                    "spark.driver.extraJavaOptions": "-Xss4m",
                    "spark.executor.memory": "8g",
                }
            },
        }
    )
    workspace = Workspace(Path("/srv/shop"), settings)
    layout = spark_layout(workspace)
    assert layout.master == "local[*]"
    assert layout.tables_dir == "file:///srv/shop/spark/tables"
    assert layout.warehouse_dir == "file:///srv/shop/spark/warehouse"
    options = session_options(layout)
    assert options["spark.ui.enabled"] == "true"
    assert options["spark.executor.memory"] == "8g"
    assert options["spark.sql.warehouse.dir"] == "file:///srv/shop/spark/warehouse"
    java = options["spark.driver.extraJavaOptions"]
    assert java.startswith("-Dlog4j2.configurationFile=file:") and java.endswith(" -Xss4m")
    # Local workers run this interpreter; a cluster's run its own.
    assert options["spark.pyspark.python"] == sys.executable


def test_a_cluster_keeps_its_own_python_and_folders() -> None:
    settings = Settings.from_mapping(
        {
            "spark": {
                "master": "yarn",
                "tables_dir": "s3a://crm/tables/",
                "warehouse_dir": "relative/warehouse",
            }
        }
    )
    layout = spark_layout(Workspace(Path("/srv/shop"), settings))
    assert layout.tables_dir == "s3a://crm/tables"
    assert layout.warehouse_dir == "file:///srv/shop/relative/warehouse"
    assert "spark.pyspark.python" not in session_options(layout)


def test_an_option_that_is_not_sparks_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_mapping({"spark": {"options": {"executor.memory": "8g"}}})
    assert "spark.options" in caught.value.render("en")
    assert "executor.memory" in caught.value.render("en")


def test_a_spark_url_with_more_than_the_scheme_is_refused(tmp_path: Path) -> None:
    workspace = Workspace.open(tmp_path / "ws")
    settings = workspace.settings.model_copy(deep=True)
    settings.warehouse.url = "pyspark://spark-master:7077"
    with pytest.raises(ConfigError) as caught, open_stores(workspace.save_settings(settings)):
        pass
    english = caught.value.render("en")
    assert "named by the URL `pyspark://` alone" in english and "`[spark]`" in english
