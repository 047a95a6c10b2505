"""The audit trail: who did what, when, to what, for what purpose, how many rows.

Every action that reads personal data in bulk, changes the customer file, or changes who
may do what is recorded with :func:`record`; the names of the actions are :data:`ACTIONS`.

The log only grows. The app database refuses to change or delete an entry (triggers, on
SQLite), and each entry is chained to the one before it by a hash
(:mod:`chandung.privacy.audit`), so a change made around the database (by editing its file,
say) breaks the chain where it was made; :func:`verify` finds it. The chain's head (the last
entry's id and hash) is also kept in the file ``audit.head`` of the workspace, so that
removing the *last* entries, which leaves a valid but shorter chain, is found too.

**No personal data in the log.** ``target`` and ``details`` hold ids, names of things
(segments, files, import batches) and counts, never a customer's name, phone, e-mail or
address: the log is kept for longer than the data it describes and is not erased with it.

Appends are serialised so that two writers (threads or processes) can never fork the chain:
on SQLite the append runs in a ``BEGIN IMMEDIATE`` transaction (the database's write lock is
taken before the last entry is read), on PostgreSQL under a transaction-scoped advisory lock,
elsewhere with ``SELECT ... FOR UPDATE`` on the last entry. The head file is written while
that lock is held, just before the commit (and put back if the commit fails); a process
killed between the two leaves a head naming an entry that never got in, which :func:`verify`
reports: an alarm to look at, never a tampering that goes unseen.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import StoreError
from ..privacy.audit import GENESIS, VerifyResult, entry_hash, iso_utc, verify_chain
from ..privacy.context import current_principal, require
from ..store import AppDatabase
from ..store.app_models import AuditEntry
from ..workspace import Workspace
from .stores import Stores

#: The actions the log knows, each recorded by the code that does it.
ACTIONS = (
    "login",  # a user signed in (actor: the user)
    "login_failed",  # a sign-in was refused (actor: the user name tried)
    "logout",
    "password_change",
    "user.create",  # target: the new user name
    "user.change",  # role, grants or active flag changed; target: the user name
    "token.create",  # target: the token's id
    "token.revoke",
    "personal_data.view",  # someone saw a customer's record unmasked; target: its id
    "import",  # target: the import batch; rows: rows loaded
    "merge",  # customers' records joined into one person
    "unmerge",
    "segment.create",  # target: the segment's name
    "segment.delete",
    "segment.snapshot",  # rows: members kept
    "persona.generate",  # target: the version; rows: personas made
    "persona.edit",  # target: the persona's id; details: which fields changed
    "export",  # rows written; target: what; details: file and format
    "subject.export",  # a data subject's own data handed to them
    "subject.erase",  # a data subject erased
    "consent.record",
    "backup",
    "backup.verify",
    "restore",
    "retention.purge",  # rows: people purged; details: rows per table
    "settings.change",
    "key.rotate",
)
#: The file of the workspace holding the chain's head.
HEAD_FILE = "audit.head"
#: Entries read at a time by :func:`verify`.
BATCH = 2_000
#: Reasons :func:`verify` adds to those of :func:`chandung.privacy.audit.verify_chain`.
HEAD_REASONS = ("head_missing", "head_unreadable", "head_mismatch", "truncated")
# Key of the PostgreSQL advisory lock that serialises appends ("chandung audit").
_PG_LOCK_KEY = 0x0C4A_ADD1
# Serialises this process's appends before they queue on the database's lock.
_LOCAL = threading.Lock()
_UNREADABLE: dict[str, Any] = {"unreadable": True}


def head_path(workspace: Workspace) -> Path:
    """Where the chain's head is kept."""
    return workspace.home / HEAD_FILE


