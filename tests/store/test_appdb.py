from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from chandung.store.app_models import Base
from chandung.store.appdb import HEAD_REVISION, AppDatabase, _alembic_config


def test_new_database_is_migrated_to_head(tmp_path: Path) -> None:
    db = AppDatabase.connect(f"sqlite:///{tmp_path / 'app.db'}")
    # HEAD_REVISION lets an up-to-date database open without Alembic: it must be the head.
    assert db.revision() == AppDatabase.head_revision() == HEAD_REVISION == "0006"
    db.close()


def test_a_database_behind_the_head_is_migrated_on_opening(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    AppDatabase.connect(url).close()
    db = AppDatabase.connect(url, migrate=False)
    config = _alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    assert db.revision() == "0005"
    db.close()
    db = AppDatabase.connect(url)
    assert db.revision() == HEAD_REVISION
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0
    db.close()


def test_migrations_match_the_models(tmp_path: Path) -> None:
    db = AppDatabase.connect(f"sqlite:///{tmp_path / 'app.db'}")
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    db.close()
    assert diff == []


def test_reopening_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    AppDatabase.connect(url).close()
    db = AppDatabase.connect(url)
    assert db.revision() == AppDatabase.head_revision()
    db.close()
