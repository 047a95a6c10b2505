"""State shared by the commands: workspace, language, output mode; and how errors are shown."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from ..errors import AuthenticationError, ChandungError
from ..i18n import normalise_language, translate
from ..privacy.context import acting_as
from ..privacy.roles import LOCAL_OPERATOR, Principal
from ..workspace import Workspace
from .permissions import COMMAND_PERMISSIONS, TOKEN_ENV

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Workspace directory (default: $CHANDUNG_HOME or a per-user "
        "folder). / Thư mục làm việc.",
        file_okay=False,
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON. / In kết quả dạng JSON.")
]


@dataclass
class State:
    home: Path | None = None
    language: str | None = None
    debug: bool = False

    def workspace(self, home: Path | None = None) -> Workspace:
        return Workspace.open(home or self.home)

    def lang(self, workspace: Workspace | None = None) -> str:
        if self.language:
            return self.language
        return workspace.settings.workspace.language if workspace else normalise_language(None)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


class ErrorHandlingGroup(TyperGroup):
    """Shows a :class:`ChandungError` as one sentence and exits 1; a traceback only with --debug."""

    def invoke(self, ctx: Any) -> Any:
        try:
            with acting_as(_cli_principal(ctx)) as principal:
                permission = COMMAND_PERMISSIONS.get(_command_path(self, ctx))
                if permission is not None:
                    principal.require(permission)
                return super().invoke(ctx)
        except ChandungError as exc:
            st = ctx.obj if isinstance(ctx.obj, State) else State()
            if st.debug or (ctx.obj is None and ctx.params.get("debug")):
                raise
            # A refusal before the main options are applied still speaks the asked language.
            language = st.language or normalise_language(ctx.params.get("lang"))
            err_console().print(
                f"[bold red]{translate('cli.error', language)}[/] {escape(exc.render(language))}",
                markup=True,
            )
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            # The reader of the output went away (``| head``): stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Exception as exc:
            # A bug, not a user error: one line that says so and how to see the details.
            st = ctx.obj if isinstance(ctx.obj, State) else State()
            if st.debug or _is_usage_error(exc):
                raise
            language = st.language or normalise_language(None)
            message = translate("cli.unexpected", language, kind=type(exc).__name__)
            err_console().print(
                f"[bold red]{translate('cli.error', language)}[/] {message}", markup=True
            )
            raise typer.Exit(70) from None


def _command_path(group: Any, ctx: Any) -> str:
    """The command about to run (``"segment create"``), from the words after the options."""
    words = list(getattr(ctx, "_protected_args", []) or []) + list(ctx.args)
    path: list[str] = []
    current = group
    for word in words:
        if not hasattr(current, "get_command"):
            break
        sub = current.get_command(ctx, word)
        if sub is None:
            break
        path.append(word)
        current = sub
    return " ".join(path)


def _cli_principal(ctx: Any) -> Principal:
    """The local operator, or the user of the API token in ``CHANDUNG_TOKEN``."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        return LOCAL_OPERATOR
    from ..services.stores import open_stores
    from ..services.users import token_principal

    home = ctx.params.get("home")
    words = list(getattr(ctx, "_protected_args", []) or []) + list(ctx.args)
    for i, word in enumerate(words):
        if word == "--home" and i + 1 < len(words):
            home = words[i + 1]
        elif word.startswith("--home="):
            home = word.split("=", 1)[1]
    with open_stores(Workspace.open(Path(home) if home else None)) as stores:
        principal = token_principal(stores, token)
    if principal is None:
        raise AuthenticationError("auth.required")
    return principal


def _is_usage_error(exc: Exception) -> bool:
    # Typer's own parsing errors (bad options) are shown by Typer with the usage text.
    return type(exc).__module__.startswith(("typer", "click"))
