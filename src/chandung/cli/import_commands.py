"""``chandung import`` and ``chandung quarantine``: loading source files, and what did not load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from ..i18n import reason_text, translate
from ..i18n.formats import format_number
from ..services.choices import KINDS
from ._context import HomeOption, JsonOption, out_console, print_json, state

quarantine_app = typer.Typer(
    help="Rows that could not be loaded, with their reason. / Các dòng không nạp được và lý do."
)


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        ctx: typer.Context,
        kind: Annotated[
            str,
            typer.Argument(
                help=f"What the file holds: {', '.join(KINDS)}. / Loại dữ liệu trong tệp.",
                show_default=False,
            ),
        ],
        path: Annotated[
            Path,
            typer.Argument(
                help="The file: CSV, XLSX, Parquet or JSON Lines. / Tệp dữ liệu.",
                show_default=False,
            ),
        ],
        mapping: Annotated[
            Path | None,
            typer.Option(
                "--mapping",
                help="Mapping file (TOML or JSON): source column = field. / Tệp ánh xạ cột.",
                show_default=False,
            ),
        ] = None,
        sheet: Annotated[
            str | None,
            typer.Option(
                "--sheet",
                help="Sheet of a workbook, by name or number. / Trang tính.",
                show_default=False,
            ),
        ] = None,
        dry_run: Annotated[
            bool,
            typer.Option(
                "--dry-run",
                help="Show the mapping, sample rows and errors; write nothing. / Xem "
                "trước, không ghi.",
            ),
        ] = False,
        home: HomeOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Import a source file into the customer file. / Nhập một tệp dữ liệu."""
        from ..services.imports import import_file
        from ..services.stores import open_stores

        st = state(ctx)
        ws = st.workspace(home)
        lang = st.lang(ws)
        with open_stores(ws) as stores:
            report = import_file(
                stores, kind, path, mapping_file=mapping, dry_run=dry_run, sheet=sheet
            )
        if as_json:
            print_json(report.as_dict())
            return
        console = out_console()
        key = (
            "cli.import.already"
            if report.already_imported
            else ("cli.import.dry_run" if dry_run else "cli.import.done")
        )
        console.print(
            translate(
                key,
                lang,
                file=str(path),
                kind=kind,
                read=format_number(report.rows_read, lang),
                loaded=format_number(report.rows_loaded, lang),
                quarantined=format_number(report.rows_quarantined, lang),
                issues=format_number(report.issues, lang),
            )
        )
        mapped = RichTable(title=translate("cli.import.mapping", lang), box=None)
        mapped.add_column(translate("cli.import.column", lang))
        mapped.add_column(translate("cli.import.field", lang))
        for column, target in report.mapping.items():
            mapped.add_row(column, target)
        for column in report.unmapped_columns:
            mapped.add_row(column, translate("cli.import.extra", lang))
        console.print(mapped)
        if report.errors:
            problems = RichTable(title=translate("cli.import.errors", lang), box=None)
            for name in ("row", "column", "value", "reason"):
                problems.add_column(translate(f"cli.import.{name}", lang))
            for e in report.errors[:20]:
                problems.add_row(
                    str(e["row"]),
                    e["column"] or "",
                    e["value"] or "",
                    reason_text(e["reason"], lang),
                )
            console.print(problems)
        if dry_run and report.sample:
            console.print(translate("cli.import.sample", lang, n=len(report.sample)))
            for row in report.sample:
                console.print({k: v for k, v in row.items() if v is not None})

    @quarantine_app.command("list")
    def quarantine_list(
        ctx: typer.Context,
        batch: Annotated[
            str | None,
            typer.Option(
                "--batch", help="Only this import batch. / Chỉ lần nhập này.", show_default=False
            ),
        ] = None,
        limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show. / Số dòng.")] = 50,
        home: HomeOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """List quarantined rows. / Liệt kê các dòng bị cách ly."""
        from ..services.quarantine import quarantine_rows

        st = state(ctx)
        ws = st.workspace(home)
        rows = quarantine_rows(ws, batch=batch, kind="quarantine")
        if as_json:
            print_json({"total": rows.num_rows, "rows": rows.slice(0, limit).to_pylist()})
            return
        lang = st.lang(ws)
        table = RichTable(box=None)
        for name in ("import_batch", "row", "column", "value", "reason"):
            table.add_column(name)
        for r in rows.slice(0, limit).to_pylist():
            table.add_row(
                r["import_batch"],
                str(r["row"]),
                r["column"] or "",
                r["value"] or "",
                reason_text(r["reason"], lang),
            )
        out_console().print(table)
        out_console().print(
            translate("cli.quarantine.total", lang, n=format_number(rows.num_rows, lang))
        )

    @quarantine_app.command("export")
    def quarantine_export(
        ctx: typer.Context,
        output: Annotated[
            Path,
            typer.Option(
                "-o",
                "--output",
                help="File to write (.csv or .parquet). / Tệp xuất ra.",
                show_default=False,
            ),
        ],
        batch: Annotated[
            str | None, typer.Option("--batch", show_default=False, help="Only this import batch.")
        ] = None,
        home: HomeOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Export quarantined rows to correct and re-import. / Xuất các dòng bị cách ly."""
        from ..services.quarantine import export_quarantine

        st = state(ctx)
        ws = st.workspace(home)
        count = export_quarantine(ws, output, batch=batch)
        if as_json:
            print_json({"file": str(output), "rows": count})
        else:
            out_console().print(
                translate(
                    "cli.quarantine.exported",
                    st.lang(ws),
                    n=format_number(count, st.lang(ws)),
                    file=str(output),
                )
            )

    app.add_typer(quarantine_app, name="quarantine")
