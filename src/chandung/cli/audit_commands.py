"""``chandung audit``: check the audit log and read it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from ..errors import StoreError
from ..i18n import normalise_language, translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, out_console, print_json, state

audit_app = typer.Typer(
    help="The audit log: who did what, when, to what. / Nhật ký kiểm toán: ai đã làm gì, khi nào."
)


@audit_app.command("verify")
def verify(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Check that no entry of the audit log was changed or removed. / Kiểm tra nhật ký kiểm
    toán còn nguyên vẹn."""
    from ..services import audit as service
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        result = service.verify(stores)
    if result.ok:
        if as_json:
            print_json(result.as_dict())
        else:
            lang = st.lang(ws)
            out_console().print(
                translate("cli.audit.ok", lang, n=format_number(result.checked, lang))
            )
        return
    # In the language errors are shown in (see cli._context.ErrorHandlingGroup).
    language = st.language or normalise_language(None)
    error = StoreError(
        "audit.tampered",
        id=result.first_bad_id,
        reason=translate(f"audit.reason.{result.reason}", language),
    )
    if as_json:
        print_json({**result.as_dict(), "message": error.render(language)})
        raise typer.Exit(1)
    raise error


@audit_app.command("list")
def list_(
    ctx: typer.Context,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="Only this user. / Chỉ người dùng này.", show_default=False),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option(
            "--action",
            help="Only this action, e.g. export. / Chỉ thao tác này.",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d"],
            show_default=False,
            help="From this day (YYYY-MM-DD, UTC). / Từ ngày.",
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(
            "--until",
            formats=["%Y-%m-%d"],
            show_default=False,
            help="Up to this day, included (YYYY-MM-DD, UTC). / Đến hết ngày.",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many entries. / Số mục tối đa.")
    ] = 100,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """The latest entries of the audit log first. / Các mục mới nhất của nhật ký kiểm toán."""
    from ..services import audit as service
    from ..services.stores import open_stores

    if action is not None and action not in service.ACTIONS:
        raise typer.BadParameter(
            f"one of / một trong: {', '.join(service.ACTIONS)}", param_hint="--action"
        )
    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        entries = service.list_entries(
            stores,
            actor=actor,
            action=action,
            since=since.date() if since else None,
            until=until.date() if until else None,
            limit=limit,
        )
    if as_json:
        print_json(entries)
        return
    if not entries:
        out_console().print(translate("cli.audit.none", lang))
        return
    table = RichTable(box=None)
    for key in ("id", "at", "actor", "action", "target", "rows", "purpose"):
        table.add_column(translate(f"cli.audit.{key}", lang))
    for e in entries:
        table.add_row(
            str(e["id"]), e["at"][:19].replace("T", " "), e["actor"], e["action"], e["target"],
            "" if e["rows"] is None else format_number(e["rows"], lang), e["purpose"],
        )  # fmt: skip
    out_console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


__all__: list[Any] = ["register"]
