"""``chandung quality report``: how complete, valid and current the customer file is."""

from __future__ import annotations

import typer
from rich.table import Table as RichTable

from ..i18n import translate
from ..i18n.formats import format_number, format_percent
from ._context import HomeOption, JsonOption, out_console, print_json, state

quality_app = typer.Typer(help="Quality of the customer file. / Chất lượng tệp khách hàng.")


@quality_app.command("report")
def report(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Completeness and validity per field, duplicates, stale people, consent. / Báo cáo chất
    lượng."""
    from ..services.quality import quality_report
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        result = quality_report(stores)
    if as_json:
        print_json(result.as_dict())
        return
    lang = st.lang(ws)
    console = out_console()
    console.print(translate(
        "cli.quality.summary", lang, records=format_number(result.records, lang),
        people=format_number(result.people, lang),
        merged=format_number(result.duplicate_records_merged, lang),
        stale=format_number(result.stale_people, lang), months=result.stale_after_months,
        consent=format_number(result.marketing_consent_people, lang),
    ))  # fmt: skip
    table = RichTable(box=None)
    for key in ("field", "completeness", "validity", "invalid"):
        table.add_column(translate(f"cli.quality.{key}", lang))
    for f in result.fields:
        validity = format_percent(f["validity"], lang) if f["validity"] is not None else "–"
        table.add_row(
            f["field"],
            format_percent(f["completeness"], lang),
            validity,
            format_number(f["invalid"], lang),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(quality_app, name="quality")
