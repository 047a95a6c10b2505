"""The permission each command needs (``None``: open to anyone who can run the program).

The command line acts as the local operator (an administrator) unless the environment
variable ``CHANDUNG_TOKEN`` holds an API token: then it acts as that token's user, and a
command the user's role does not allow is refused before it runs. A test checks that every
command is listed here.
"""

from __future__ import annotations

TOKEN_ENV = "CHANDUNG_TOKEN"  # noqa: S105 - the name of the variable, not a token

COMMAND_PERMISSIONS: dict[str, str | None] = {
    "serve": "settings.manage",
    "init": "settings.manage",
    "status": "aggregates.read",
    "analyse": "analysis.run",
    "analyze": "analysis.run",
    "import": "data.import",
    "demo": "settings.manage",
    "demo generate": "settings.manage",
    "quarantine list": "data.import",
    "quarantine export": "data.import",
    "customers resolve": "customers.merge",
    "customers list": "customers.read",
    "customers show": "customers.read",
    "customers export": "data.export",
    # The service also requires personal_data.read: the files hold personal data in clear.
    "warehouse export": "data.export",
    "customers merge": "customers.merge",
    "customers unmerge": "customers.merge",
    "quality report": "aggregates.read",
    "retention purge": "retention.manage",
    "clv fit": "analysis.run",
    "clv validate": "analysis.run",
    "metrics show": "aggregates.read",
    "segment create": "segments.write",
    "segment list": "segments.read",
    "segment show": "segments.read",
    "segment members": "segments.read",
    "segment check": "segments.read",
    "segment profile": "segments.read",
    "segment compare": "segments.read",
    "segment auto": "segments.write",
    "segment assignments": "segments.read",
    "segment not-target": "segments.read",
    "segment ready": "segments.read",
    "segment snapshot": "segments.write",
    "segment delete": "segments.write",
    "personas generate": "personas.write",
    "personas list": "personas.read",
    "personas show": "personas.read",
    "personas edit": "personas.write",
    "personas versions": "personas.read",
    "personas diff": "personas.read",
    "personas card": "personas.read",
    "personas deck": "personas.read",
    "users create-admin": "users.manage",
    "users create": "users.manage",
    "users list": "users.manage",
    "users change": "users.manage",
    "users set-password": "users.manage",
    "users token create": "users.manage",
    "users token list": "users.manage",
    "users token revoke": "users.manage",
    "audit verify": "audit.read",
    "audit list": "audit.read",
    "subject export": "subjects.manage",
    "subject erase": "subjects.manage",
    "consent record": "consents.manage",
    "consent show": "customers.read",
    "audience export": "audiences.export",
    "backup": "backups.manage",
    "backup verify": "backups.manage",
    "backup list": "backups.manage",
    "restore": "backups.manage",
    "keys rotate": "settings.manage",
    "keys show-path": "settings.manage",
}
