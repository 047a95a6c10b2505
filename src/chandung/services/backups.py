"""Verified, encrypted backups of a workspace, and restoring them.

What a backup holds
    ``config.toml``, the warehouse file (``warehouse.duckdb``, exactly as it is on disk, after
    a ``CHECKPOINT``, so encrypted when the warehouse is), ``app.db`` (a snapshot made with
    SQLite's online backup API), ``quarantine/`` and the work tables in ``work/``, plus a
    manifest: when it was made, the Chân Dung version, the SHA-256 and size of every file and
    the row count of every table of both stores. Not in it: ``keys/`` (a backup must never
    carry the key that opens it), ``backups/`` and ``demo/`` (the demo's ground truth, made
    again by ``chandung demo``).

File format (version 1)
    A header of 50 bytes — magic ``CDBACKUP``, format version (1 byte), algorithm (1 byte,
    1 = AES-256-GCM), plaintext chunk size (4 bytes, big-endian), a random salt (16 bytes), a
    random nonce prefix (4 bytes) and a key check (16 bytes) — then the archive (an
    uncompressed POSIX tar whose last member is ``manifest.json``) cut into chunks of the
    chunk size (4 MiB), each encrypted with AES-256-GCM under a key derived (HKDF-SHA256, the
    salt) from ``derive_key(workspace key, "backup")``. Chunk ``i`` has the nonce
    ``prefix || i`` (8 bytes, big-endian) and the associated data ``header || i || final``, so
    a changed, removed, reordered or added chunk, a cut-off file and a changed header all fail
    to authenticate. Beside each backup a ``.sha256`` file (the format of ``sha256sum``)
    catches damage before anything is decrypted.

Restoring atomically
    The backup is first verified in a scratch folder, then unpacked a second time into a
    staging folder inside the workspace (``.restore-*``); erasure tombstones and newer audit
    entries are carried over from the current ``app.db`` into the staged one. A journal
    (``.restore.json``, written atomically) then marks the point of no return, and each data
    file or folder is moved aside and the new one moved in with ``os.replace`` (a rename on
    the same disk). An error during the moves puts everything back. If the process is killed
    while moving, the journal is still there: the next ``chandung backup`` or ``chandung
    restore`` (or :func:`recover_interrupted_restore`) completes the moves, so the workspace
    ends in the new state, never a mix. Killed before the journal, nothing has moved and the
    old state stays. ``keys/`` is never touched.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import struct
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, cast

import duckdb
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import inspect, text

from .._version import __version__
from ..errors import ChandungError, ConfigError, InputError, NotFoundError, StoreError, Where
from ..i18n import DEFAULT_LANGUAGE, translate
from ..privacy.context import require
from ..privacy.keys import KEY_FILE, derive_key, key_id, load_workspace_key, write_key_file
from ..store import AppDatabase, Warehouse
from ..store.warehouse import redact_url
from ..workspace import Workspace, write_atomic
from . import audit
from .stores import Stores, app_db_is_embedded, open_stores, warehouse_is_embedded
from .subjects import apply_erasures

MAGIC = b"CDBACKUP"
FORMAT_VERSION = 1
ALGORITHM_AES_256_GCM = 1
CHUNK_SIZE = 4 * 1024 * 1024
SUFFIX = ".backup"
MANIFEST = "manifest.json"
#: How often ``backup --if-due`` makes a backup, by ``[backup] schedule``.
SCHEDULES: dict[str, timedelta] = {
    "hourly": timedelta(hours=1),
    "daily": timedelta(days=1),
    "weekly": timedelta(weeks=1),
}
#: A backup is due a little before a full period has passed, so that a timer firing at the
#: same time every day is not skipped because the previous run finished a few seconds later.
DUE_FRACTION = 0.95

_HEADER = struct.Struct(">8sBBI16s4s12s16s")
_TAG = 16
_MIN_CHUNK, _MAX_CHUNK = 1024, 64 * 1024 * 1024
_MAX_MANIFEST = 64 * 1024 * 1024
_NAME = re.compile(r"^chandung-(\d{8}T\d{12})Z\.backup$")
_JOURNAL = ".restore.json"
_LOCK = ".restore.lock"
_STALE = timedelta(days=1)
_FOLDERS = ("quarantine", "work")


# --- reports -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a backup: a code (``backups.problem.<code>``) and its values."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        code = self.code
        main = translate(f"backups.problem.{code}", language)
        more = translate(f"backups.problem_detail.{code}", language, default="")
        # Filled here rather than by translate(), whose own parameter is named ``key``.
        try:
            return f"{main} {more}".strip().format(**self.params)
        except (KeyError, IndexError, ValueError):
            return f"{main} {more}".strip()

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, **self.params, "message": self.text("en")}


@dataclass
class VerifyReport:
    """What checking one backup found; ``ok`` when nothing is wrong."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    #: ``ok``, ``missing`` (no ``.sha256`` beside the backup) or ``mismatch``.
    checksum: str = "missing"
    created_at: str | None = None
    chandung_version: str | None = None
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    warehouse_rows: dict[str, int] = field(default_factory=dict)
    app_db_rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "problems": [p.as_dict() for p in self.problems],
            "checksum": self.checksum,
            "created_at": self.created_at,
            "chandung_version": self.chandung_version,
            "files": self.files,
            "warehouse_rows": self.warehouse_rows,
            "app_db_rows": self.app_db_rows,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class BackupReport:
    """What :func:`create_backup` wrote."""

    name: str
    created_at: str
    paths: list[str]
    size: int
    sha256: str
    files: dict[str, dict[str, Any]]
    warehouse_rows: dict[str, int]
    app_db_rows: dict[str, int]
    verified: VerifyReport | None
    removed: list[str]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": self.created_at,
            "paths": self.paths,
            "size": self.size,
            "sha256": self.sha256,
            "files": self.files,
            "warehouse_rows": self.warehouse_rows,
            "app_db_rows": self.app_db_rows,
            "verified": self.verified.as_dict() if self.verified else None,
            "removed": self.removed,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class BackupInfo:
    """One backup file found in a destination."""

    path: Path
    created_at: datetime
    size: int
    has_checksum: bool
    #: The id of the workspace key that opens it (``chandung keys show-path`` shows the
    #: workspace's), read from its header; ``None`` when the header cannot be read.
    key_id: str | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "created_at": self.created_at.isoformat(),
            "size": self.size,
            "has_checksum": self.has_checksum,
            "key_id": self.key_id,
        }


