"""``chandung users``: accounts, roles and API tokens."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..i18n import translate
from ._context import HomeOption, JsonOption, out_console, print_json, state

users_app = typer.Typer(help="Users, roles and API tokens. / Người dùng, vai trò, mã API.")
token_app = typer.Typer(help="API tokens. / Mã truy cập API.")
users_app.add_typer(token_app, name="token")

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from standard input (else a random one is made and shown "
        "once). / Đọc mật khẩu từ đầu vào chuẩn.",
    ),
]


def _password(from_stdin: bool) -> str | None:
    return sys.stdin.readline().rstrip("\n") if from_stdin else None


def _show_created(
    ctx: typer.Context, ws: Any, info: Any, generated: str | None, as_json: bool
) -> None:
    data = {**info.__dict__, "password": generated}
    if as_json:
        print_json(data)
        return
    lang = state(ctx).lang(ws)
    console = out_console()
    console.print(translate("cli.users.created", lang, username=info.username, role=info.role))
    if generated:
        console.print(translate("cli.users.password_once", lang, password=generated), markup=False)


@users_app.command("create-admin")
def create_admin(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="User name. / Tên đăng nhập.")] = "admin",
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an administrator (the first one needs no sign-in). / Tạo quản trị viên."""
    from ..services import users as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    with open_stores(ws) as stores:
        info, generated = service.create_admin(stores, username, _password(password_stdin))
    _show_created(ctx, ws, info, generated, as_json)


@users_app.command("create")
def create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="User name. / Tên đăng nhập.")],
    role: Annotated[str, typer.Option("--role", help="admin, analyst, marketer or viewer.")],
    grant: Annotated[
        list[str] | None,
        typer.Option("--grant", help="Extra permission, e.g. personal_data.read. / Quyền thêm."),
    ] = None,
    display_name: Annotated[str, typer.Option("--name", help="Display name. / Tên hiển thị.")] = "",
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user with a role. / Tạo người dùng."""
    from ..services import users as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    with open_stores(ws) as stores:
        info, generated = service.create_user(
            stores, username, role, _password(password_stdin),
            display_name=display_name, grants=grant or (),
        )  # fmt: skip
    _show_created(ctx, ws, info, generated, as_json)


@users_app.command("list")
def list_(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Every user with their role. / Danh sách người dùng."""
    from ..services import users as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    with open_stores(ws) as stores:
        users = service.list_users(stores)
    if as_json:
        print_json([u.__dict__ for u in users])
        return
    console = out_console()
    for u in users:
        flags = " ".join(
            f for f in ("" if u.active else "inactive", "locked" if u.locked_until else "") if f
        )
        console.print(f"{u.username}\t{u.role}\t{','.join(u.grants)}\t{flags}", markup=False)


@users_app.command("change")
def change(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="User name. / Tên đăng nhập.")],
    role: Annotated[str | None, typer.Option("--role", help="New role. / Vai trò mới.")] = None,
    grant: Annotated[
        list[str] | None, typer.Option("--grant", help="Set the extra permissions.")
    ] = None,
    deactivate: Annotated[bool, typer.Option("--deactivate", help="Close the account.")] = False,
    activate: Annotated[bool, typer.Option("--activate", help="Reopen the account.")] = False,
    unlock: Annotated[bool, typer.Option("--unlock", help="Lift a lock-out.")] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a user's role, permissions or state. / Sửa người dùng."""
    from ..services import users as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    active = False if deactivate else True if activate else None
    with open_stores(ws) as stores:
        info = service.change_user(
            stores, username, role=role, grants=grant, active=active, unlock=unlock
        )
    if as_json:
        print_json(info.__dict__)
        return
    out_console().print(translate("cli.users.changed", state(ctx).lang(ws), username=username))


@users_app.command("set-password")
def set_password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="User name. / Tên đăng nhập.")],
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Set a user's password (random unless given on stdin). / Đặt mật khẩu."""
    from ..services import users as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    with open_stores(ws) as stores:
        generated = service.set_password(stores, username, _password(password_stdin))
    if as_json:
        print_json({"username": username, "password": generated})
        return
    lang = state(ctx).lang(ws)
    out_console().print(translate("cli.users.changed", lang, username=username))
    if generated:
        out_console().print(translate("cli.users.password_once", lang, password=generated))


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="User the token acts as. / Người dùng.")],
    name: Annotated[str, typer.Option("--name", help="What it is for. / Mục đích.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="Limit to a permission (repeatable).")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """A new API token, shown once. / Tạo mã API (chỉ hiện một lần)."""
    from ..services import users as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    with open_stores(ws) as stores:
        token_id, token = service.create_token(stores, username, name, scope)
    if as_json:
        print_json({"id": token_id, "token": token})
        return
    out_console().print(
        translate("cli.users.token_once", state(ctx).lang(ws), id=token_id, token=token),
        markup=False,
    )


@token_app.command("list")
def token_list(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """API tokens (never the tokens themselves). / Danh sách mã API."""
    from ..services import users as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    with open_stores(ws) as stores:
        tokens = service.list_tokens(stores)
    if as_json:
        print_json(tokens)
        return
    for t in tokens:
        out_console().print(
            f"{t['id']}\t{t['user']}\t{t['name']}\t{'revoked' if t['revoked'] else ''}",
            markup=False,
        )


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(help="Token id. / Mã số.")],
    home: HomeOption = None,
) -> None:
    """Revoke an API token. / Thu hồi mã API."""
    from ..services import users as service
    from ..services.stores import open_stores

    ws = state(ctx).workspace(home)
    with open_stores(ws) as stores:
        service.revoke_token(stores, token_id)
    out_console().print(translate("cli.users.revoked", state(ctx).lang(ws), id=token_id))


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


__all__: list[Any] = ["register"]
