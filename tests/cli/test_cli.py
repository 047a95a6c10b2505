"""The command line, run in process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chandung import __version__
from chandung.cli import app
from chandung.errors import ConfigError
from chandung.services.stores import open_stores
from chandung.store.appdb import AppDatabase
from chandung.workspace import Workspace

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "shop"
    result = runner.invoke(
        app,
        ["demo", "--no-serve", "--customers", "1500", "--seed", "5", "--home", str(home), "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (home / "demo-output.json").write_text(result.stdout, encoding="utf-8")
    return home


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"chandung {__version__}"


def test_demo_no_serve_reports_figures_from_the_warehouse(demo_home: Path) -> None:
    report = json.loads((demo_home / "demo-output.json").read_text("utf-8"))
    overview = report["analysis"]["overview"]
    assert report["demo"]["customers"] == 1500 and report["demo"]["seed"] == 5
    assert overview["orders"] > 1500 and overview["revenue_vnd"] > 0
    assert 0 < overview["repeat_rate"] < 1
    status = json.loads(run("status", "--home", str(demo_home), "--json").stdout)
    assert status["tables"]["customers"] == report["demo"]["rows"]["customers"]
    assert status["tables"]["orders"] == report["demo"]["rows"]["orders"]
    assert status["warehouse_engine"] == "duckdb"
    assert status["app_database_revision"] == AppDatabase.head_revision()


def test_demo_summary_fits_one_screen(tmp_path: Path) -> None:
    result = run(
        "--lang", "en", "demo", "--no-serve", "--customers", "300", "--home", str(tmp_path / "s")
    )
    assert result.exit_code == 0
    assert "Demo business ready" in result.stdout and "Repeat purchase rate" in result.stdout
    assert len(result.stdout.splitlines()) <= 24


def test_demo_generate_is_deterministic(tmp_path: Path) -> None:
    def generate(home: Path) -> dict[str, Any]:
        argv = ["demo", "generate", "--customers", "400", "--seed", "9", "--json"]
        return dict(json.loads(run(*argv, "--home", str(home)).stdout))

    assert generate(tmp_path / "a")["rows"] == generate(tmp_path / "b")["rows"]
    assert (tmp_path / "a" / "demo" / "truth" / "customer_groups.parquet").is_file()
    contents = []
    for home in ("a", "b"):
        with open_stores(Workspace.open(tmp_path / home)) as stores:
            orders = stores.warehouse.table("orders").drop("import_batch").order_by("order_id")
            contents.append(orders.to_pyarrow())
    assert contents[0].equals(contents[1])


def test_home_before_the_command_works_too(tmp_path: Path) -> None:
    result = run("--home", str(tmp_path / "w"), "init", "--json")
    assert json.loads(result.stdout)["workspace"] == str(tmp_path / "w")
    assert (tmp_path / "w" / "config.toml").is_file()


def test_environment_variable_chooses_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANDUNG_HOME", str(tmp_path / "env-home"))
    assert json.loads(run("init", "--json").stdout)["workspace"] == str(tmp_path / "env-home")


def test_user_error_is_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "broken"
    run("init", "--home", str(home))
    (home / "config.toml").write_text("[server]\nport = 'eighty'\n", encoding="utf-8")
    result = runner.invoke(app, ["--lang", "en", "status", "--home", str(home)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error:") and "server.port" in lines[0]
    assert "docs/configuration.md" in lines[0]
    assert "Traceback" not in result.output


def test_user_error_in_vietnamese_by_default(tmp_path: Path) -> None:
    home = tmp_path / "broken"
    run("init", "--home", str(home))
    (home / "config.toml").write_text("[server\n", encoding="utf-8")
    result = runner.invoke(app, ["status", "--home", str(home)])
    assert result.exit_code == 1 and result.stderr.startswith("Lỗi:")


def test_debug_shows_the_real_exception(tmp_path: Path) -> None:
    home = tmp_path / "broken"
    run("init", "--home", str(home))
    (home / "config.toml").write_text("[server\n", encoding="utf-8")
    result = runner.invoke(app, ["--debug", "status", "--home", str(home)])
    assert result.exit_code == 1 and isinstance(result.exception, ConfigError)


def test_bad_option_value_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "generate", "--customers", "0", "--home", str(tmp_path)])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["serve"], ("127.0.0.1", 8000)),
        (["serve", "--host", "0.0.0.0", "--port", "9001"], ("0.0.0.0", 9001)),
    ],
)
def test_serve_listens_where_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], expected: tuple[str, int]
) -> None:
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr("uvicorn.run", lambda _app, host, port, **_: calls.append((host, port)))
    result = run(*argv, "--home", str(tmp_path / "w"))
    assert result.exit_code == 0
    assert calls == [expected]
    assert f"http://{expected[0]}:{expected[1]}" in result.stdout


def test_demo_serves_after_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr("uvicorn.run", lambda _app, host, port, **_: calls.append((host, port)))
    result = run("demo", "--customers", "200", "--home", str(tmp_path / "w"))
    assert result.exit_code == 0 and calls == [("127.0.0.1", 8000)]
    assert "http://127.0.0.1:8000" in result.stdout


def test_a_bug_is_one_line_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("internal detail")

    # The command finds the analysis service when it runs.
    monkeypatch.setattr("chandung.services.analysis.run_analysis", broken)
    result = runner.invoke(app, ["--lang", "en", "analyse", "--home", str(tmp_path / "w")])
    assert result.exit_code == 70
    assert result.stderr.count("\n") == 1 and "--debug" in result.stderr
    assert "internal detail" not in result.output and "Traceback" not in result.output
    debug = runner.invoke(app, ["--debug", "analyse", "--home", str(tmp_path / "w")])
    assert isinstance(debug.exception, RuntimeError)


def test_the_analysis_resolves_identities(demo_home: Path) -> None:
    report = json.loads((demo_home / "demo-output.json").read_text("utf-8"))
    identity = report["analysis"]["identity"]
    assert identity["records"] == report["demo"]["rows"]["customers"]
    # The demo plants duplicates at 1.25% of records: some are linked.
    assert 0 < identity["merged_records"] < identity["records"] * 0.1
