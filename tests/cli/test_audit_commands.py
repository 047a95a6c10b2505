"""``chandung audit verify`` and ``chandung audit list``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chandung.cli import app
from chandung.privacy.context import acting_as
from chandung.privacy.roles import Principal
from chandung.services import audit
from chandung.services.stores import open_stores
from chandung.workspace import Workspace

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "shop"
    with open_stores(Workspace.open(path)) as stores:
        audit.record(stores, "login")
        with acting_as(Principal("lan", "marketer")):
            audit.record(stores, "export", target="segment:vip", rows=40, purpose="Tết")
            audit.record(stores, "export", target="segment:new", rows=12)
        audit.record(stores, "backup", target="backup-1")
    return path


def test_verify_passes_on_an_intact_log(home: Path) -> None:
    result = run("--lang", "en", "audit", "verify", "--home", str(home))
    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout and "4" in result.stdout
    data = json.loads(run("audit", "verify", "--home", str(home), "--json").stdout)
    assert data == {"ok": True, "checked": 4, "first_bad_id": None, "reason": None}


def test_verify_fails_with_the_first_bad_entry(home: Path) -> None:
    with open_stores(Workspace.open(home)) as stores, stores.app_db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        conn.exec_driver_sql("UPDATE audit_log SET rows = 400 WHERE id = 2")
    result = run("--lang", "en", "audit", "verify", "--home", str(home))
    assert result.exit_code == 1
    assert "entry 2" in result.stderr and "changed after it was written" in result.stderr
    vietnamese = run("--lang", "vi", "audit", "verify", "--home", str(home))
    assert vietnamese.exit_code == 1 and "mục 2" in vietnamese.stderr
    as_json = run("--lang", "en", "audit", "verify", "--home", str(home), "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["ok"] is False and data["first_bad_id"] == 2 and data["reason"] == "entry_hash"
    assert "entry 2" in data["message"]


def test_verify_finds_removed_last_entries(home: Path) -> None:
    with open_stores(Workspace.open(home)) as stores, stores.app_db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        conn.exec_driver_sql("DELETE FROM audit_log WHERE id = 4")
    result = run("--lang", "en", "audit", "verify", "--home", str(home))
    assert result.exit_code == 1 and "entry 4" in result.stderr


def test_list_filters_by_action_actor_and_day(home: Path) -> None:
    h = ("--home", str(home))
    exports = json.loads(run("audit", "list", "--action", "export", *h, "--json").stdout)
    assert [(e["target"], e["rows"], e["actor"]) for e in exports] == [
        ("segment:new", 12, "lan"),
        ("segment:vip", 40, "lan"),
    ]
    today = datetime.now(UTC).date()
    day = today.isoformat()
    listed = json.loads(run("audit", "list", "--since", day, "--until", day, *h, "--json").stdout)
    assert len(listed) == 4
    yesterday = (today - timedelta(days=1)).isoformat()
    assert json.loads(run("audit", "list", "--until", yesterday, *h, "--json").stdout) == []
    local = json.loads(
        run("audit", "list", "--actor", "local", "--limit", "1", *h, "--json").stdout
    )
    assert [e["action"] for e in local] == ["backup"]
    text = run("--lang", "en", "audit", "list", *h)
    assert text.exit_code == 0 and "segment:vip" in text.stdout and "Action" in text.stdout
    none = run("--lang", "en", "audit", "list", "--actor", "nobody", *h)
    assert "No entries" in none.stdout


def test_list_refuses_an_unknown_action_or_day(home: Path) -> None:
    assert run("audit", "list", "--action", "exported", "--home", str(home)).exit_code == 2
    assert run("audit", "list", "--since", "01/07/2025", "--home", str(home)).exit_code == 2


def test_a_segment_export_is_recorded(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    h = ("--home", str(home))
    made = run("demo", "--no-serve", "--customers", "200", "--seed", "3", *h)
    assert made.exit_code == 0, made.output
    assert run("segment", "create", "Buyers", "--rule", "records >= 1", *h).exit_code == 0
    out = tmp_path / "buyers.csv"
    assert run("segment", "members", "Buyers", "-o", str(out), *h).exit_code == 0
    rows = len(out.read_text("utf-8").splitlines()) - 1
    (entry,) = json.loads(run("audit", "list", "--action", "export", *h, "--json").stdout)
    assert entry["target"] == "segment:Buyers" and entry["rows"] == rows > 0
    assert entry["details"] == {"file": str(out), "format": "csv"}
    assert run("audit", "verify", *h).exit_code == 0