@dataclass
class RestoreReport:
    """What :func:`restore_backup` did."""

    backup: str
    created_at: str | None
    #: The files and folders of the workspace that were replaced.
    replaced: list[str]
    #: SHA-256 of each restored file as unpacked, checked against the manifest.
    files: dict[str, str]
    #: Rows carried over from the replaced app database (erasure tombstones, audit entries).
    carried_over: dict[str, int]
    #: What re-applying the erasure tombstones removed.
    erasures: dict[str, int]
    warehouse_rows: dict[str, int]
    app_db_rows: dict[str, int]
    verify: VerifyReport | None
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "backup": self.backup,
            "created_at": self.created_at,
            "replaced": self.replaced,
            "files": self.files,
            "carried_over": self.carried_over,
            "erasures": self.erasures,
            "warehouse_rows": self.warehouse_rows,
            "app_db_rows": self.app_db_rows,
            "verify": self.verify.as_dict() if self.verify else None,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class DueStatus:
    """Whether ``backup --if-due`` should make a backup now."""

    schedule: str
    due: bool
    newest: datetime | None
    next_due: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "schedule": self.schedule,
            "due": self.due,
            "newest": self.newest.isoformat() if self.newest else None,
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }


class BackupProblemsError(InputError):
    """A backup did not pass verification; the message lists what is wrong."""

    def __init__(self, code: str, *, name: str, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__(code, name=name, problems="")

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        self.params["problems"] = "; ".join(p.text(language) for p in self.problems)
        return super().render(language)


# --- where backups are -------------------------------------------------------------------


def backup_destinations(
    workspace: Workspace, destinations: Sequence[str | os.PathLike[str]] | None = None
) -> list[Path]:
    """The folders backups go to: ``destinations`` if given, else ``[backup] destinations``,
    else the workspace's ``backups/``. Relative folders of the settings are in the workspace."""
    chosen = list(destinations or workspace.settings.backup.destinations)
    if not chosen:
        return [workspace.backups_dir]
    out: list[Path] = []
    for item in chosen:
        path = Path(item).expanduser()
        if not path.is_absolute():
            path = (Path.cwd() if destinations else workspace.home) / path
        if path not in out:
            out.append(path)
    return out


def list_backups(
    workspace: Workspace, destinations: Sequence[str | os.PathLike[str]] | None = None
) -> list[BackupInfo]:
    """The backups in the destinations, newest first."""
    found: list[BackupInfo] = []
    for folder in backup_destinations(workspace, destinations):
        found.extend(_backups_in(folder))
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def resolve_backup(
    workspace: Workspace,
    backup: str | os.PathLike[str] | None = None,
    destinations: Sequence[str | os.PathLike[str]] | None = None,
) -> Path:
    """The backup file meant by ``backup``: a path, the name of a backup in a destination, or
    ``None`` for the newest one."""
    if backup is None:
        found = list_backups(workspace, destinations)
        if not found:
            where = ", ".join(str(d) for d in backup_destinations(workspace, destinations))
            raise NotFoundError("backup.none", where=Where(file=where))
        return found[0].path
    path = Path(backup).expanduser()
    if path.is_file():
        return path.resolve()
    for folder in backup_destinations(workspace, destinations):
        candidate = folder / path.name
        if candidate.is_file():
            return candidate
    raise NotFoundError("backup.not_found", name=str(backup))


def _backups_in(folder: Path) -> list[BackupInfo]:
    if not folder.is_dir():
        return []
    out = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        created = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
        checksum = path.with_name(path.name + ".sha256")
        size = path.stat().st_size
        out.append(BackupInfo(path, created, size, checksum.is_file(), _header_key_id(path)))
    return out


def _header_key_id(path: Path) -> str | None:
    with open(path, "rb") as fh:
        header = fh.read(_HEADER.size)
    if len(header) < _HEADER.size or not header.startswith(MAGIC):
        return None
    made_with = _HEADER.unpack(header)[6]
    return made_with.decode("ascii") if made_with.isalnum() else None


def _backup_name(created: datetime) -> str:
    return f"chandung-{created.astimezone(UTC):%Y%m%dT%H%M%S%f}Z{SUFFIX}"


# --- schedule ----------------------------------------------------------------------------


def backup_due(
    workspace: Workspace,
    destinations: Sequence[str | os.PathLike[str]] | None = None,
    *,
    now: datetime | None = None,
) -> DueStatus:
    """Whether a backup is due by ``[backup] schedule``: never with an empty schedule, else
    when there is no backup yet or the newest is (almost) a full period old."""
    schedule = workspace.settings.backup.schedule.strip().lower()
    if not schedule:
        return DueStatus("", False, None, None)
    if schedule not in SCHEDULES:
        raise ConfigError("backup.schedule", value=schedule, names=", ".join(SCHEDULES))
    now = now or datetime.now(UTC)
    found = list_backups(workspace, destinations)
    if not found:
        return DueStatus(schedule, True, None, now)
    newest = found[0].created_at
    next_due = newest + SCHEDULES[schedule] * DUE_FRACTION
    return DueStatus(schedule, now >= next_due, newest, next_due)


# --- making a backup ---------------------------------------------------------------------


def create_backup(
    target: Stores | Workspace,
    destinations: Sequence[str | os.PathLike[str]] | None = None,
    *,
    verify: bool = True,
    actor: str | None = None,
) -> BackupReport:
    """Back up the workspace of ``target`` (open stores, or a workspace to open) to every
    destination (see :func:`backup_destinations`), keeping the newest ``[backup] keep``.

    The stores stay open (so nothing else writes) while the warehouse is checkpointed and
    copied and ``app.db`` is snapshotted. With ``verify`` (the default) the new backup is
    checked like :func:`verify_backup` before it is put in place; one that fails is not kept.
    """
    require("backups.manage")
    if isinstance(target, Workspace):
        _recover_if_needed(target)
        with _lock(target.home, exclusive=False), open_stores(target) as stores:
            return _create(stores, destinations, verify=verify, actor=actor)
    if (target.workspace.home / _JOURNAL).exists():
        raise StoreError("backup.restore_unfinished")
    with _lock(target.workspace.home, exclusive=False):
        return _create(target, destinations, verify=verify, actor=actor)


def _create(
    stores: Stores,
    destinations: Sequence[str | os.PathLike[str]] | None,
    *,
    verify: bool,
    actor: str | None,
) -> BackupReport:
    started = time.monotonic()
    ws = stores.workspace
    _check_embedded(ws)
    folders = backup_destinations(ws, destinations)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    master = stores.keys.current if stores.keys is not None else _master_key(ws, create=True)
    created = datetime.now(UTC)
    while any((f / _backup_name(created)).exists() for f in folders):
        created += timedelta(microseconds=1)
    name = _backup_name(created)
    scratch = Path(tempfile.mkdtemp(prefix=".backup-", dir=ws.home))
    pending = folders[0] / f".{name}.tmp"
    try:
        _checkpoint(stores.warehouse, ws.warehouse_path)
        snapshot = scratch / ws.app_db_path.name
        _sqlite_snapshot(ws.app_db_path, snapshot)
        manifest: dict[str, Any] = {
            "format": "chandung-backup",
            "format_version": FORMAT_VERSION,
            "created_at": created.isoformat(),
            "chandung_version": __version__,
            "workspace": ws.settings.workspace.name,
            "warehouse_rows": _warehouse_counts(stores.warehouse),
            "app_db_rows": _sqlite_counts(snapshot),
        }
        with _create_private(pending) as raw:
            encryptor = _Encryptor(raw, master)
            files = _write_archive(encryptor, _members(ws, snapshot), manifest)
            encryptor.close()
            raw.flush()
            os.fsync(raw.fileno())
        digest = _sha256_of(pending)
        verified = None
        if verify:
            verified = _verify(ws, pending, master, expected_sha256=digest)
            if not verified.ok:
                raise BackupProblemsError(
                    "backup.verify_failed", name=name, problems=verified.problems
                )
        paths = [folders[0] / name]
        _publish(pending, paths[0], digest)
        for folder in folders[1:]:
            copy = folder / f".{name}.tmp"
            try:
                with open(paths[0], "rb") as src, _create_private(copy) as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
                    dst.flush()
                    os.fsync(dst.fileno())
                paths.append(folder / name)
                _publish(copy, paths[-1], digest)
            finally:
                copy.unlink(missing_ok=True)
        removed: list[str] = []
        for folder in folders:
            removed.extend(_prune(folder, ws.settings.backup.keep))
    finally:
        pending.unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)
    report = BackupReport(
        name=name,
        created_at=created.isoformat(),
        paths=[str(p) for p in paths],
        size=paths[0].stat().st_size,
        sha256=digest,
        files=files,
        warehouse_rows=manifest["warehouse_rows"],
        app_db_rows=manifest["app_db_rows"],
        verified=verified,
        removed=removed,
        seconds=time.monotonic() - started,
    )
    audit.record(
        stores,
        "backup",
        target=name,
        rows=sum(report.warehouse_rows.values()),
        details={
            "destinations": [str(f) for f in folders],
            "size": report.size,
            "sha256": digest,
            "verified": bool(verified and verified.ok),
            "removed": removed,
        },
        actor=actor,
    )
    return report


