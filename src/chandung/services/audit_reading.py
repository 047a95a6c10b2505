"""Reading the audit log a page at a time, and what it says about the backups.

:func:`~chandung.services.audit.list_entries` gives the latest entries; a person reading the
log in the workbench pages back through it, so :func:`page_entries` also takes the id to
continue before (keyset paging: a page costs the same however far back it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from ..privacy.audit import iso_utc
from ..privacy.context import require
from ..store.app_models import AuditEntry
from .stores import Stores

#: Most entries on one page.
MAX_PAGE = 500


@dataclass(frozen=True)
class AuditPage:
    """Entries of the log, newest first; ``next_before`` continues with older ones (None at
    the end)."""

    entries: list[dict[str, Any]]
    next_before: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"entries": self.entries, "next_before": self.next_before}


@dataclass(frozen=True)
class BackupCheck:
    """The latest check of one backup recorded in the log (when it was made or verified)."""

    at: str
    ok: bool
    action: str

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "ok": self.ok, "action": self.action}


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def page_entries(
    stores: Stores,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
    before: int | None = None,
    limit: int = 50,
) -> AuditPage:
    """At most ``limit`` entries with an id below ``before``, newest first, filtered by actor,
    action and days (UTC, ``since`` and ``until`` included). Needs ``audit.read``."""
    require("audit.read")
    limit = max(1, min(limit, MAX_PAGE))
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= _start(since))
    if until is not None and until < date.max:
        query = query.where(AuditEntry.at < _start(until + timedelta(days=1)))
    if before is not None:
        query = query.where(AuditEntry.id < before)
    with stores.app_db.session() as session:
        found = [_as_dict(e) for e in session.scalars(query)]
    more = len(found) > limit
    found = found[:limit]
    return AuditPage(found, int(found[-1]["id"]) if more else None)


def _as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": iso_utc(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "rows": entry.rows,
        "purpose": entry.purpose,
        "details": entry.details,
    }


def backup_checks(stores: Stores, *, scan: int = 5_000) -> dict[str, BackupCheck]:
    """The latest check of each backup named in the last ``scan`` backup entries of the log:
    the verification made with it, or a later ``backup verify``. Needs ``backups.manage``."""
    require("backups.manage")
    query = (
        select(AuditEntry.at, AuditEntry.action, AuditEntry.target, AuditEntry.details)
        .where(AuditEntry.action.in_(("backup", "backup.verify")))
        .order_by(AuditEntry.id.desc())
        .limit(scan)
    )
    out: dict[str, BackupCheck] = {}
    with stores.app_db.session() as session:
        for at, action, target, details in session.execute(query):
            if target in out:
                continue
            facts = dict(details or {})
            ok = facts.get("ok") if action == "backup.verify" else facts.get("verified")
            out[str(target)] = BackupCheck(iso_utc(at), bool(ok), str(action))
    return out


__all__ = ["MAX_PAGE", "AuditPage", "BackupCheck", "backup_checks", "page_entries"]
