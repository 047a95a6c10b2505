"""Entry point of the ``chandung`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .._version import __version__
from ..i18n import LANGUAGES
from . import (
    audience_commands,
    audit_commands,
    backup_commands,
    customer_commands,
    demo,
    import_commands,
    key_commands,
    persona_commands,
    quality_commands,
    retention_commands,
    segment_commands,
    serve,
    subject_commands,
    user_commands,
    value_commands,
    warehouse_commands,
    workspace_commands,
)
from ._context import ErrorHandlingGroup, HomeOption, State

app = typer.Typer(
    name="chandung",
    cls=ErrorHandlingGroup,
    no_args_is_help=True,
    add_completion=False,
    help="Chân Dung: customer file, customer value, segments and personas. / Tệp khách hàng, "
    "giá trị khách hàng, phân khúc và chân dung khách hàng.",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"chandung {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: HomeOption = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of messages: vi or en. / Ngôn ngữ: vi hoặc en."),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks. / Hiện chi tiết lỗi.")
    ] = False,
    _version_flag: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show the version and exit. / Hiện phiên bản.",
        ),
    ] = False,
) -> None:
    if lang is not None and lang not in LANGUAGES:
        raise typer.BadParameter("use vi or en / dùng vi hoặc en", param_hint="--lang")
    ctx.obj = State(home=Path(home) if home else None, language=lang, debug=debug)


app.add_typer(demo.app, name="demo")
serve.register(app)
workspace_commands.register(app)
import_commands.register(app)
customer_commands.register(app)
quality_commands.register(app)
retention_commands.register(app)
value_commands.register(app)
segment_commands.register(app)
persona_commands.register(app)
user_commands.register(app)
audit_commands.register(app)
subject_commands.register(app)
backup_commands.register(app)
key_commands.register(app)
audience_commands.register(app)
warehouse_commands.register(app)


def main() -> None:
    """Run the command line (the ``chandung`` console script)."""
    app()
