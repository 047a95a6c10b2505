"""Who is acting, for the length of a request or command.

Surfaces set the principal once (the web app per request, the API per token, the command
line as the local operator); services read it to check permissions and to name the actor in
the audit log, so no service signature has to carry it and none can forget it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .roles import LOCAL_OPERATOR, Principal

_current: ContextVar[Principal] = ContextVar("chandung_principal", default=LOCAL_OPERATOR)


def current_principal() -> Principal:
    """The principal acting now (the local operator when no surface set one)."""
    return _current.get()


@contextmanager
def acting_as(principal: Principal) -> Iterator[Principal]:
    """Act as ``principal`` inside the block."""
    token = _current.set(principal)
    try:
        yield principal
    finally:
        _current.reset(token)


def require(permission: str) -> Principal:
    """The current principal, after checking it has ``permission`` (else AccessDenied)."""
    principal = current_principal()
    principal.require(permission)
    return principal
