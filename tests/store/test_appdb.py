from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from chandung.store.app_models import Base
from chandung.store.appdb import AppDatabase


def test_new_database_is_migrated_to_head(tmp_path: Path) -> None:
    db = AppDatabase.connect(f"sqlite:///{tmp_path / 'app.db'}")
    assert db.revision() == AppDatabase.head_revision() == "0006"
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