def _check_embedded(ws: Workspace) -> None:
    """Backups copy the workspace's own files: refuse stores that live elsewhere."""
    if not warehouse_is_embedded(ws):
        raise StoreError(
            "backup.external_store", store="warehouse", url=redact_url(ws.warehouse_url)
        )
    if not app_db_is_embedded(ws):
        raise StoreError(
            "backup.external_store", store="app_database", url=redact_url(ws.app_db_url)
        )


def _master_key(ws: Workspace, *, create: bool) -> bytes:
    return load_workspace_key(ws.keys_dir, ws.settings.security.key_env, create=create)


def _checkpoint(warehouse: Warehouse, path: Path) -> None:
    """Write everything of the warehouse into its file (DuckDB keeps recent changes in a WAL)."""
    if warehouse.engine != "duckdb":
        raise StoreError("backup.external_store", store="warehouse", url=warehouse.engine)
    try:
        rows = warehouse.backend.raw_sql(
            "SELECT database_name, path FROM duckdb_databases() WHERE NOT internal"
        ).fetchall()
        names = [str(n) for n, p in rows if p and Path(p).resolve() == path.resolve()]
        for name in names or [""]:
            quoted = '"' + name.replace('"', '""') + '"' if name else ""
            warehouse.backend.raw_sql(f"CHECKPOINT {quoted}".strip())
    except duckdb.Error as exc:
        raise StoreError("backup.checkpoint", reason=str(exc).splitlines()[0]) from exc


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite database ``source`` with SQLite's online backup API."""
    try:
        src = sqlite3.connect(source)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise StoreError("backup.app_db", reason=str(exc)) from exc


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        names = [
            str(r[0])
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            n: int(con.execute(f"SELECT COUNT(*) FROM {_quote(n)}").fetchone()[0]) for n in names
        }
    finally:
        con.close()


