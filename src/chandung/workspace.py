"""The workspace: one directory holding all of one business's data.

Layout::

    CHANDUNG_HOME/
    ├── config.toml        settings (see docs/configuration.md)
    ├── warehouse.duckdb   the customer file and everything computed from it (default engine)
    ├── app.db             users, saved segments, personas, runs, audit log (default engine)
    ├── keys/              encryption keys, readable by the owner only
    ├── quarantine/        rows that could not be loaded, with their reason
    ├── backups/           verified backup copies
    └── demo/              ground truth of the demo business (never read by analysis)
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import Where, WorkspaceError

ENV_VAR = "CHANDUNG_HOME"
_SUBDIRS = ("keys", "quarantine", "backups", "demo")


def default_home() -> Path:
    """The per-user default workspace when ``CHANDUNG_HOME`` is unset."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "chandung"


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """``home`` if given, else ``CHANDUNG_HOME``, else the per-user default."""
    if home:
        return Path(home).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return default_home()


@dataclass(frozen=True)
class Workspace:
    """An opened workspace: its directory and settings."""

    home: Path
    settings: Settings

    @classmethod
    def open(cls, home: str | os.PathLike[str] | None = None, *, create: bool = True) -> Workspace:
        """Open the workspace at ``home`` (see :func:`resolve_home`), creating it if asked."""
        path = resolve_home(home)
        if path.exists() and not path.is_dir():
            raise WorkspaceError("workspace.not_a_directory", where=Where(file=str(path)))
        if not (path / "config.toml").exists():
            if not create:
                raise WorkspaceError("workspace.missing", where=Where(file=str(path)))
            _create(path)
        return cls(path, Settings.load(path / "config.toml"))

    @property
    def config_path(self) -> Path:
        return self.home / "config.toml"

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def app_db_path(self) -> Path:
        return self.home / "app.db"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def work_dir(self) -> Path:
        """Files of loads in progress; each is deleted when its load ends."""
        return self.home / "work"

    @property
    def backups_dir(self) -> Path:
        return self.home / "backups"

    @property
    def demo_dir(self) -> Path:
        return self.home / "demo"

    @property
    def warehouse_url(self) -> str:
        return self.settings.warehouse.url or f"duckdb://{self.warehouse_path}"

    @property
    def app_db_url(self) -> str:
        return self.settings.app_database.url or f"sqlite:///{self.app_db_path}"

    def secret(self, name: str) -> bytes:
        """The workspace's random secret ``name`` (32 bytes), made on first use.

        Kept in ``keys/`` readable by the owner only; used for keyed hashes such as the ids
        made from a customer's phone, so that an id does not reveal the number.
        """
        path = self.keys_dir / f"{name}.key"
        if not path.exists():
            self.keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_name(f".{path.name}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
            os.replace(tmp, path)
        return path.read_bytes()

    def save_settings(self, settings: Settings) -> Workspace:
        """Write ``settings`` to ``config.toml`` atomically and return the updated workspace."""
        write_atomic(self.config_path, settings.to_toml())
        return Workspace(self.home, settings)


def _create(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in _SUBDIRS:
            (path / name).mkdir(exist_ok=True, mode=0o700)
        write_atomic(path / "config.toml", Settings().to_toml())
    except OSError as exc:
        raise WorkspaceError(
            "workspace.create", where=Where(file=str(path)), reason=exc.strerror or str(exc)
        ) from exc


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
