"""``chandung serve``: the web app."""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import translate
from ..workspace import Workspace
from ._context import HomeOption, out_console, state

HostOption = Annotated[
    str | None,
    typer.Option(
        "--host",
        help="Address to listen on (default 127.0.0.1). / Địa chỉ lắng nghe.",
        show_default=False,
    ),
]
PortOption = Annotated[
    int | None,
    typer.Option(
        "--port", min=1, max=65535, help="Port (default 8000). / Cổng.", show_default=False
    ),
]


def print_login(url: str, lang: str) -> None:
    console = out_console()
    console.print(translate("cli.serve.open", lang, url=url))
    console.print(translate("cli.serve.login", lang))
    console.print(translate("cli.serve.stop", lang))


def run_server(ws: Workspace, host: str | None, port: int | None, lang: str) -> None:
    import uvicorn

    from ..web import create_app

    host = host or ws.settings.server.host
    port = port or ws.settings.server.port
    print_login(f"http://{host}:{port}", lang)
    uvicorn.run(create_app(ws), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: HostOption = None,
        port: PortOption = None,
        home: HomeOption = None,
    ) -> None:
        """Serve the web app (default http://127.0.0.1:8000). / Chạy ứng dụng web."""
        st = state(ctx)
        ws = st.workspace(home)
        run_server(ws, host, port, st.lang(ws))
