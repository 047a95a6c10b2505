from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from chandung.config import Settings
from chandung.errors import ConfigError, WorkspaceError
from chandung.workspace import Workspace, default_home, resolve_home


def test_new_workspace_has_its_layout(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "shop")
    assert ws.config_path.is_file()
    for folder in (ws.keys_dir, ws.quarantine_dir, ws.backups_dir, ws.demo_dir):
        assert folder.is_dir()
    assert stat.S_IMODE(os.stat(ws.home).st_mode) == 0o700
    assert ws.warehouse_url == f"duckdb://{tmp_path / 'shop' / 'warehouse.duckdb'}"
    assert ws.app_db_url == f"sqlite:///{tmp_path / 'shop' / 'app.db'}"


def test_home_comes_from_argument_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANDUNG_HOME", str(tmp_path / "env"))
    assert resolve_home() == tmp_path / "env"
    assert resolve_home(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("CHANDUNG_HOME")
    assert resolve_home() == default_home()
    assert default_home().name == "chandung"


def test_urls_in_config_are_used(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "shop")
    settings = Settings.from_mapping(
        {
            "warehouse": {"url": "postgres://u@db/crm"},
            "app_database": {"url": "postgresql+psycopg://u@db/app"},
        }
    )
    ws = ws.save_settings(settings)
    again = Workspace.open(tmp_path / "shop")
    assert again.warehouse_url == "postgres://u@db/crm"
    assert again.app_db_url == "postgresql+psycopg://u@db/app"


def test_broken_config_names_the_file(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "shop")
    ws.config_path.write_text("[warehouse\nurl = 1", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        Workspace.open(tmp_path / "shop")
    assert str(ws.config_path) in str(err.value)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("[server]\nport = 70000\n", "server.port"),
        ("[warehouse]\nurll = 'x'\n", "warehouse.urll"),
        ("[workspace]\nlanguage = 'fr'\n", "workspace.language"),
    ],
)
def test_bad_setting_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    ws = Workspace.open(tmp_path / "shop")
    ws.config_path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        Workspace.open(tmp_path / "shop")


def test_missing_workspace_is_refused_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="chandung init"):
        Workspace.open(tmp_path / "nothing", create=False)


def test_a_file_is_not_a_workspace(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(WorkspaceError, match="--home"):
        Workspace.open(tmp_path / "file")


def test_settings_round_trip_through_toml() -> None:
    s = Settings.from_mapping({"server": {"port": 8123}, "workspace": {"language": "en"}})
    import tomllib

    assert Settings.from_mapping(tomllib.loads(s.to_toml())) == s


def test_memory_limit_must_be_a_size(tmp_path: Path) -> None:
    assert Settings().warehouse.duckdb_memory_limit == "2GB"
    assert Settings.from_mapping({"warehouse": {"duckdb_memory_limit": ""}})
    with pytest.raises(ConfigError, match="duckdb_memory_limit"):
        Settings.from_mapping({"warehouse": {"duckdb_memory_limit": "lots"}})