def _warehouse_counts(warehouse: Warehouse) -> dict[str, int]:
    """Rows in every canonical table, and in every other table of the warehouse."""
    counts = warehouse.counts()
    for name in sorted(warehouse.backend.list_tables()):
        if name not in counts:
            counts[name] = int(warehouse.backend.table(name).count().to_pyarrow().as_py())
    return counts


def _app_counts(app_db: AppDatabase, names: Sequence[str] | None = None) -> dict[str, int]:
    with app_db.engine.connect() as con:
        tables = names if names is not None else inspect(con).get_table_names()
        return {
            n: int(con.execute(text(f"SELECT COUNT(*) FROM {_quote(n)}")).scalar_one())
            for n in tables
        }


def _members(ws: Workspace, app_snapshot: Path) -> list[tuple[str, Path]]:
    """(name in the archive, file to read) of everything a backup holds."""
    out = [(ws.config_path.name, ws.config_path), (ws.warehouse_path.name, ws.warehouse_path)]
    wal = ws.warehouse_path.with_name(ws.warehouse_path.name + ".wal")
    if wal.is_file() and wal.stat().st_size:
        out.append((wal.name, wal))
    out.append((ws.app_db_path.name, app_snapshot))
    for name in _FOLDERS:
        folder = ws.home / name
        if folder.is_dir():
            out.extend(
                (path.relative_to(ws.home).as_posix(), path)
                for path in sorted(folder.rglob("*"))
                if path.is_file() and not path.is_symlink()
            )
    return out


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    return info