def record(
    stores: Stores,
    action: str,
    *,
    target: str = "",
    rows: int | None = None,
    purpose: str = "",
    details: Mapping[str, object] | None = None,
    actor: str | None = None,
) -> None:
    """Append an entry to the audit log.

    ``actor`` defaults to the current principal (:func:`chandung.privacy.context
    .current_principal`). ``target`` and ``details`` must not hold personal data: ids,
    names of things and counts only. ``details`` must be JSON (dates become ISO text).
    Raises ``ValueError`` for an action not in :data:`ACTIONS` (a programming error) and
    :class:`~chandung.errors.StoreError` when the entry cannot be written.

    Call it once the action is done and its own transaction committed: the entry is written
    in a transaction of its own, which on SQLite waits for any other open write transaction.
    """
    _append(
        stores.app_db.engine,
        head_path(stores.workspace),
        _fields(action, target, rows, purpose, details, actor),
    )


def record_in_workspace(
    workspace: Workspace,
    action: str,
    *,
    target: str = "",
    rows: int | None = None,
    purpose: str = "",
    details: Mapping[str, object] | None = None,
    actor: str | None = None,
) -> None:
    """:func:`record` for code that holds only the workspace (opens its app database briefly)."""
    fields = _fields(action, target, rows, purpose, details, actor)
    app_db = AppDatabase.connect(workspace.app_db_url)
    try:
        _append(app_db.engine, head_path(workspace), fields)
    finally:
        app_db.close()


def _fields(
    action: str,
    target: str,
    rows: int | None,
    purpose: str,
    details: Mapping[str, object] | None,
    actor: str | None,
) -> dict[str, Any]:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; known: {', '.join(ACTIONS)}")
    # What is hashed must be exactly what the database gives back: plain JSON, UTC time.
    plain = json.loads(json.dumps(dict(details or {}), default=_json_default, allow_nan=False))
    return {
        "at": datetime.now(UTC),
        "actor": current_principal().username if actor is None else actor,
        "action": action,
        "target": str(target),
        "rows": None if rows is None else int(rows),
        "purpose": purpose,
        "details": plain,
    }


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be written into the audit log")


def _append(engine: Engine, head: Path, fields: dict[str, Any]) -> None:
    try:
        with _LOCAL, _write_locked(engine) as conn:
            last = _last(conn)
            prev = last[1] if last else GENESIS
            new_hash = entry_hash(prev, fields)
            new_id = conn.execute(
                insert(AuditEntry)
                .values(**fields, prev_hash=prev, entry_hash=new_hash)
                .returning(AuditEntry.id)
            ).scalar_one()
            before = _read_head_text(head)
            # A head that disagrees with the log is evidence of tampering: it is left as is.
            if _head_agrees(_parse_head(before), last):
                _write_head(head, new_id, new_hash)
                try:
                    _commit(conn)
                except BaseException:
                    _restore_head(head, before)
                    raise
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError("audit.failed", reason=str(exc).splitlines()[0]) from exc


