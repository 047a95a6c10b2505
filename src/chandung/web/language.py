"""The language of a page: ``?lang=`` first, then the cookie, then the workspace default."""

from __future__ import annotations

from starlette.requests import Request

from ..i18n import LANGUAGES

COOKIE = "chandung_lang"


def request_language(request: Request, default: str) -> str:
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return default
