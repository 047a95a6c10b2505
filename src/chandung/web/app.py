"""The web app factory."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..errors import AccessDenied, AuthenticationError, ChandungError
from ..services import users
from ..workspace import Workspace
from .auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Caller,
    LoginRateLimiter,
    Needs,
    caller_of,
    safe_next,
)
from .holder import StoreHolder
from .jobs import JobRunner
from .language import request_language
from .pages import Pages
from .routes import ROUTERS
from .security import HEADERS, SecurityHeaders
from .timing import ServerTiming

logger = logging.getLogger(__name__)


def _set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int
) -> None:
    """A cookie scripts cannot read, sent only to this site, and only over HTTPS when the
    app is served over HTTPS."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip


def _with_status(response: Response, status: int) -> Response:
    response.status_code = status
    # A 500 is rendered outside the middleware stack, so it gets the security headers here.
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def create_app(workspace: Workspace) -> FastAPI:
    """Build the web app over ``workspace``."""
    holder = StoreHolder(workspace)
    jobs = JobRunner(holder)
    pages = Pages(workspace)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()
        holder.close()

    app = FastAPI(
        title="Chân Dung",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.holder = holder
    app.state.jobs = jobs
    app.state.pages = pages
    # Checking a session or token touches the app database only: it never waits for a long
    # task holding the warehouse.
    app.state.use_stores = holder.use_accounts
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ServerTiming)
    static = resources.files(__package__) / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    default_language = workspace.settings.workspace.language
    render = pages.render
    limiter = LoginRateLimiter()

    def error_response(request: Request, exc: ChandungError) -> Response:
        lang = request_language(request, default_language)
        if request.url.path.startswith("/api/") or "application/json" in request.headers.get(
            "accept", ""
        ):
            return JSONResponse(exc.as_dict(lang), status_code=exc.status)
        # A signed-in person who is refused keeps the menu and the sign-out button.
        caller = None
        try:
            with holder.use_accounts() as stores:
                caller = caller_of(request, stores)
        except Exception:  # the error page must render even when the stores cannot open
            logger.debug("no caller for the error page", exc_info=True)
        return render(
            request, "error.html", {"message": exc.render(lang)}, exc.status, caller=caller
        )

    @app.exception_handler(ChandungError)
    async def chandung_error(request: Request, exc: ChandungError) -> Response:
        is_api = request.url.path.startswith("/api/")
        if isinstance(exc, AuthenticationError) and not is_api and request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = "not_found" if exc.status_code == 404 else "http"
        error = ChandungError(code, status=exc.status_code)
        return _with_status(error_response(request, error), exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        # The details go to the server log; the person gets a plain message, never a traceback.
        logger.exception("unexpected error on %s", request.url.path, exc_info=exc)
        return _with_status(error_response(request, ChandungError("internal")), 500)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        with holder.use_accounts() as stores:
            no_admin = not users.has_admin(stores)
        token = secrets.token_urlsafe(32)
        response = render(
            request, "login.html", {"next": safe_next(next), "login_csrf": token,
                                    "no_admin": no_admin, "failed": False},
        )  # fmt: skip
        _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
        return response

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        username: Annotated[str, Form(max_length=100)],
        password: Annotated[str, Form(max_length=1000)],
        csrf_token: Annotated[str, Form(max_length=200)],
        next: Annotated[str, Form(max_length=2000)] = "/",
    ) -> Response:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not users.csrf_matches(expected, csrf_token):
            raise AccessDenied("auth.csrf")
        limiter.check(request.client.host if request.client else "?")
        with holder.use_accounts() as stores:
            old = request.cookies.get(SESSION_COOKIE)
            if old:
                users.end_session(stores, old)
            try:
                principal = users.authenticate(stores, username, password)
            except AuthenticationError as exc:
                lang = request_language(request, default_language)
                token = secrets.token_urlsafe(32)
                failed = render(
                    request, "login.html",
                    {"next": safe_next(next), "login_csrf": token, "no_admin": False,
                     "failed": True, "message": exc.render(lang)},
                    status_code=401,
                )  # fmt: skip
                _set_cookie(request, failed, LOGIN_CSRF_COOKIE, token, max_age=3600)
                return failed
            # A new session id at every sign-in: an id planted before is worthless.
            session_token, _ = users.start_session(stores, principal.username)
        response = RedirectResponse(safe_next(next), status_code=303)
        hours = workspace.settings.security.session_hours
        _set_cookie(request, response, SESSION_COOKIE, session_token, max_age=hours * 3600)
        response.delete_cookie(LOGIN_CSRF_COOKIE)
        return response

    @app.post("/logout", include_in_schema=False, dependencies=[Depends(Needs(None))])
    def logout(request: Request) -> Response:
        with holder.use_accounts() as stores:
            users.end_session(stores, request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/api/v1/me", tags=["account"])
    def me(caller: Annotated[Caller, Depends(Needs(None))]) -> dict[str, Any]:
        """Who the caller is and what they may do."""
        p = caller.principal
        return {"username": p.username, "role": p.role, "permissions": sorted(p.permissions)}

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi_document(_: Annotated[Caller, Depends(Needs(None))]) -> dict[str, Any]:
        """The OpenAPI document of the REST API (signed-in callers only)."""
        return app.openapi()

    for router in ROUTERS:
        app.include_router(router)
    return app
