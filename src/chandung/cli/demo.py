"""``chandung demo``: a realistic demo business, analysed and served."""

from __future__ import annotations

from typing import Annotated

import typer

from ..config import DemoSettings
from ..i18n import translate
from ..i18n.formats import format_number
from ._context import HomeOption, JsonOption, out_console, print_json, state
from ._progress import progress_bar
from ._summary import print_overview
from .serve import HostOption, PortOption, print_login, run_server

app = typer.Typer(
    invoke_without_command=True,
    help="Generate a demo business, analyse it and open the web app. / Tạo doanh nghiệp mẫu, "
    "phân tích và mở ứng dụng web.",
)

_DEFAULTS = DemoSettings()
CustomersOption = Annotated[
    int | None,
    typer.Option(
        "--customers",
        min=1,
        help=f"Number of customers (default "
        f"{_DEFAULTS.customers:,} or [demo] customers in config.toml). / Số khách hàng.",
        show_default=False,
    ),
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", help="Random seed. / Hạt ngẫu nhiên.", show_default=False)
]


@app.callback()
def demo(
    ctx: typer.Context,
    customers: CustomersOption = None,
    seed: SeedOption = None,
    no_serve: Annotated[
        bool,
        typer.Option(
            "--no-serve",
            help="Exit after the summary instead of serving. / "
            "Thoát sau khi in tóm tắt, không mở web.",
        ),
    ] = False,
    host: HostOption = None,
    port: PortOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Generate, analyse and serve the demo business."""
    if ctx.invoked_subcommand is not None:
        return
    from ..services.analysis import run_analysis
    from ..services.demo import generate_demo
    from ..services.stores import open_stores
    from ..services.users import create_admin, has_admin

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    n = customers or ws.settings.demo.customers
    s = ws.settings.demo.seed if seed is None else seed
    with open_stores(ws) as stores:
        with progress_bar(translate("cli.demo.generating", lang), n, not as_json) as update:
            generated = generate_demo(stores, n, s, progress=update)
        report = run_analysis(stores)
        ws = stores.workspace  # the demo names the business in config.toml
        # A demo administrator with a random password, shown once: never a default password.
        admin = None if has_admin(stores) else create_admin(stores, "admin")[1]
    if as_json:
        print_json(
            {
                "workspace": str(ws.home),
                "demo": generated.as_dict(),
                "analysis": report.as_dict(),
                "admin_password": admin,
            }
        )
    else:
        console = out_console()
        console.print(
            translate(
                "cli.demo.done",
                lang,
                customers=format_number(n, lang),
                seed=s,
                seconds=format_number(generated.seconds + report.seconds, lang, 1),
                home=str(ws.home),
            )
        )
        print_overview(report.overview, lang)
        if report.identity is not None:
            console.print(
                translate(
                    "cli.customers.resolved",
                    lang,
                    records=format_number(report.identity.records, lang),
                    people=format_number(report.identity.people, lang),
                    merged=format_number(report.identity.merged_records, lang),
                )
            )
        if admin:
            console.print(
                translate("cli.demo.admin", lang, username="admin", password=admin), markup=False
            )
    if not no_serve:
        run_server(ws, host, port, lang)


@app.command("generate")
def generate(
    ctx: typer.Context,
    customers: CustomersOption = None,
    seed: SeedOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a generated demo business into the workspace. / Ghi dữ liệu doanh nghiệp mẫu."""
    from ..services.demo import generate_demo
    from ..services.stores import open_stores

    st = state(ctx)
    ws = st.workspace(home)
    lang = st.lang(ws)
    n = customers or ws.settings.demo.customers
    s = ws.settings.demo.seed if seed is None else seed
    with (
        open_stores(ws) as stores,
        progress_bar(translate("cli.demo.generating", lang), n, not as_json) as update,
    ):
        report = generate_demo(stores, n, s, progress=update)
    if as_json:
        print_json({"workspace": str(ws.home), **report.as_dict()})
        return
    out_console().print(
        translate(
            "cli.demo.generated",
            lang,
            customers=format_number(n, lang),
            seed=s,
            seconds=format_number(report.seconds, lang, 1),
            home=str(ws.home),
        )
    )
    for name, count in report.rows.items():
        out_console().print(f"  {name:<20} {format_number(count, lang):>12}")


__all__ = ["app", "print_login"]
