"""``chandung init``, ``status`` and ``analyse``: the workspace and its analysis."""

from __future__ import annotations

import typer

from .._version import __version__
from ..i18n import translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, out_console, print_json, state
from ._summary import print_overview, print_value


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
        """Create a workspace (config, stores, folders). / Tạo thư mục làm việc."""
        from ..services.stores import open_stores

        st = state(ctx)
        ws = st.workspace(home)
        with open_stores(ws):
            pass
        if as_json:
            print_json({"workspace": str(ws.home), "config": str(ws.config_path)})
        else:
            out_console().print(translate("cli.init.done", st.lang(ws), home=str(ws.home)))

    @app.command("status")
    def status(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
        """Show the workspace, its engines and row counts. / Xem tình trạng thư mục làm việc."""
        from ..services.stores import open_stores

        st = state(ctx)
        ws = st.workspace(home)
        with open_stores(ws) as stores:
            counts = stores.warehouse.counts()
            info = {
                "version": __version__,
                "workspace": str(ws.home),
                "warehouse_engine": stores.warehouse.engine,
                "app_database_engine": stores.app_db.engine.dialect.name,
                "app_database_revision": stores.app_db.revision(),
                "tables": counts,
            }
        if as_json:
            print_json(info)
            return
        console = out_console()
        lang = st.lang(ws)
        console.print(
            translate(
                "cli.status.header",
                lang,
                home=str(ws.home),
                warehouse=info["warehouse_engine"],
                app_db=info["app_database_engine"],
            )
        )
        for name, count in counts.items():
            console.print(f"  {name:<20} {format_number(count, lang):>12}")

    @app.command("analyze")
    @app.command("analyse", hidden=True)
    def analyse(ctx: typer.Context, home: HomeOption = None, as_json: JsonOption = False) -> None:
        """Resolve identities, compute the metrics and the value of every customer. / Chạy
        phân tích."""
        from ..services.analysis import run_analysis
        from ..services.stores import open_stores

        st = state(ctx)
        ws = st.workspace(home)
        with open_stores(ws) as stores:
            report = run_analysis(stores)
        if as_json:
            print_json(report.as_dict())
        else:
            print_overview(report.overview, st.lang(ws))
            print_value(report, st.lang(ws))
