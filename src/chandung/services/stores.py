"""Opening a workspace's two stores together, with the workspace key when encrypted."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from ..privacy.fields import FieldCipher, bind_cipher, parquet_writer, read_parquet, reseal
from ..privacy.keys import (
    KeySource,
    derive_key,
    key_source,
    load_pending_key,
    load_workspace_key,
)
from ..store import AppDatabase, Warehouse
from ..store.app_models import Base
from ..store.spark import SparkLayout, folder_uri
from ..store.warehouse import file_state
from ..workspace import Workspace

_P = ParamSpec("_P")
_R = TypeVar("_R")


@dataclass(frozen=True)
class WorkspaceKeys:
    """The workspace key, and the next one while a rotation is under way."""

    current: bytes
    pending: bytes | None
    source: KeySource

    def candidates(self) -> tuple[bytes, ...]:
        """The keys that may open the workspace's encrypted files, the current one first."""
        if self.pending is None or self.pending == self.current:
            return (self.current,)
        return (self.current, self.pending)


def warehouse_is_embedded(workspace: Workspace) -> bool:
    """Whether the warehouse is the default DuckDB file of the workspace."""
    return not workspace.settings.warehouse.url


def app_db_is_embedded(workspace: Workspace) -> bool:
    """Whether the app database is the default SQLite file of the workspace."""
    return not workspace.settings.app_database.url


def workspace_keys(workspace: Workspace) -> WorkspaceKeys | None:
    """The keys of ``workspace``, or ``None`` when nothing of it is (to be) encrypted.

    With ``[security] encrypt_at_rest`` on, the key encrypts the embedded warehouse and the
    app database's personal fields, wherever the app database is (on a server too); a
    warehouse already encrypted stays so (and needs its key) even if it is turned off. The key
    is created only while no encrypted warehouse exists: a missing key for an encrypted one is
    an error (``security.no_key``), never a fresh key.

    Raises
    ------
    ConfigError
        ``security.no_key`` or ``security.bad_key``.
    """
    security = workspace.settings.security
    encrypted = (
        warehouse_is_embedded(workspace) and file_state(workspace.warehouse_path) == "encrypted"
    )
    if not (encrypted or security.encrypt_at_rest):
        return None
    current = load_workspace_key(workspace.keys_dir, security.key_env, create=not encrypted)
    pending = load_pending_key(workspace.keys_dir, security.key_env)
    return WorkspaceKeys(current, pending, key_source(workspace.keys_dir, security.key_env))


@dataclass
class Stores:
    """A workspace with its warehouse and app database open."""

    workspace: Workspace
    warehouse: Warehouse
    app_db: AppDatabase
    #: The workspace keys (``None``: the workspace is not encrypted).
    keys: WorkspaceKeys | None = None
    #: The key the stores are encrypted with now (the pending one once a rotation has
    #: re-encrypted the warehouse); what new encrypted data is written with.
    active_key: bytes | None = None

    def close(self) -> None:
        self.warehouse.close()
        self.app_db.close()

    def private_parquet_writer(self, path: Path, schema: pa.Schema) -> pq.ParquetWriter:
        """A Parquet writer for a file of personal data kept outside the warehouse (the
        quarantine): encrypted with the workspace key when the workspace is encrypted."""
        encrypt = self.workspace.settings.security.encrypt_at_rest
        return parquet_writer(path, schema, self.active_key if encrypt else None)


def read_private_parquet(workspace: Workspace, path: Path) -> pa.Table:
    """Read a file written by :meth:`Stores.private_parquet_writer` (or a plain one)."""
    keys = workspace_keys(workspace)
    return read_parquet(path, keys.candidates() if keys is not None else ())


def open_warehouse(workspace: Workspace, keys: WorkspaceKeys | None) -> Warehouse:
    """Open the warehouse of ``workspace``, encrypted with ``keys`` when it is embedded."""
    encryption: tuple[bytes, ...] = ()
    if keys is not None and warehouse_is_embedded(workspace):
        encryption = tuple(derive_key(k, "warehouse") for k in keys.candidates())
    return Warehouse.connect(
        workspace.warehouse_url,
        duckdb_memory_limit=workspace.settings.warehouse.duckdb_memory_limit,
        work_dir=workspace.work_dir,
        encryption_keys=encryption,
        spark=spark_layout(workspace),
    )


def spark_layout(workspace: Workspace) -> SparkLayout:
    """Where a Spark warehouse of ``workspace`` runs and keeps its tables (``[spark]``)."""
    settings = workspace.settings.spark
    return SparkLayout(
        master=settings.master,
        tables_dir=folder_uri(settings.tables_dir, workspace.home, "spark/tables"),
        warehouse_dir=folder_uri(settings.warehouse_dir, workspace.home, "spark/warehouse"),
        options=dict(settings.options),
    )


def field_cipher(
    workspace: Workspace, keys: WorkspaceKeys | None, active: bytes | None
) -> FieldCipher | None:
    """The cipher of the app database's encrypted fields (``None``: plain text)."""
    if keys is None:
        return None
    write = active if workspace.settings.security.encrypt_at_rest else None
    return FieldCipher(write, keys.candidates())


@contextmanager
def open_stores(workspace: Workspace) -> Iterator[Stores]:
    """Open both stores of ``workspace`` (creating empty canonical tables) and close them after.

    An encrypted workspace is opened with its key (see :func:`workspace_keys`); a warehouse
    made before encryption is encrypted on the way, once, and so are the app database's
    fields that were kept in plain text.
    """
    keys = workspace_keys(workspace)
    legacy = (
        keys is not None
        and warehouse_is_embedded(workspace)
        and workspace.settings.security.encrypt_at_rest
        and file_state(workspace.warehouse_path) == "plain"
    )
    warehouse = open_warehouse(workspace, keys)
    try:
        active = None
        if keys is not None:
            index = warehouse.key_index or 0
            active = keys.candidates()[index]
        app_db = AppDatabase.connect(workspace.app_db_url)
        bind_cipher(app_db.engine, field_cipher(workspace, keys, active))
    except BaseException:
        warehouse.close()
        raise
    stores = Stores(workspace, warehouse, app_db, keys, active)
    try:
        if legacy:
            reseal(app_db.engine, Base.metadata.tables.values())
        warehouse.ensure_canonical_tables()
        yield stores
    finally:
        stores.close()


def warehouse_step(
    step: str,
) -> Callable[[Callable[Concatenate[Stores, _P], _R]], Callable[Concatenate[Stores, _P], _R]]:
    """Run the decorated service function as the step ``step`` of the warehouse: an engine
    that fails or lacks what it needs gives one error naming the engine and the step (see
    :meth:`chandung.store.Warehouse.step`)."""

    def decorate(
        function: Callable[Concatenate[Stores, _P], _R],
    ) -> Callable[Concatenate[Stores, _P], _R]:
        @functools.wraps(function)
        def run(stores: Stores, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            with stores.warehouse.step(step):
                return function(stores, *args, **kwargs)

        return run

    return decorate
