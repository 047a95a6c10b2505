"""Errors a person can act on.

Every error the product raises on purpose is a :class:`ChandungError`. It carries a stable
``code`` (translated in the ``i18n`` catalogues), where the problem is, and what to do. The CLI
prints it in one line and exits non-zero; the web app and API render it with its HTTP status.

Tree::

    ChandungError
    ├── InputError (ValueError)          bad file, row, field, option or setting
    │   └── ConfigError                  config.toml cannot be read or holds a bad value
    ├── WorkspaceError                   the workspace is missing or unusable
    ├── StoreError                       the warehouse or app database failed
    │   └── EngineCapabilityError        the engine lacks a capability the call needs
    ├── NotFoundError (LookupError)      a named thing does not exist
    ├── AuthenticationError              not signed in, or wrong credentials
    └── AccessDenied (PermissionError)   the role may not do this
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .i18n import DEFAULT_LANGUAGE, translate


@dataclass(frozen=True)
class Where:
    """The place a problem is: a file, and optionally a row, column or field."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.field:
            parts.append(self.field)
        return ", ".join(parts)


class ChandungError(Exception):
    """Root of the errors meant for people.

    Parameters
    ----------
    code
        Stable code of the message in the catalogues (``errors.<code>``), e.g. ``config.parse``.
    where
        Where the problem is.
    **params
        Values the message names (file names, values, limits).
    """

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "internal"

    def __init__(self, code: str | None = None, *, where: Where | None = None, **params: Any):
        self.code = code or self.default_code
        self.where = where
        self.params = params
        super().__init__(self.render("en"))

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The message in ``language``: what went wrong, where, and what to do."""
        params = self.shown_params(language)
        message = translate(f"errors.{self.code}", language, **params)
        if self.where is not None:
            message = f"{self.where}: {message}"
        hint = translate(f"errors.{self.code}.hint", language, default="", **params)
        return f"{message} {hint}".strip()

    def shown_params(self, language: str) -> dict[str, Any]:  # noqa: ARG002 (for subclasses)
        """The values the message names, as the reader of ``language`` should see them."""
        return self.params

    def as_dict(self, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        """The error as JSON for the API and ``--json`` output."""
        return {
            "error": self.code,
            "message": self.render(language),
            "where": str(self.where) if self.where else None,
        }


class InputError(ChandungError, ValueError):
    """Bad input: a file, row, field, option or setting."""

    status = 422
    default_code = "input"


class ConfigError(InputError):
    """``config.toml`` cannot be read or holds a bad value."""

    default_code = "config.invalid"


class WorkspaceError(ChandungError):
    """The workspace is missing or cannot be used."""

    status = 500
    default_code = "workspace.unusable"


class StoreError(ChandungError):
    """The warehouse or the app database failed.

    A ``step`` parameter names what was being done, by its code (``engines.step.<code>``
    in the catalogues), so that the message says it in the reader's language.
    """

    status = 503
    default_code = "store.unreachable"

    def shown_params(self, language: str) -> dict[str, Any]:
        params = dict(self.params)
        if "step" in params:
            params["step"] = translate(
                f"engines.step.{params['step']}", language, default=str(params["step"])
            )
        return params


class EngineCapabilityError(StoreError):
    """The warehouse engine lacks a capability the call needs."""

    status = 501
    default_code = "store.capability"


class NotFoundError(ChandungError, LookupError):
    """A named thing does not exist."""

    status = 404
    default_code = "not_found"


class AuthenticationError(ChandungError):
    """Not signed in, or the credentials are wrong (never saying which part was wrong)."""

    status = 401
    default_code = "auth.required"


class AccessDenied(ChandungError, PermissionError):
    """The signed-in role may not do this.

    ``role`` and ``permission`` are codes; the message names them in the reader's language.
    """

    status = 403
    default_code = "auth.denied"

    def shown_params(self, language: str) -> dict[str, Any]:
        params = dict(self.params)
        if "role" in params:
            params["role"] = translate(f"roles.{params['role']}", language)
        if "permission" in params:
            params["permission"] = translate(f"permissions.{params['permission']}", language)
        return params
