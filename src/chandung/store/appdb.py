"""The app database: users, saved segments, personas, runs and the audit log.

SQLAlchemy 2 over SQLite in the workspace by default, PostgreSQL by URL. Its schema is brought
up to date by the Alembic migrations shipped in the package each time it is opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import StoreError
from .engines import engine_label
from .warehouse import redact_url

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest migration (``migrations/versions``); a test checks it is Alembic's head. A
#: database already there is opened without loading Alembic, which every command would
#: otherwise pay for on start.
HEAD_REVISION = "0006"


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files(__package__) / "migrations"))
    return config


class AppDatabase:
    """A connection pool to the app database, migrated to the latest schema."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def connect(cls, url: str, *, migrate: bool = True) -> AppDatabase:
        """Open the app database at ``url`` and apply pending migrations."""
        try:
            engine = create_engine(url)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            db = cls(engine)
            if migrate:
                db.migrate()
        # Drivers raise their own exception types; any failure to open becomes one error.
        except (SQLAlchemyError, OSError, ImportError, ValueError) as exc:
            reason = redact_url(str(exc).splitlines()[0])
            if url.startswith("sqlite"):
                raise StoreError("store.unreachable", url=redact_url(url), reason=reason) from exc
            # A database on a server: name the engine, and the setting that points at it.
            raise StoreError(
                "engine.app_unreachable",
                engine=engine_label(url),
                url=redact_url(url),
                step="open",
                reason=reason,
            ) from exc
        return db

    def migrate(self) -> None:
        """Apply every migration the database has not had yet."""
        if self._stored_revision() == HEAD_REVISION:
            return
        from alembic import command

        config = _alembic_config()
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def revision(self) -> str | None:
        """The migration the database is at."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def _stored_revision(self) -> str | None:
        """The revision Alembic recorded, read directly (``None``: none, or no table yet)."""
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(text("SELECT version_num FROM alembic_version"))
                versions = [str(row[0]) for row in rows]
        except SQLAlchemyError:
            return None
        return versions[0] if len(versions) == 1 else None

    @staticmethod
    def head_revision() -> str | None:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(_alembic_config()).get_current_head()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets the web app read while a command writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
