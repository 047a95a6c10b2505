"""``chandung retention purge``: delete people past the retention policy, listing first."""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, out_console, print_json, state

retention_app = typer.Typer(help="Retention of customer data. / Lưu giữ dữ liệu khách hàng.")


@retention_app.command("purge")
def purge_command(
    ctx: typer.Context,
    older_than: Annotated[
        str,
        typer.Option(
            "--older-than",
            help="Policy: no activity for this long, e.g. 36m, 3y, 90d. / Không "
            "hoạt động trong bao lâu.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run/--apply",
            help="List only (default), or delete. / Chỉ liệt kê (mặc định), hoặc xóa.",
        ),
    ] = True,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete the people with no activity for longer than the policy. / Xóa khách hàng quá
    hạn lưu giữ."""
    from ..services.retention import purge
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        report = purge(stores, older_than, apply=not dry_run)
    if as_json:
        print_json(report.as_dict())
        return
    lang = st.lang(ws)
    key = "cli.retention.applied" if report.applied else "cli.retention.listed"
    console = out_console()
    console.print(
        translate(
            key,
            lang,
            people=format_number(report.people, lang),
            cutoff=report.cutoff[:10],
            policy=older_than,
        )
    )
    for name, count in report.rows.items():
        console.print(f"  {name:<20} {format_number(count, lang):>12}")


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
