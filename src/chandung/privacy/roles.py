"""Roles and what each may do: one permission per route and command, checked in services.

=========  ==============================================================================
role       may
=========  ==============================================================================
admin      everything: users, settings, backups and restores, the audit log, erasure
analyst    all analysis; import and merge; customers' records with personal data masked
           (unmasked only with the ``personal_data.read`` grant)
marketer   segments and personas; exports of consented audiences
viewer     read-only, aggregates only (overview, metrics, segments and personas)
=========  ==============================================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import AccessDenied

ROLES = ("admin", "analyst", "marketer", "viewer")

#: Every permission, with what it allows.
PERMISSIONS: dict[str, str] = {
    "aggregates.read": "see overview figures, metrics and charts",
    "customers.read": "see customers' records (personal data masked)",
    "personal_data.read": "see personal data unmasked",
    "customers.merge": "merge and unmerge customers' records",
    "data.import": "import files and correct quarantined rows",
    "data.export": "export the customer file",
    "analysis.run": "run the analysis and fit models",
    "segments.read": "see segments and their profiles",
    "segments.write": "create, change and delete segments",
    "personas.read": "see personas",
    "personas.write": "generate and edit personas",
    "audiences.export": "export consented audiences",
    "consents.manage": "record consents",
    "subjects.manage": "serve data-subject requests (export, erase)",
    "users.manage": "manage users and API tokens",
    "settings.manage": "change settings",
    "backups.manage": "make, verify and restore backups",
    "audit.read": "read the audit log",
    "retention.manage": "purge stale customers",
}

_ANALYST = {
    "aggregates.read", "customers.read", "customers.merge", "data.import", "analysis.run",
    "segments.read", "segments.write", "personas.read", "personas.write", "audiences.export",
}  # fmt: skip
_MARKETER = {
    "aggregates.read", "segments.read", "segments.write", "personas.read", "personas.write",
    "audiences.export",
}  # fmt: skip
_VIEWER = {"aggregates.read", "segments.read", "personas.read"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "analyst": frozenset(_ANALYST),
    "marketer": frozenset(_MARKETER),
    "viewer": frozenset(_VIEWER),
}
#: Permissions an admin may grant a user on top of their role.
GRANTABLE = frozenset({"personal_data.read", "data.export", "consents.manage"})


@dataclass(frozen=True)
class Principal:
    """Who is acting: a signed-in user, an API token's user, or the local operator."""

    username: str
    role: str
    grants: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] | None = None

    @property
    def permissions(self) -> frozenset[str]:
        allowed = ROLE_PERMISSIONS.get(self.role, frozenset()) | (self.grants & GRANTABLE)
        # A token may narrow what its user can do, never widen it.
        return allowed if self.scopes is None else allowed & self.scopes

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        """Raise :class:`AccessDenied` unless this principal has ``permission``."""
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        if not self.can(permission):
            raise AccessDenied("auth.denied", role=self.role, permission=permission)


#: Whoever runs the command line on the machine that holds the workspace: the files are
#: theirs already, so they act as an administrator (and are recorded as such in the audit log).
LOCAL_OPERATOR = Principal("local", "admin")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return role


def permissions_of(roles: Iterable[str]) -> dict[str, list[str]]:
    """The matrix: each role's permissions, sorted (for docs and the admin page)."""
    return {r: sorted(ROLE_PERMISSIONS[r]) for r in roles}
