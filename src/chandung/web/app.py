"""The web app factory."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..errors import AccessDenied, AuthenticationError, ChandungError
from ..i18n import LANGUAGES, translate
from ..i18n.formats import format_compact_vnd, format_number, format_percent, format_vnd
from ..privacy.context import acting_as
from ..services import users
from ..services.analysis import load_overview
from ..services.customers import list_people_for
from ..services.stores import Stores, open_stores
from ..workspace import Workspace
from . import charts
from .auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Caller,
    LoginRateLimiter,
    Needs,
    safe_next,
)
from .language import COOKIE, request_language
from .security import HEADERS, SecurityHeaders

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


class _StoreHolder:
    """The app's open stores; the warehouse connection is used by one request at a time."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.stores: Stores | None = None
        self.lock = threading.Lock()
        self._stack = ExitStack()

    @contextmanager
    def use(self) -> Iterator[Stores]:
        with self.lock:
            if self.stores is None:
                self.stores = self._stack.enter_context(open_stores(self.workspace))
            yield self.stores

    def close(self) -> None:
        with self.lock:
            self._stack.close()
            self.stores = None


def create_app(workspace: Workspace) -> FastAPI:
    """Build the web app over ``workspace``."""
    holder = _StoreHolder(workspace)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        holder.close()

    app = FastAPI(
        title="Chân Dung", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.use_stores = holder.use
    app.add_middleware(SecurityHeaders)
    static = resources.files(__package__) / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    templates = Jinja2Templates(directory=str(resources.files(__package__) / "templates"))
    default_language = workspace.settings.workspace.language

    limiter = LoginRateLimiter()

    def render(
        request: Request,
        name: str,
        context: dict[str, Any],
        status_code: int = 200,
        caller: Caller | None = None,
    ) -> HTMLResponse:
        lang = request_language(request, default_language)
        context = {
            "caller": caller,
            "csrf": caller.csrf if caller else None,
            "lang": lang,
            "languages": LANGUAGES,
            "t": lambda key, **kw: translate(key, lang, **kw),
            "num": lambda v, d=0: format_number(v, lang, d),
            "vnd": lambda v: format_vnd(v, lang),
            "vnd_short": lambda v: format_compact_vnd(v, lang),
            "pct": lambda v: format_percent(v, lang),
            "business": workspace.settings.workspace.name,
            "version": __version__,
            **context,
        }
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="strict")
        return response

    def error_response(request: Request, exc: ChandungError) -> Response:
        lang = request_language(request, default_language)
        if request.url.path.startswith("/api/") or "application/json" in request.headers.get(
            "accept", ""
        ):
            return JSONResponse(exc.as_dict(lang), status_code=exc.status)
        return render(request, "error.html", {"message": exc.render(lang)}, exc.status)

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
        with holder.use() as stores:
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
        with holder.use() as stores:
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
        with holder.use() as stores:
            users.end_session(stores, request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/api/v1/me")
    def me(caller: Annotated[Caller, Depends(Needs(None))]) -> dict[str, Any]:
        p = caller.principal
        return {"username": p.username, "role": p.role, "permissions": sorted(p.permissions)}

    @app.get("/api/v1/customers")
    def customers_json(
        caller: Annotated[Caller, Depends(Needs("customers.read"))],
        search: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        with acting_as(caller.principal), holder.use() as stores:
            total, rows = list_people_for(stores, search=search, limit=limit, offset=offset)
        return {"total": total, "limit": limit, "offset": offset, "customers": rows}

    @app.get("/", response_class=HTMLResponse)
    def overview_page(
        request: Request, caller: Annotated[Caller, Depends(Needs("aggregates.read"))]
    ) -> HTMLResponse:
        with holder.use() as stores:
            figures = load_overview(stores)
        lang = request_language(request, default_language)
        months = figures.months[-36:]
        revenue_bars = charts.column_chart(
            [
                (m.month.strftime("%m/%Y"), m.revenue_vnd, format_compact_vnd(m.revenue_vnd, lang))
                for m in months
            ]
        )
        new_customer_bars = charts.column_chart(
            [
                (m.month.strftime("%m/%Y"), m.new_customers, format_number(m.new_customers, lang))
                for m in months
            ],
            height=60,
        )
        return render(
            request,
            "overview.html",
            {
                "o": figures,
                "revenue_bars": revenue_bars,
                "new_customer_bars": new_customer_bars,
                "channel_bars": charts.share_bars(
                    {
                        translate(f"channel_group.{k}", lang): v
                        for k, v in figures.revenue_by_channel_group.items()
                    },
                    width=190,
                ),
                "device_bars": charts.share_bars(
                    {
                        translate(f"device.{k}", lang): v
                        for k, v in figures.orders_by_device.items()
                    },
                    width=190,
                ),
            },
            caller=caller,
        )

    @app.get("/api/v1/overview", dependencies=[Depends(Needs("aggregates.read"))])
    def overview_json() -> dict[str, Any]:
        with holder.use() as stores:
            return load_overview(stores).as_dict()

    return app