@contextmanager
def _write_locked(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction holding the audit log's write lock; committed at the
    end of the block unless the block committed itself, rolled back on error."""
    with engine.connect() as conn:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # Without the driver's implicit transactions, so that BEGIN IMMEDIATE takes the
            # database's write lock *before* the last entry is read.
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.info["audit_open"] = True
        else:
            conn.begin()
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        try:
            yield conn
            _commit(conn)
        except BaseException:
            _rollback(conn)
            raise
        finally:
            conn.info.pop("audit_open", None)


def _commit(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        if conn.info.get("audit_open"):
            conn.exec_driver_sql("COMMIT")
            conn.info["audit_open"] = False
    elif conn.in_transaction():
        conn.commit()


def _rollback(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        if conn.info.get("audit_open"):
            conn.info["audit_open"] = False
            # A failed statement may already have ended the transaction.
            with suppress(SQLAlchemyError):
                conn.exec_driver_sql("ROLLBACK")
    elif conn.in_transaction():
        conn.rollback()


def _last(conn: Connection) -> tuple[int, str] | None:
    query = select(AuditEntry.id, AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)
    if conn.dialect.name not in ("sqlite", "postgresql"):
        query = query.with_for_update()
    row = conn.execute(query).first()
    return (int(row[0]), str(row[1])) if row is not None else None


# --- the head file ---------------------------------------------------------------------------


def _read_head_text(head: Path) -> str | None:
    try:
        return head.read_text("utf-8")
    except FileNotFoundError:
        return None


def _parse_head(content: str | None) -> dict[str, Any] | None:
    """``None`` when there is no head file, :data:`_UNREADABLE` when it is not one."""
    if content is None:
        return None
    try:
        data = json.loads(content)
        return {"id": int(data["id"]), "hash": str(data["hash"])}
    except (ValueError, TypeError, KeyError):
        return _UNREADABLE


def _head_agrees(head: dict[str, Any] | None, last: tuple[int, str] | None) -> bool:
    if head is None:
        return last is None
    return last is not None and head == {"id": last[0], "hash": last[1]}


def _write_head(head: Path, entry_id: int, hash_: str) -> None:
    _write_file(head, json.dumps({"id": entry_id, "hash": hash_}) + "\n")


def _restore_head(head: Path, content: str | None) -> None:
    if content is None:
        head.unlink(missing_ok=True)
    else:
        _write_file(head, content)


def _write_file(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def reseal(stores: Stores) -> None:
    """Make the log as it is now the reference: write its last entry as the head.

    Only for when the app database was replaced on purpose (a restore from a backup): the
    head then names an entry the restored log does not have, and :func:`verify` would report
    it until the head is written again. Record the restore afterwards.
    """
    require("backups.manage")
    head = head_path(stores.workspace)
    try:
        with _LOCAL, _write_locked(stores.app_db.engine) as conn:
            last = _last(conn)
            if last is None:
                head.unlink(missing_ok=True)
            else:
                _write_head(head, *last)
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError("audit.failed", reason=str(exc).splitlines()[0]) from exc


# --- reading ---------------------------------------------------------------------------------


_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.target,
    AuditEntry.rows,
    AuditEntry.purpose,
    AuditEntry.details,
    AuditEntry.prev_hash,
    AuditEntry.entry_hash,
)


def _entries(engine: Engine) -> Iterator[dict[str, Any]]:
    """Every entry in id order, read :data:`BATCH` at a time."""
    after = 0
    while True:
        with engine.connect() as conn:
            batch = (
                conn.execute(
                    select(*_COLUMNS)
                    .where(AuditEntry.id > after)
                    .order_by(AuditEntry.id)
                    .limit(BATCH)
                )
                .mappings()
                .all()
            )
        if not batch:
            return
        for entry in batch:
            yield {str(key): value for key, value in entry.items()}
        after = int(batch[-1]["id"])


def verify(stores: Stores) -> VerifyResult:
    """Check the whole log: its hash chain, then that its head is the one kept in the
    workspace (see the module docstring). Needs the ``audit.read`` permission."""
    require("audit.read")
    engine = stores.app_db.engine
    head_file = head_path(stores.workspace)
    try:
        # The head and the entry it names are read under the write lock, so that an append
        # in progress (head written, entry not yet committed) is never taken for a loss.
        with _LOCAL, _write_locked(engine) as conn:
            head = _parse_head(_read_head_text(head_file))
            last = _last(conn)
            named = None
            if head is not None and head is not _UNREADABLE:
                named = conn.execute(
                    select(AuditEntry.entry_hash).where(AuditEntry.id == head["id"])
                ).scalar()
        result = verify_chain(_entries(engine))
    except SQLAlchemyError as exc:
        raise StoreError("audit.failed", reason=str(exc).splitlines()[0]) from exc
    if not result.ok:
        return result
    if head is None:
        if last is None:
            return result
        return VerifyResult(False, result.checked, last[0], "head_missing")
    if head is _UNREADABLE:
        return VerifyResult(False, result.checked, last[0] if last else None, "head_unreadable")
    if named is None:
        return VerifyResult(False, result.checked, int(head["id"]), "truncated")
    if named != head["hash"]:
        return VerifyResult(False, result.checked, int(head["id"]), "head_mismatch")
    return result


def list_entries(
    stores: Stores,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The latest entries first, at most ``limit``, filtered by actor, action and days (UTC,
    ``since`` and ``until`` included). Needs the ``audit.read`` permission."""
    require("audit.read")
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(0, limit))
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(AuditEntry.at < end)
    with stores.app_db.session() as session:
        return [_as_dict(e) for e in session.scalars(query)]


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
        "entry_hash": entry.entry_hash,
    }
