"""``chandung subject`` (a person's own data: export, erase) and ``chandung consent``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from ..errors import InputError, Where
from ..i18n import translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, out_console, print_json, state

subject_app = typer.Typer(
    help="Requests of data subjects: their data, erasure. / Yêu cầu của chủ thể dữ liệu."
)
consent_app = typer.Typer(help="The consent ledger. / Sổ ghi nhận sự đồng ý.")

IdArgument = Annotated[
    str,
    typer.Argument(
        help="Any record id of the person, or their person id. / Mã bản ghi hoặc mã người.",
        show_default=False,
    ),
]


@subject_app.command("export")
def export(
    ctx: typer.Context,
    identifier: IdArgument,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="JSON file to write (default: the terminal). / Tệp JSON.",
            show_default=False,
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Everything held about a person, as JSON. / Mọi dữ liệu về một người, dạng JSON."""
    from ..services._export import write_file
    from ..services.stores import open_stores
    from ..services.subjects import subject_export

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        data = subject_export(stores, identifier)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        print_json(data)
        return
    write_file(output, text.encode("utf-8"), private=True)
    rows = sum(len(r) for r in data["tables"].values())
    if as_json:
        print_json({"person_id": data["subject"]["person_id"], "path": str(output), "rows": rows})
        return
    out_console().print(
        translate(
            "cli.subject.exported", st.lang(ws), id=data["subject"]["person_id"],
            path=str(output), rows=format_number(rows, st.lang(ws)),
        )
    )  # fmt: skip


@subject_app.command("erase")
def erase(
    ctx: typer.Context,
    identifier: IdArgument,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", help="Confirm: the erasure cannot be undone. / Xác nhận: không hoàn tác được."
        ),
    ] = False,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Erase a person everywhere, keeping only an anonymous tombstone. / Xoá một người khỏi
    mọi nơi."""
    from ..services.stores import open_stores
    from ..services.subjects import subject_erase

    if not yes:
        raise InputError("subject.confirm", where=Where(field="--yes"))
    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        report = subject_erase(stores, identifier)
    if as_json:
        print_json(report.as_dict())
        return
    console = out_console()
    console.print(
        translate(
            "cli.subject.erased", lang, records=format_number(report.records, lang),
            rows=format_number(report.rows, lang), erasure=report.erasure_id,
        )
    )  # fmt: skip
    for table, count in sorted(report.counts.items()):
        console.print(f"  {table}: {format_number(count, lang)}")


@consent_app.command("record")
def record(
    ctx: typer.Context,
    identifier: Annotated[
        str, typer.Argument(help="Record id of the customer. / Mã bản ghi.", show_default=False)
    ],
    purpose: Annotated[
        str,
        typer.Option(
            "--purpose",
            help="marketing, analytics, profiling or third_party_sharing.",
            show_default=False,
        ),
    ],
    status: Annotated[
        str, typer.Option("--status", help="given or withdrawn.", show_default=False)
    ],
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="How it was collected, e.g. web_form. / Cách ghi nhận.",
            show_default=False,
        ),
    ],
    channel: Annotated[
        str,
        typer.Option(
            "--channel",
            help="Channel it covers (default: all). / Kênh (mặc định: tất cả).",
        ),
    ] = "",
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a consent given or withdrawn. / Ghi nhận đồng ý hoặc rút lại."""
    from ..services.consents import record_consent
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        entry = record_consent(stores, identifier, purpose, channel, status, method=method)
    if as_json:
        print_json(entry)
        return
    out_console().print(
        translate(
            "cli.consent.recorded", lang, purpose=entry["purpose"],
            channel=entry["channel"] or translate("cli.consent.all_channels", lang),
            status=translate(f"cli.consent.status_{entry['status']}", lang),
            id=entry["consent_id"],
        )
    )  # fmt: skip


@consent_app.command("show")
def show(
    ctx: typer.Context, identifier: IdArgument, home: HomeOption = None, as_json: JsonOption = False
) -> None:
    """A person's current consents (latest per purpose and channel). / Sự đồng ý hiện tại."""
    from ..services.consents import current_consents
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    with open_stores(ws) as stores:
        entries = current_consents(stores, identifier)
    if as_json:
        print_json(entries)
        return
    if not entries:
        out_console().print(translate("cli.consent.none", lang, id=identifier))
        return
    table = RichTable(box=None)
    for key in ("purpose", "channel", "status", "recorded_at", "method"):
        table.add_column(translate(f"cli.consent.{key}", lang))
    for e in entries:
        table.add_row(
            e["purpose"], e["channel"] or translate("cli.consent.all_channels", lang),
            translate(f"cli.consent.status_{e['status']}", lang), e["recorded_at"] or "",
            e["method"] or "",
        )  # fmt: skip
    out_console().print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(subject_app, name="subject")
    app.add_typer(consent_app, name="consent")


__all__: list[Any] = ["register"]
