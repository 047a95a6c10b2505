"""``chandung backup`` and ``chandung restore`` on a small demo workspace."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chandung.cli import app
from chandung.services.demo import generate_demo
from chandung.services.stores import open_stores
from chandung.workspace import Workspace

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, ["--lang", "en", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("backup-cli") / "ws"
    with open_stores(Workspace.open(home)) as stores:
        generate_demo(stores, customers=300, seed=5)
    return home


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "shop"
    shutil.copytree(template, path)
    return path


def _customers(home: Path) -> int:
    with open_stores(Workspace.open(home, create=False)) as stores:
        return stores.warehouse.counts()["customers"]


def test_backup_list_verify(home: Path, tmp_path: Path) -> None:
    h = ("--home", str(home))
    made = run("backup", *h)
    assert made.exit_code == 0, made.output
    assert "written" in made.stdout and "workspace.key" not in made.stdout
    assert "keys" in made.stdout  # the reminder to keep the key safe
    other = run("backup", "--to", str(tmp_path / "usb"), *h, "--json")
    assert other.exit_code == 0, other.output
    info = json.loads(other.stdout)
    assert info["made"] and info["verified"]["ok"] and Path(info["paths"][0]).parent.name == "usb"

    listed = json.loads(run("backup", "list", *h, "--json").stdout)
    assert len(listed) == 1 and listed[0]["has_checksum"]
    table = run("backup", "list", *h)
    assert listed[0]["name"] in table.stdout

    checked = run("backup", "verify", *h)
    assert checked.exit_code == 0, checked.output
    assert "is sound" in checked.stdout and listed[0]["name"] in checked.stdout
    by_path = json.loads(run("backup", "verify", info["paths"][0], *h, "--json").stdout)
    assert by_path["ok"] and by_path["warehouse_rows"]["customers"] == 300


def test_verify_fails_on_a_damaged_backup(home: Path) -> None:
    h = ("--home", str(home))
    path = Path(json.loads(run("backup", *h, "--json").stdout)["paths"][0])
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    result = run("backup", "verify", path.name, *h)
    assert result.exit_code == 1
    assert "checksum" in result.output and "does not authenticate" in result.output


def test_restore_needs_yes(home: Path) -> None:
    h = ("--home", str(home))
    name = json.loads(run("backup", *h, "--json").stdout)["name"]
    with open_stores(Workspace.open(home, create=False)) as stores:
        generate_demo(stores, customers=120, seed=6)

    refused = run("restore", name, *h)
    assert refused.exit_code == 1
    assert "warehouse.duckdb" in refused.output and "--yes" in refused.output
    assert _customers(home) == 120
    as_json = run("restore", name, *h, "--json")
    assert as_json.exit_code == 1 and "app.db" in json.loads(as_json.stdout)["would_replace"]

    done = run("restore", name, "--yes", *h)
    assert done.exit_code == 0, done.output
    assert "Restored" in done.stdout
    assert _customers(home) == 300


def test_restore_of_a_missing_backup_says_so(home: Path) -> None:
    result = run("restore", "chandung-nothing.backup", "--yes", "--home", str(home))
    assert result.exit_code == 1 and "no backup" in result.output


def test_if_due(home: Path) -> None:
    h = ("--home", str(home))
    nothing = run("backup", "--if-due", *h)
    assert nothing.exit_code == 0 and "No backup schedule" in nothing.stdout
    assert not list((home / "backups").glob("*.backup"))

    ws = Workspace.open(home, create=False)
    settings = ws.settings.model_copy(deep=True)
    settings.backup.schedule = "daily"
    ws.save_settings(settings)
    first = json.loads(run("backup", "--if-due", *h, "--json").stdout)
    assert first["made"]
    second = run("backup", "--if-due", *h)
    assert second.exit_code == 0 and "No backup is due" in second.stdout
    assert len(list((home / "backups").glob("*.backup"))) == 1
    # Made two days ago (as far as its name tells): due again.
    old = Path(first["paths"][0])
    old.rename(old.with_name("chandung-20000101T000000000000Z.backup"))
    again = json.loads(run("backup", "--if-due", *h, "--json").stdout)
    assert again["made"]
