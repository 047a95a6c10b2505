"""Who is asking, and may they: sessions, API tokens, CSRF, and one permission per route.

Every route but ``/healthz``, ``/login`` and the static files depends on :class:`Needs`, which
finds the principal (a session cookie, or ``Authorization: Bearer`` with an API token), checks
the route's permission, and for a state-changing request made with a session checks the CSRF
token (form field ``csrf_token`` or header ``X-CSRF-Token``). Anonymous page requests are sent
to ``/login``; anonymous API requests get 401 with a JSON error.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from starlette.requests import Request

from ..errors import AccessDenied, AuthenticationError, ChandungError
from ..privacy.roles import Principal
from ..services import users
from ..services.stores import Stores

SESSION_COOKIE = "chandung_session"
LOGIN_CSRF_COOKIE = "chandung_login_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Routes open without signing in (everything else needs a permission).
PUBLIC_PATHS = frozenset({"/healthz", "/login"})


@dataclass(frozen=True)
class Caller:
    """The principal of a request, how it signed in, and its session's CSRF token."""

    principal: Principal
    csrf: str | None
    via: str  # "session" or "token"


class TooManyAttempts(ChandungError):
    """Too many sign-in attempts from one address."""

    status = 429
    default_code = "auth.too_many"


class LoginRateLimiter:
    """At most ``limit`` sign-in attempts per client address in ``window`` seconds."""

    def __init__(self, limit: int = 20, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._attempts: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            seen = self._attempts[address]
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                raise TooManyAttempts("auth.too_many")
            seen.append(now)


def caller_of(request: Request, stores: Stores) -> Caller | None:
    """The caller of ``request``, or None when anonymous (or the credentials are dead)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = users.token_principal(stores, header[7:].strip())
        return Caller(principal, None, "token") if principal else None
    token = request.cookies.get(SESSION_COOKIE, "")
    found = users.session_principal(stores, token) if token else None
    if found is None:
        return None
    principal, csrf = found
    return Caller(principal, csrf, "session")


class Needs:
    """Dependency of a route: the caller must have ``permission`` (None: be signed in)."""

    def __init__(self, permission: str | None) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Caller:
        use: Callable[[], AbstractContextManager[Stores]] = request.app.state.use_stores
        with use() as stores:
            caller = caller_of(request, stores)
        if caller is None:
            raise AuthenticationError("auth.required")
        if self.permission is not None:
            caller.principal.require(self.permission)
        if request.method in UNSAFE_METHODS and caller.via == "session":
            given = request.headers.get("x-csrf-token")
            if not given and "form" in request.headers.get("content-type", ""):
                form = await request.form()
                value = form.get("csrf_token")
                given = value if isinstance(value, str) else None
            if caller.csrf is None or not users.csrf_matches(caller.csrf, given):
                raise AccessDenied("auth.csrf")
        return caller


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this app only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def flat_routes(routes: Iterable[object]) -> Iterator[object]:
    """Every route of ``routes``, those of included routers too (the app's route modules are
    included without a prefix, so their paths are the paths served)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from flat_routes(inner.routes)
        else:
            yield route


def route_permissions(
    app_routes: Iterable[object],
) -> dict[tuple[str, str], str | None]:
    """``(method, path) → permission`` of every route guarded by :class:`Needs`."""
    out: dict[tuple[str, str], str | None] = {}
    for route in flat_routes(app_routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        for dependency in dependant.dependencies:
            if isinstance(dependency.call, Needs):
                for method in getattr(route, "methods", ()):
                    out[(method, getattr(route, "path", ""))] = dependency.call.permission
    return out
