"""The route reference of ``docs/web.md``: every page and API resource with its permission."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi.routing import APIRoute

from ..workspace import Workspace
from .auth import PUBLIC_PATHS, flat_routes, route_permissions


def render_route_reference() -> str:
    """Markdown tables of the pages and of the REST API, generated from the app itself."""
    from . import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Workspace.open(Path(folder) / "ws"))
        guarded = route_permissions(app.routes)
        routes = [r for r in flat_routes(app.routes) if isinstance(r, APIRoute)]
    pages: list[str] = []
    api: list[str] = []
    for route in sorted(routes, key=lambda r: (r.path, sorted(r.methods or ()))):
        for method in sorted(route.methods or ()):
            if route.path in PUBLIC_PATHS:
                permission = "none (open)"
            else:
                found = guarded.get((method, route.path))
                permission = "signed in" if found is None else f"`{found}`"
            lines = (route.description or "").strip().splitlines()
            summary = lines[0] if lines else route.name.replace("_", " ").capitalize()
            line = f"| {method} | `{route.path}` | {permission} | {summary} |"
            (api if route.path.startswith("/api/") else pages).append(line)
    head = "| method | path | permission | what |\n|---|---|---|---|"
    return "\n".join(
        [
            "# Web app and REST API reference",
            "",
            "Generated from the app by `make docs`; a test fails when it is stale. Every route but",
            "`/healthz` and `/login` needs a signed-in caller with the permission named here (see",
            "[security.md](security.md) for the roles). Anonymous page requests are sent to",
            "`/login`; anonymous API requests get 401 with a JSON error. The OpenAPI document is",
            "served to signed-in callers at `/api/v1/openapi.json`. State-changing requests made",
            "with a session need the CSRF token (form field `csrf_token` or header",
            "`X-CSRF-Token`); API tokens (`Authorization: Bearer cdt_…`) need none.",
            "",
            "## Pages",
            "",
            head,
            *pages,
            "",
            "## REST API (`/api/v1`)",
            "",
            head,
            *api,
            "",
        ]
    )
