"""``chandung users``: the first administrator, users with roles, passwords, API tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from chandung.cli import app
from chandung.services.stores import open_stores
from chandung.services.users import authenticate
from chandung.workspace import Workspace

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin, catch_exceptions=False)


def test_first_admin_gets_a_random_password_shown_once(tmp_path: Path) -> None:
    h = ("--home", str(tmp_path / "ws"))
    made = json.loads(run("users", "create-admin", *h, "--json").stdout)
    assert made["role"] == "admin" and len(made["password"]) == 16
    with open_stores(Workspace.open(tmp_path / "ws")) as stores:
        assert authenticate(stores, "admin", made["password"]).role == "admin"
    listed = json.loads(run("users", "list", *h, "--json").stdout)
    assert [u["username"] for u in listed] == ["admin"]
    assert made["password"] not in (tmp_path / "ws" / "app.db").read_bytes().decode("latin-1")


def test_users_roles_passwords_and_tokens(tmp_path: Path) -> None:
    h = ("--home", str(tmp_path / "ws"))
    run("users", "create-admin", *h)
    created = run("users", "create", "lan", "--role", "analyst", "--password-stdin", *h,
                  stdin="a long passphrase here\n")  # fmt: skip
    assert created.exit_code == 0, created.output
    weak = run("users", "create", "minh", "--role", "viewer", "--password-stdin", *h,
               stdin="short\n")  # fmt: skip
    assert weak.exit_code == 1 and "10" in weak.output
    bad_role = run("users", "create", "minh", "--role", "boss", *h)
    assert bad_role.exit_code == 1 and "boss" in bad_role.output
    changed = json.loads(
        run("users", "change", "lan", "--grant", "personal_data.read", *h, "--json").stdout
    )
    assert changed["grants"] == ["personal_data.read"]
    token = json.loads(run("users", "token", "create", "lan", "--name", "script", *h,
                           "--json").stdout)  # fmt: skip
    assert token["token"].startswith("cdt_")
    tokens = json.loads(run("users", "token", "list", *h, "--json").stdout)
    assert tokens[0]["name"] == "script" and "token" not in tokens[0]
    assert run("users", "token", "revoke", str(token["id"]), *h).exit_code == 0
    assert json.loads(run("users", "token", "list", *h, "--json").stdout)[0]["revoked"]


def _commands(command: Any, path: list[str]) -> Any:
    if hasattr(command, "list_commands"):
        if path and getattr(command, "invoke_without_command", False):
            yield " ".join(path)
        for name in command.list_commands(None):
            yield from _commands(command.get_command(None, name), [*path, name])
    else:
        yield " ".join(path)


def test_every_command_maps_to_a_permission() -> None:
    import typer.main

    from chandung.cli.permissions import COMMAND_PERMISSIONS
    from chandung.privacy.roles import PERMISSIONS

    every = set(_commands(typer.main.get_command(app), []))
    assert every <= set(COMMAND_PERMISSIONS), sorted(every - set(COMMAND_PERMISSIONS))
    assert {p for p in COMMAND_PERMISSIONS.values() if p} <= set(PERMISSIONS)


def test_a_token_makes_the_command_line_act_as_its_user(tmp_path: Path, monkeypatch: Any) -> None:
    h = ("--home", str(tmp_path / "ws"))
    run("users", "create-admin", *h)
    run("users", "create", "xem", "--role", "viewer", *h)
    token = json.loads(run("users", "token", "create", "xem", "--name", "t", *h, "--json").stdout)
    monkeypatch.setenv("CHANDUNG_TOKEN", token["token"])
    assert run("segment", "list", *h).exit_code == 0
    refused = run("--lang", "en", "segment", "create", "X", "--rule", "orders > 1", *h)
    # The refusal names the role and what it may not do, in the language asked for.
    assert refused.exit_code == 1 and "(viewer) may not create, change and delete" in refused.output
    assert run("users", "list", *h).exit_code == 1
    monkeypatch.setenv("CHANDUNG_TOKEN", "cdt_wrong")
    assert run("segment", "list", *h).exit_code == 1
