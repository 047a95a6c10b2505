"""``chandung keys``: where the workspace key is, and its rotation."""

from __future__ import annotations

import typer

from ..i18n import translate
from ._context import HomeOption, JsonOption, out_console, print_json, state

keys_app = typer.Typer(
    help="The workspace encryption key. / Khóa mã hóa của thư mục làm việc.",
    no_args_is_help=True,
)


@keys_app.command("show-path")
def show_path(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Show where the workspace key is kept (never the key). / Xem khóa được giữ ở đâu."""
    from ..services.keys import key_location

    st = state(ctx)
    ws = st.workspace(home)
    where = key_location(ws)
    if as_json:
        print_json(where.as_dict())
        return
    lang = st.lang(ws)
    console = out_console()
    if not where.encrypted:
        console.print(translate("cli.keys.not_encrypted", lang), markup=False)
        if not where.present:
            return
    params = {"path": where.path, "env": where.env, "key_id": where.key_id or "-"}
    if where.source == "env":
        console.print(translate("cli.keys.where_env", lang, **params), markup=False)
    elif where.present:
        console.print(translate("cli.keys.where_file", lang, **params), markup=False)
    else:
        console.print(translate("cli.keys.where_none", lang, **params), markup=False)
    if where.rotation_pending:
        console.print(translate("cli.keys.pending", lang), markup=False)


@keys_app.command("rotate")
def rotate(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Replace the workspace key and re-encrypt the workspace with the new one (stop the web
    app first). / Đổi khóa và mã hóa lại thư mục làm việc bằng khóa mới."""
    from ..services.keys import rotate_key

    st = state(ctx)
    ws = st.workspace(home)
    report = rotate_key(ws)
    if as_json:
        print_json(report.as_dict())
        return
    lang = st.lang(ws)
    console = out_console()
    params = {
        "path": report.path,
        "env": report.env,
        "pending_env": report.pending_env,
        "key_id": report.new_key_id,
        "fields": str(report.fields),
    }
    if report.status == "key_issued":
        console.print(translate("cli.keys.issued", lang, **params), markup=False)
        console.print(report.new_key or "", markup=False, highlight=False)
        console.print(translate("cli.keys.issued_next", lang, **params), markup=False)
        return
    console.print(translate("cli.keys.rotated", lang, **params), markup=False)
    follow = "cli.keys.rotated_env" if report.source == "env" else "cli.keys.rotated_file"
    console.print(translate(follow, lang, **params), markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


__all__ = ["register"]
