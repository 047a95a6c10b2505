"""``chandung audience``: consented audiences of a segment or persona, for a campaign."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..i18n import translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, out_console, print_json, state

audience_app = typer.Typer(
    help="Consented audiences for campaigns. / Danh sách khách hàng đã đồng ý, cho chiến dịch."
)


@audience_app.command("export")
def export(
    ctx: typer.Context,
    channel: Annotated[
        str,
        typer.Option(
            "--channel",
            help="zalo, facebook, phone, sms, email, instagram, tiktok or in_store.",
            show_default=False,
        ),
    ],
    purpose: Annotated[
        str,
        typer.Option(
            "--purpose",
            help="What the list is for (kept in the audit log). / Mục đích.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="File to write. / Tệp xuất.", show_default=False),
    ],
    segment: Annotated[
        str | None,
        typer.Option("--segment", help="A saved segment. / Phân khúc đã lưu.", show_default=False),
    ] = None,
    persona: Annotated[
        str | None,
        typer.Option(
            "--persona", help="A persona id, e.g. P1. / Mã chân dung.", show_default=False
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or json.")] = "csv",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """People of a segment or persona who consented to marketing on a channel, with their
    contact for it. / Người đã đồng ý nhận tiếp thị qua một kênh."""
    from ..services.audiences import export_audience
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        report = export_audience(
            stores, segment=segment, persona=persona, channel=channel, purpose=purpose,
            path=output, fmt=fmt,
        )  # fmt: skip
    if as_json:
        print_json(report.as_dict())
        return
    console = out_console()
    console.print(
        translate(
            "cli.audience.written", lang, rows=format_number(report.rows, lang),
            path=str(output), consented=format_number(report.consented, lang),
            members=format_number(report.members, lang),
        )
    )  # fmt: skip
    if report.masked:
        console.print(translate("cli.audience.masked", lang))


def register(app: typer.Typer) -> None:
    app.add_typer(audience_app, name="audience")


__all__: list[Any] = ["register"]
