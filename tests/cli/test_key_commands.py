"""``chandung keys show-path`` and ``chandung keys rotate``."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chandung.cli import app
from chandung.privacy.keys import KEY_FILE, encode_key, new_key

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "shop"
    result = runner.invoke(app, ["init", "--home", str(home)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return home


def test_show_path_names_the_key_file_never_the_key(home: Path) -> None:
    key = (home / "keys" / KEY_FILE).read_text().strip()
    result = runner.invoke(app, ["keys", "show-path", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "file" and data["present"] and data["encrypted"]
    assert data["path"] == str(home / "keys" / KEY_FILE)
    assert key not in result.output
    text = runner.invoke(app, ["--lang", "en", "keys", "show-path", "--home", str(home)])
    assert str(home / "keys" / KEY_FILE) in text.stdout and key not in text.stdout


def test_rotate_replaces_the_key_file_and_keeps_the_data_readable(home: Path) -> None:
    old = (home / "keys" / KEY_FILE).read_text().strip()
    result = runner.invoke(app, ["keys", "rotate", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    new = (home / "keys" / KEY_FILE).read_text().strip()
    assert data["status"] == "rotated" and data["warehouse"] is True
    assert new != old and old not in result.output and new not in result.output
    status = runner.invoke(app, ["status", "--home", str(home), "--json"])
    assert status.exit_code == 0, status.output


def test_rotate_with_a_key_from_the_environment_prints_the_new_key_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_home = tmp_path / "env-shop"
    monkeypatch.setenv("CHANDUNG_KEY", encode_key(new_key()))
    assert runner.invoke(app, ["init", "--home", str(env_home)]).exit_code == 0
    result = runner.invoke(app, ["--lang", "en", "keys", "rotate", "--home", str(env_home)])
    assert result.exit_code == 0, result.output
    printed = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    keys = [line for line in printed if _is_key(line)]
    assert len(keys) == 1
    assert "CHANDUNG_KEY_NEW" in result.stdout
    monkeypatch.setenv("CHANDUNG_KEY_NEW", keys[0])
    second = runner.invoke(app, ["--lang", "en", "keys", "rotate", "--home", str(env_home)])
    assert second.exit_code == 0, second.output
    assert keys[0] not in second.stdout
    assert "CHANDUNG_KEY" in second.stdout
    assert not (env_home / "keys" / KEY_FILE).exists()


def test_a_wrong_key_is_one_clear_line_not_a_traceback(home: Path) -> None:
    (home / "keys" / KEY_FILE).write_text(encode_key(new_key()) + "\n")
    for lang, words in (("en", "does not open"), ("vi", "không mở được")):
        result = runner.invoke(app, ["--lang", lang, "status", "--home", str(home)])
        assert result.exit_code == 1
        assert words in result.output
        assert "Traceback" not in result.output


def test_a_missing_key_is_no_key(home: Path) -> None:
    (home / "keys" / KEY_FILE).unlink()
    result = runner.invoke(app, ["--lang", "en", "status", "--home", str(home)])
    assert result.exit_code == 1
    assert "key is missing" in result.output
    assert not (home / "keys" / KEY_FILE).exists()


def _is_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except ValueError:
        return False
