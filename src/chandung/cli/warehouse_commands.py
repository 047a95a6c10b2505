"""``chandung warehouse export``: the canonical tables as Parquet, for a Spark warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..i18n import translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, out_console, print_json, state

warehouse_app = typer.Typer(help="The warehouse's tables. / Các bảng của kho dữ liệu.")


@warehouse_app.command("export")
def export(
    ctx: typer.Context,
    folder: Annotated[
        Path,
        typer.Argument(
            help="Folder to write `<table>.parquet` files into. / Thư mục ghi tệp.",
            show_default=False,
        ),
    ],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write every canonical table to FOLDER as Parquet, the folder a Spark warehouse reads
    (`[spark] tables_dir`). / Ghi mọi bảng gốc ra Parquet cho kho dữ liệu Spark."""
    from ..services.stores import open_stores
    from ..services.warehouse_export import export_canonical_tables

    st = state(ctx)
    ws = st.workspace(home)
    with open_stores(ws) as stores:
        counts = export_canonical_tables(stores, folder)
    if as_json:
        print_json({"folder": str(folder), "tables": counts})
        return
    lang = st.lang(ws)
    out_console().print(
        translate(
            "cli.warehouse.exported",
            lang,
            tables=len(counts),
            n=format_number(sum(counts.values()), lang),
            folder=str(folder),
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(warehouse_app, name="warehouse")
