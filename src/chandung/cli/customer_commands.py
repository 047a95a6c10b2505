"""``chandung customers``: the people in the customer file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from ..i18n import translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, out_console, print_json, state

if TYPE_CHECKING:
    from ..services.identity import ResolveReport

customers_app = typer.Typer(help="The people in the customer file. / Khách hàng trong tệp.")


@customers_app.command("resolve")
def resolve(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Link the records of the same person (phone, e-mail, id, name and birth). / Gộp hồ sơ
    trùng."""
    from ..services.identity import resolve_identities
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        report = resolve_identities(stores)
    _print_resolved(report, st.lang(ws), as_json)


@customers_app.command("list")
def list_(
    ctx: typer.Context,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            help="Name (with or without "
            "diacritics), phone or e-mail. / Tên, số điện thoại hoặc e-mail.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows. / Số dòng.")] = 20,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip. / Bỏ qua.")] = 0,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """List people in the customer file. / Liệt kê khách hàng."""
    from ..services.customers import list_people
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        total, page = list_people(stores, search=search, limit=limit, offset=offset)
    if as_json:
        print_json({"total": total, "people": page.to_pylist()})
        return
    table = RichTable(box=None)
    for name in ("customer_id", "full_name", "phone", "email", "province", "records"):
        table.add_column(name)
    for r in page.to_pylist():
        table.add_row(
            *(
                str(r[c]) if r[c] is not None else ""
                for c in ("customer_id", "full_name", "phone", "email", "province", "records")
            )
        )
    out_console().print(table)
    out_console().print(
        translate("cli.customers.total", st.lang(ws), n=format_number(total, st.lang(ws)))
    )


@customers_app.command("show")
def show(
    ctx: typer.Context,
    customer_id: Annotated[
        str, typer.Argument(help="Any record id of the person. / Mã hồ sơ.", show_default=False)
    ],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """One person: the golden record and every source record. / Một khách hàng."""
    from ..services.customers import show_person
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        found = show_person(stores, customer_id)
    if as_json:
        print_json(found)
        return
    console = out_console()
    for key, value in found["person"].items():
        if value is not None:
            console.print(f"[dim]{key:<26}[/] {value}")
    console.print(translate("cli.customers.records", st.lang(ws), n=len(found["records"])))
    for record in found["records"]:
        console.print(
            f"  {record['customer_id']}  {record['source']}  "
            f"{record.get('rule') or ''}  {record.get('full_name') or ''}  "
            f"{record.get('phone') or ''}"
        )


@customers_app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or json.")] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write (default customers.FORMAT). / Tệp xuất.",
            show_default=False,
        ),
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export every person with their source record ids. / Xuất tệp khách hàng."""
    from ..services.customers import export_people
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    path = output or Path(f"customers.{fmt}")
    with open_stores(ws) as stores:
        count = export_people(stores, path, fmt)  # type: ignore[arg-type]
    if as_json:
        print_json({"file": str(path), "rows": count})
    else:
        out_console().print(
            translate(
                "cli.customers.exported",
                st.lang(ws),
                n=format_number(count, st.lang(ws)),
                file=str(path),
            )
        )


@customers_app.command("merge")
def merge(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="Record id.", show_default=False)],
    other_id: Annotated[str, typer.Argument(help="Record id.", show_default=False)],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make two records one person. / Gộp hai hồ sơ thành một người."""
    from ..services.identity import merge_records
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        report = merge_records(stores, customer_id, other_id)
    _print_resolved(report, st.lang(ws), as_json)


@customers_app.command("unmerge")
def unmerge(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="Record id.", show_default=False)],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take a record out of its person. / Tách một hồ sơ ra khỏi người đã gộp."""
    from ..services.identity import split_record
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        report = split_record(stores, customer_id)
    _print_resolved(report, st.lang(ws), as_json)


def _print_resolved(report: ResolveReport, lang: str, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    out_console().print(translate(
        "cli.customers.resolved", lang, records=format_number(report.records, lang),
        people=format_number(report.people, lang),
        merged=format_number(report.merged_records, lang),
    ))  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