def _write_archive(
    out: _Encryptor, members: Sequence[tuple[str, Path]], manifest: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(fileobj=cast(IO[bytes], out), mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for name, path in members:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                reader = _HashingReader(fh)
                tar.addfile(_tarinfo(name, size), cast(IO[bytes], reader))
            files[name] = {"sha256": reader.hexdigest(), "size": size}
        manifest["files"] = files
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        tar.addfile(_tarinfo(MANIFEST, len(data)), io.BytesIO(data))
    return files


def _publish(pending: Path, final: Path, digest: str) -> None:
    """Put a finished backup in place, then its checksum beside it."""
    os.replace(pending, final)
    write_atomic(final.with_name(final.name + ".sha256"), f"{digest}  {final.name}\n")
    _fsync_dir(final.parent)


def _prune(folder: Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` backups of ``folder`` (and stray files of ours)."""
    removed = []
    found = sorted(_backups_in(folder), key=lambda b: (b.created_at, b.name), reverse=True)
    for old in found[keep:]:
        old.path.unlink(missing_ok=True)
        old.path.with_name(old.name + ".sha256").unlink(missing_ok=True)
        removed.append(str(old.path))
    now = time.time()
    for path in folder.iterdir():
        if path.name.endswith(SUFFIX + ".sha256") and _NAME.match(path.name[:-7]):
            if not path.with_name(path.name[:-7]).exists():
                path.unlink(missing_ok=True)
        elif (
            path.name.startswith(".chandung-")
            and path.name.endswith(".tmp")
            and now - path.stat().st_mtime > _STALE.total_seconds()
        ):
            path.unlink(missing_ok=True)
    return removed


# --- verifying ---------------------------------------------------------------------------


def verify_backup(
    workspace: Workspace,
    backup: str | os.PathLike[str] | None = None,
    *,
    destinations: Sequence[str | os.PathLike[str]] | None = None,
    actor: str | None = None,
) -> VerifyReport:
    """Check a backup (default: the newest) all the way: its ``.sha256``, decryption with the
    workspace key, every file against the manifest, and the row count of every table after
    opening the unpacked copy as a workspace of its own (a scratch folder, deleted after)."""
    require("backups.manage")
    path = resolve_backup(workspace, backup, destinations)
    _recover_if_needed(workspace)
    master = _master_key(workspace, create=False)
    with _lock(workspace.home, exclusive=False):
        report = _verify(workspace, path, master)
    audit.record_in_workspace(
        workspace,
        "backup.verify",
        target=path.name,
        details={"ok": report.ok, "problems": [p.code for p in report.problems]},
        actor=actor,
    )
    return report


def _verify(
    ws: Workspace, path: Path, master: bytes, *, expected_sha256: str | None = None
) -> VerifyReport:
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix=".verify-", dir=ws.home))
    try:
        unpacked = _unpack(ws, path, master, scratch, expected_sha256=expected_sha256)
        report = unpacked.report
        if report.ok and unpacked.manifest is not None:
            _open_and_count(ws, scratch, master, unpacked.manifest, report)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report


@dataclass
class _Unpacked:
    report: VerifyReport
    manifest: dict[str, Any] | None
    hashes: dict[str, str]


def _unpack(
    ws: Workspace, path: Path, master: bytes, dest: Path, *, expected_sha256: str | None = None
) -> _Unpacked:
    """Decrypt ``path`` into ``dest``, checking the outer checksum and every file."""
    report = VerifyReport(str(path))
    problems = report.problems
    expected = expected_sha256
    checksum_file = path.with_name(path.name + ".sha256")
    if expected is None and checksum_file.is_file():
        words = checksum_file.read_text("utf-8").split()
        expected = words[0].lower() if words else ""
    manifest: dict[str, Any] | None = None
    hashes: dict[str, str] = {}
    with open(path, "rb") as fh:
        raw = _HashingReader(fh)
        try:
            decryptor = _Decryptor(raw, master)
            manifest, hashes = _extract(ws, decryptor, dest)
            decryptor.drain()
        except _Damaged as exc:
            problems.append(exc.problem)
        except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem("bad_archive", {"reason": str(exc)}))
        while raw.read(1024 * 1024):
            pass
    if expected is not None:
        report.checksum = "ok" if hmac.compare_digest(raw.hexdigest(), expected) else "mismatch"
        if report.checksum == "mismatch":
            problems.insert(0, Problem("checksum_mismatch", {"file": checksum_file.name}))
    if problems:
        return _Unpacked(report, None, hashes)
    if manifest is None:
        problems.append(Problem("no_manifest"))
        return _Unpacked(report, None, hashes)
    report.created_at = str(manifest.get("created_at"))
    report.chandung_version = str(manifest.get("chandung_version"))
    report.files = dict(manifest.get("files", {}))
    report.warehouse_rows = dict(manifest.get("warehouse_rows", {}))
    report.app_db_rows = dict(manifest.get("app_db_rows", {}))
    for name, entry in report.files.items():
        if name not in hashes:
            problems.append(Problem("file_missing", {"file": name}))
        elif hashes[name] != entry.get("sha256") or (dest / name).stat().st_size != entry.get(
            "size"
        ):
            problems.append(Problem("file_changed", {"file": name}))
    for name in sorted(set(hashes) - set(report.files)):
        problems.append(Problem("unexpected_file", {"file": name}))
    for name in (ws.config_path.name, ws.warehouse_path.name, ws.app_db_path.name):
        if name not in report.files:
            problems.append(Problem("file_missing", {"file": name}))
    return _Unpacked(report, manifest, hashes)


def _allowed(ws: Workspace, name: str) -> bool:
    if "\\" in name:
        return False
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return False
    if len(parts) == 1:
        warehouse = ws.warehouse_path.name
        return parts[0] in {ws.config_path.name, warehouse, warehouse + ".wal", ws.app_db_path.name}
    return parts[0] in _FOLDERS


def _extract(
    ws: Workspace, decryptor: _Decryptor, dest: Path
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    manifest: dict[str, Any] | None = None
    hashes: dict[str, str] = {}
    with tarfile.open(fileobj=cast(IO[bytes], decryptor), mode="r|") as tar:
        for member in tar:
            if member.isdir():
                continue
            if not member.isfile() or member.name in hashes or manifest is not None:
                raise _Damaged(Problem("bad_archive", {"reason": member.name}))
            source = tar.extractfile(member)
            if source is None:  # pragma: no cover - isfile() members always have data
                raise _Damaged(Problem("bad_archive", {"reason": member.name}))
            if member.name == MANIFEST:
                if member.size > _MAX_MANIFEST:
                    raise _Damaged(Problem("bad_archive", {"reason": member.name}))
                loaded = json.loads(source.read().decode("utf-8"))
                if not isinstance(loaded, dict) or loaded.get("format") != "chandung-backup":
                    raise _Damaged(Problem("bad_archive", {"reason": member.name}))
                manifest = loaded
                continue
            if not _allowed(ws, member.name):
                raise _Damaged(Problem("unexpected_file", {"file": member.name}))
            target = dest / member.name
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            digest = hashlib.sha256()
            with _create_private(target) as out:
                while block := source.read(1024 * 1024):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            hashes[member.name] = digest.hexdigest()
    return manifest, hashes


def _open_and_count(
    ws: Workspace, home: Path, master: bytes, manifest: Mapping[str, Any], report: VerifyReport
) -> None:
    """Open the unpacked ``home`` as a workspace with the same keys and compare row counts."""
    keys = home / ws.keys_dir.name
    if ws.keys_dir.is_dir():
        shutil.copytree(ws.keys_dir, keys, dirs_exist_ok=True)
    write_key_file(keys / KEY_FILE, master)
    (home / ws.quarantine_dir.name).mkdir(exist_ok=True, mode=0o700)
    try:
        scratch = Workspace.open(home, create=False)
        with open_stores(scratch) as stores:
            found_wh = _warehouse_counts(stores.warehouse)
            expected_app = dict(manifest.get("app_db_rows", {}))
            present = set(inspect(stores.app_db.engine).get_table_names())
            found_app = _app_counts(stores.app_db, [n for n in expected_app if n in present])
    # Opening runs the engines and the migrations: whatever fails there, the backup cannot be
    # used as it is, and the report says why instead of stopping the check.
    except Exception as exc:  # noqa: BLE001
        reason = exc.render("en") if isinstance(exc, ChandungError) else type(exc).__name__
        report.problems.append(Problem("cannot_open", {"reason": reason}))
        return
    checks = (("warehouse", report.warehouse_rows, found_wh), ("app_db", expected_app, found_app))
    for store, expected, found in checks:
        for table, rows in expected.items():
            if found.get(table) != rows:
                report.problems.append(
                    Problem(
                        "rows_differ",
                        {
                            "store": store,
                            "table": table,
                            "expected": rows,
                            "found": found.get(table, 0),
                        },
                    )
                )


# --- restoring ---------------------------------------------------------------------------


def restore_items(workspace: Workspace) -> list[str]:
    """The files and folders of the workspace a restore replaces (``keys/`` is kept)."""
    warehouse = workspace.warehouse_path.name
    app = workspace.app_db_path.name
    return [
        workspace.config_path.name,
        warehouse,
        warehouse + ".wal",
        app,
        app + "-wal",
        app + "-shm",
        app + "-journal",
        *_FOLDERS,
    ]


def restore_backup(
    workspace: Workspace,
    backup: str | os.PathLike[str],
    *,
    destinations: Sequence[str | os.PathLike[str]] | None = None,
    actor: str | None = None,
) -> RestoreReport:
    """Replace the workspace's data with the backup ``backup``, all at once, keeping ``keys/``.

    The backup is verified first (nothing changes if it fails). Erasure tombstones and audit
    entries newer than the backup are carried over, and the tombstones are applied again, so
    people erased after the backup was made stay erased. Stop the web app first.
    """
    require("backups.manage")
    started = time.monotonic()
    ws = workspace
    _check_embedded(ws)
    path = resolve_backup(ws, backup, destinations)
    master = _master_key(ws, create=False)
    with _lock(ws.home, exclusive=True):
        _recover(ws)
        _refuse_if_in_use(ws)
        verified = _verify(ws, path, master)
        if not verified.ok:
            raise BackupProblemsError("backup.invalid", name=path.name, problems=verified.problems)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=ws.home))
        try:
            new = staging / "new"
            (staging / "old").mkdir(mode=0o700)
            new.mkdir(mode=0o700)
            unpacked = _unpack(ws, path, master, new)
            if not unpacked.report.ok:
                raise BackupProblemsError(
                    "backup.invalid", name=path.name, problems=unpacked.report.problems
                )
            (new / ws.quarantine_dir.name).mkdir(exist_ok=True, mode=0o700)
            carried = _carry_over(ws.app_db_path, new / ws.app_db_path.name)
            items: list[dict[str, Any]] = [
                {"name": n, "restored": (new / n).exists()} for n in restore_items(ws)
            ]
            replaced = [
                str(i["name"]) for i in items if i["restored"] or _exists(ws.home / i["name"])
            ]
            journal: dict[str, Any] = {
                "state": "swapping",
                "staging": staging.name,
                "items": items,
                "backup": path.name,
                "created_at": unpacked.report.created_at,
                "carried_over": carried,
                "actor": actor,
            }
            _write_journal(ws.home, journal)
        except BaseException:
            # Nothing has moved yet: the old state stays as it is.
            (ws.home / _JOURNAL).unlink(missing_ok=True)
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _swap(ws.home, staging, items)
        journal["state"] = "erasing"
        _write_journal(ws.home, journal)
        erased, wh_rows, app_rows = _finish(ws.home, journal)
    return RestoreReport(
        backup=path.name,
        created_at=unpacked.report.created_at,
        replaced=replaced,
        files=unpacked.hashes,
        carried_over=carried,
        erasures=erased,
        warehouse_rows=wh_rows,
        app_db_rows=app_rows,
        verify=verified,
        seconds=time.monotonic() - started,
    )


def _refuse_if_in_use(ws: Workspace) -> None:
    """Refuse while another process holds the warehouse open (the web app, a long import)."""
    if not ws.warehouse_path.is_file():
        return
    try:
        duckdb.connect(str(ws.warehouse_path), read_only=True).close()
    except duckdb.Error as exc:
        # Only a lock held by someone else matters here; a file that cannot be read (damaged,
        # or encrypted) is about to be replaced anyway.
        if "could not set lock" in str(exc).lower():
            raise StoreError("store.locked", url=str(ws.warehouse_path)) from exc


def _carry_over(current: Path, staged: Path) -> dict[str, int]:
    """Copy into the ``staged`` app database what must outlive a restore: erasure tombstones
    made after the backup, and the audit entries that follow the backup's last one."""
    carried = {"erasures": 0, "audit_log": 0}
    # Bring the restored database to the current schema first (a backup may be older).
    AppDatabase.connect(f"sqlite:///{staged}").close()
    if not current.is_file():
        return carried
    try:
        # Opened for writing, so that changes still in its write-ahead log are read too.
        src = sqlite3.connect(current)
    except sqlite3.Error:
        return carried
    dst = sqlite3.connect(staged)
    try:
        with dst:
            carried["erasures"] = _carry_erasures(src, dst)
            carried["audit_log"] = _carry_audit(src, dst)
    except sqlite3.Error:
        # The replaced database is damaged (a reason to restore): nothing can be carried over.
        return {"erasures": 0, "audit_log": 0}
    finally:
        src.close()
        dst.close()
    return carried


def _tables(con: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _carry_erasures(src: sqlite3.Connection, dst: sqlite3.Connection) -> int:
    if "erasures" not in _tables(src) or "erasures" not in _tables(dst):
        return 0
    columns = "erased_at, identifier_hashes, counts"
    have = {(r[0], r[1]) for r in dst.execute(f"SELECT {columns} FROM erasures")}
    n = 0
    for row in src.execute(f"SELECT {columns} FROM erasures ORDER BY id"):
        if (row[0], row[1]) not in have:
            dst.execute(f"INSERT INTO erasures ({columns}) VALUES (?, ?, ?)", row)
            n += 1
    return n


def _carry_audit(src: sqlite3.Connection, dst: sqlite3.Connection) -> int:
    """The audit entries after the backup's last one, unchanged, when the two logs share that
    entry (the hash chain then continues unbroken)."""
    if "audit_log" not in _tables(src) or "audit_log" not in _tables(dst):
        return 0
    last = dst.execute("SELECT id, entry_hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    after = 0
    if last is not None:
        shared = src.execute(
            "SELECT 1 FROM audit_log WHERE id = ? AND entry_hash = ?", (last[0], last[1])
        ).fetchone()
        if shared is None:
            return 0
        after = int(last[0])
    cursor = src.execute("SELECT * FROM audit_log WHERE id > ? ORDER BY id", (after,))
    names = [d[0] for d in cursor.description]
    wanted = {str(r[1]) for r in dst.execute("PRAGMA table_info(audit_log)")}
    keep = [i for i, n in enumerate(names) if n in wanted]
    columns = ", ".join(_quote(names[i]) for i in keep)
    marks = ", ".join("?" for _ in keep)
    n = 0
    for row in cursor:
        dst.execute(f"INSERT INTO audit_log ({columns}) VALUES ({marks})", [row[i] for i in keep])
        n += 1
    return n


def _write_journal(home: Path, journal: Mapping[str, Any]) -> None:
    write_atomic(home / _JOURNAL, json.dumps(journal, indent=2))
    _fsync_dir(home)


def _swap(home: Path, staging: Path, items: Sequence[Mapping[str, Any]]) -> None:
    """Move each item aside and the restored one in; on an error, put everything back."""
    done: list[tuple[str, bool, bool]] = []
    try:
        for item in items:
            name = str(item["name"])
            live, old, new = home / name, staging / "old" / name, staging / "new" / name
            moved_out = _exists(live)
            if moved_out:
                os.replace(live, old)
            done.append((name, moved_out, False))
            if item["restored"]:
                os.replace(new, live)
                done[-1] = (name, moved_out, True)
        _fsync_dir(home)
    except BaseException:
        for name, moved_out, moved_in in reversed(done):
            live, old, new = home / name, staging / "old" / name, staging / "new" / name
            if moved_in:
                os.replace(live, new)
            if moved_out:
                os.replace(old, live)
        _fsync_dir(home)
        (home / _JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _roll_forward(home: Path, staging: Path, items: Sequence[Mapping[str, Any]]) -> None:
    """Complete the moves of a restore that was killed after its journal was written."""
    (staging / "old").mkdir(parents=True, exist_ok=True)
    for item in items:
        name = str(item["name"])
        live, old, new = home / name, staging / "old" / name, staging / "new" / name
        pending = bool(item["restored"]) and _exists(new)
        if (pending or not item["restored"]) and _exists(live):
            if _exists(old):
                # Made after the restore was cut off: part of neither state.
                _remove(live)
            else:
                os.replace(live, old)
        if pending:
            os.replace(new, live)
    _fsync_dir(home)


def _finish(
    home: Path, journal: Mapping[str, Any]
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Apply the erasure tombstones to the restored data, audit the restore, clean up."""
    ws = Workspace.open(home, create=False)
    with open_stores(ws) as stores:
        # The restored log is now the reference (its head may not be the replaced log's).
        audit.reseal(stores)
        erased = dict(apply_erasures(stores))
        wh_rows = _warehouse_counts(stores.warehouse)
        audit.record(
            stores,
            "restore",
            target=str(journal.get("backup", "")),
            rows=sum(wh_rows.values()),
            details={
                "created_at": journal.get("created_at"),
                "carried_over": journal.get("carried_over", {}),
                "erasures": erased,
                "resumed": bool(journal.get("resumed", False)),
            },
            actor=journal.get("actor"),
        )
        app_rows = _app_counts(stores.app_db)
    (home / _JOURNAL).unlink(missing_ok=True)
    _fsync_dir(home)
    shutil.rmtree(home / str(journal["staging"]), ignore_errors=True)
    return erased, wh_rows, app_rows


def recover_interrupted_restore(workspace: Workspace) -> bool:
    """Complete a restore that was killed while it replaced files; ``True`` if there was one.

    :func:`create_backup`, :func:`verify_backup` and :func:`restore_backup` call it first.
    """
    if not (workspace.home / _JOURNAL).exists():
        _sweep(workspace.home)
        return False
    with _lock(workspace.home, exclusive=True):
        return _recover(workspace)


def _recover_if_needed(ws: Workspace) -> None:
    recover_interrupted_restore(ws)


def _recover(ws: Workspace) -> bool:
    """(Under the exclusive lock.) Finish an interrupted restore; sweep stale scratch folders."""
    home = ws.home
    journal_path = home / _JOURNAL
    recovered = False
    if journal_path.exists():
        journal = json.loads(journal_path.read_text("utf-8"))
        staging = home / str(journal["staging"])
        if journal.get("state") == "swapping":
            _roll_forward(home, staging, journal["items"])
        journal["state"] = "erasing"
        journal["resumed"] = True
        _write_journal(home, journal)
        _finish(home, journal)
        recovered = True
    _sweep(home)
    return recovered


def _sweep(home: Path) -> None:
    """Delete scratch and staging folders left by killed runs (a day old: none in use)."""
    now = time.time()
    journal = home / _JOURNAL
    for path in home.glob(".*-*"):
        if (
            path.is_dir()
            and path.name.split("-")[0] in (".restore", ".verify", ".backup")
            and now - path.stat().st_mtime > _STALE.total_seconds()
            and not journal.exists()
        ):
            shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _lock(home: Path, *, exclusive: bool) -> Iterator[None]:
    """Backups share the workspace; a restore has it alone. Fails at once when taken."""
    if sys.platform == "win32":  # no advisory locks: do not run a restore beside anything else
        yield
        return
    import fcntl

    fd = os.open(home / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError("backup.busy") from exc
        yield
    finally:
        os.close(fd)


# --- files -------------------------------------------------------------------------------


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _create_private(path: Path) -> Iterator[BinaryIO]:
    """A new file readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        yield fh


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Reads from a file and hashes what it read."""

    def __init__(self, fh: BinaryIO):
        self._fh = fh
        self._digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._digest.update(data)
        return data

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


# --- encryption --------------------------------------------------------------------------


class _Damaged(Exception):
    """The backup cannot be read; carries the problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


def _file_key(key: bytes, salt: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"chandung backup v1")
    return hkdf.derive(key)


def _key_check(file_key: bytes) -> bytes:
    return hmac.new(file_key, b"chandung backup v1 key check", hashlib.sha256).digest()[:16]


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


class _Encryptor:
    """Encrypts what is written to it, chunk by chunk, into ``out`` (see the module doc)."""

    def __init__(self, out: BinaryIO, master: bytes, chunk_size: int | None = None):
        chunk_size = chunk_size or CHUNK_SIZE
        key = derive_key(master, "backup")
        salt, self._prefix = os.urandom(16), os.urandom(4)
        file_key = _file_key(key, salt)
        self._header = _HEADER.pack(
            MAGIC, FORMAT_VERSION, ALGORITHM_AES_256_GCM, chunk_size, salt, self._prefix,
            key_id(master).encode("ascii"), _key_check(file_key),
        )  # fmt: skip
        self._aead = AESGCM(file_key)
        self._out = out
        self._chunk = chunk_size
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        out.write(self._header)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > self._chunk:
            self._emit(bytes(self._buffer[: self._chunk]), final=False)
            del self._buffer[: self._chunk]
        return len(data)

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self._closed = True

    def _emit(self, plain: bytes, *, final: bool) -> None:
        nonce = self._prefix + self._index.to_bytes(8, "big")
        self._out.write(self._aead.encrypt(nonce, plain, _aad(self._header, self._index, final)))
        self._index += 1


class _Decryptor:
    """Reads and authenticates what :class:`_Encryptor` wrote, one chunk at a time."""

    def __init__(self, source: _HashingReader, master: bytes):
        header = source.read(_HEADER.size)
        if len(header) < _HEADER.size or header[: len(MAGIC)] != MAGIC:
            raise _Damaged(Problem("not_a_backup"))
        _, version, algorithm, chunk, salt, prefix, made_with, check = _HEADER.unpack(header)
        if version != FORMAT_VERSION or algorithm != ALGORITHM_AES_256_GCM:
            raise _Damaged(Problem("unsupported_version", {"version": version}))
        if not _MIN_CHUNK <= chunk <= _MAX_CHUNK:
            raise _Damaged(Problem("damaged"))
        file_key = _file_key(derive_key(master, "backup"), salt)
        if not hmac.compare_digest(_key_check(file_key), check):
            params = {"backup_key": made_with.decode("ascii", "replace"), "key": key_id(master)}
            raise _Damaged(Problem("wrong_key", params))
        self._source = source
        self._header = header
        self._prefix = prefix
        self._aead = AESGCM(file_key)
        self._size = chunk + _TAG
        self._ahead = source.read(self._size)
        self._index = 0
        self._done = False
        self._plain = b""
        self._pos = 0

    def _next_chunk(self) -> bytes:
        current = self._ahead
        if len(current) < _TAG:
            raise _Damaged(Problem("damaged"))
        if len(current) == self._size:
            self._ahead = self._source.read(self._size)
            final = not self._ahead
        else:
            self._ahead, final = b"", True
        nonce = self._prefix + self._index.to_bytes(8, "big")
        try:
            plain = self._aead.decrypt(nonce, current, _aad(self._header, self._index, final))
        except InvalidTag as exc:
            raise _Damaged(Problem("damaged")) from exc
        self._index += 1
        self._done = final
        return plain

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            parts = []
            while block := self.read(CHUNK_SIZE):
                parts.append(block)
            return b"".join(parts)
        while self._pos >= len(self._plain):
            if self._done:
                return b""
            self._plain, self._pos = self._next_chunk(), 0
        out = self._plain[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def drain(self) -> None:
        """Read to the end, so that the last chunk (and so the whole file) is authenticated."""
        while self.read(CHUNK_SIZE):
            pass
