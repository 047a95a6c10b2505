"""``chandung customers``: the people in the customer file."""

from __future__ import annotations

import typer

from ..i18n import translate
from ..i18n.formats import format_number
from ..services.identity import resolve_identities
from ..services.stores import open_stores
from ._context import HomeOption, JsonOption, out_console, print_json, state

customers_app = typer.Typer(help="The people in the customer file. / Khách hàng trong tệp.")


@customers_app.command("resolve")
def resolve(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Link the records of the same person (phone, e-mail, id, name and birth). / Gộp hồ sơ
    trùng."""
    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        report = resolve_identities(stores)
    if as_json:
        print_json(report.as_dict())
        return
    lang = st.lang(ws)
    out_console().print(translate(
        "cli.customers.resolved", lang, records=format_number(report.records, lang),
        people=format_number(report.people, lang),
        merged=format_number(report.merged_records, lang),
    ))  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
