"""Rendering pages: the templates, the language, and the helpers every template uses."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .._version import __version__
from ..i18n import LANGUAGES, translate
from ..i18n.formats import format_compact_vnd, format_number, format_percent, format_vnd
from ..workspace import Workspace
from .auth import Caller
from .language import COOKIE, request_language


class Pages:
    """Renders the app's templates in the language of each request."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        folder = resources.files(__package__) / "templates"
        self.templates = Jinja2Templates(directory=str(folder))
        self.default_language = workspace.settings.workspace.language

    def language(self, request: Request) -> str:
        return request_language(request, self.default_language)

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any],
        status_code: int = 200,
        caller: Caller | None = None,
    ) -> HTMLResponse:
        lang = self.language(request)
        permissions = caller.principal.permissions if caller else frozenset()
        context = {
            "caller": caller,
            "can": lambda permission: permission in permissions,
            "csrf": caller.csrf if caller else None,
            "lang": lang,
            "languages": LANGUAGES,
            "t": lambda key, **kw: translate(key, lang, **kw),
            "num": lambda v, d=0: format_number(v, lang, d),
            "vnd": lambda v: format_vnd(v, lang),
            "vnd_short": lambda v: format_compact_vnd(v, lang),
            "pct": lambda v: format_percent(v, lang),
            "business": self.workspace.settings.workspace.name,
            "version": __version__,
            "path": request.url.path,
            **context,
        }
        response = self.templates.TemplateResponse(request, name, context, status_code=status_code)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="strict")
        return response
