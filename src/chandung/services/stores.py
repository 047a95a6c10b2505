"""Opening a workspace's two stores together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..store import AppDatabase, Warehouse
from ..workspace import Workspace


@dataclass
class Stores:
    """A workspace with its warehouse and app database open."""

    workspace: Workspace
    warehouse: Warehouse
    app_db: AppDatabase

    def close(self) -> None:
        self.warehouse.close()
        self.app_db.close()


@contextmanager
def open_stores(workspace: Workspace) -> Iterator[Stores]:
    """Open both stores of ``workspace`` (creating empty canonical tables) and close them after."""
    app_db = AppDatabase.connect(workspace.app_db_url)
    try:
        warehouse = Warehouse.connect(
            workspace.warehouse_url,
            duckdb_memory_limit=workspace.settings.warehouse.duckdb_memory_limit,
            work_dir=workspace.work_dir,
        )
    except BaseException:
        app_db.close()
        raise
    stores = Stores(workspace, warehouse, app_db)
    try:
        warehouse.ensure_canonical_tables()
        yield stores
    finally:
        stores.close()
