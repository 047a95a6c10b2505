"""The warehouse: the customer file and everything computed from it, reached only through Ibis.

The default is a DuckDB file in the workspace; any Ibis connection URL (PostgreSQL, Spark, ...)
works unchanged, because code above this module only sees Ibis tables.

An encrypted DuckDB warehouse (see ``docs/encryption.md``) is opened by attaching the file with
its key to an in-memory DuckDB and making it the default database (``USE``), so that Ibis, the
transactions and the raw SQL of this module read and write it as before. Its work files, spilled
buffers and write-ahead log are encrypted with it.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
import sqlglot

from ..errors import (
    ChandungError,
    ConfigError,
    EngineCapabilityError,
    InputError,
    NotFoundError,
    StoreError,
)
from ..privacy.keys import derive_key
from ..schema import TABLES, Table
from ..schema import table as canonical_table
from . import loads
from .engines import (
    capability_errors,
    check_writable,
    connection_errors,
    copy_into_postgres,
    engine_label,
    failure_code,
    prepare,
)
from .loads import DirectLoad, Load, StagedLoad
from .spark import ReadOnlyTable, SparkLayout, is_spark_url

_STAGING_PREFIX = "_staging_"
#: Name the attached encrypted warehouse has inside its DuckDB connection.
_ATTACHED = "warehouse"
#: Name of the key that encrypts work files (``PRAGMA add_parquet_key``).
_WORK_KEY = "chandung_work"
#: Rows gathered before a work file's part is written: each write has a cost of its own, and
#: fewer, larger parts are read faster when the load is published (ten million order lines in
#: 158 parts of a reader's batch took 6.3 s to write).
WORK_PART_ROWS = 500_000
#: Suffixes of the files a copy of the warehouse is built in before it replaces the file.
ENCRYPTING_SUFFIX = ".encrypting"
REKEY_SUFFIX = ".rekey"

FileState = Literal["missing", "plain", "encrypted", "other"]


def redact_url(url: str) -> str:
    """``url`` with any password replaced, fit for messages and logs."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class Warehouse:
    """A connection to the warehouse.

    Use :meth:`connect` to open one; close it with :meth:`close` or a ``with`` block.
    """

    def __init__(
        self,
        backend: Any,
        url: str,
        *,
        work_dir: Path | None = None,
        encrypted: bool = False,
        key_index: int | None = None,
    ):
        self.backend = backend
        self.url = url
        #: Where an embedded engine keeps work tables as files (see :meth:`create_scratch`).
        self.work_dir = work_dir
        #: Whether the warehouse (and its work files) is encrypted.
        self.encrypted = encrypted
        #: Which of the keys given to :meth:`connect` opened it (``None``: not encrypted).
        self.key_index = key_index
        self._in_transaction = False
        self._work_files: dict[str, tuple[pa.Schema, Path]] = {}
        self._work_pending: dict[str, list[pa.Table]] = {}
        self._work_parts: dict[str, int] = {}
        self._work_views: set[str] = set()

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        duckdb_memory_limit: str = "",
        work_dir: Path | None = None,
        encryption_keys: Sequence[bytes] = (),
        spark: SparkLayout | None = None,
    ) -> Warehouse:
        """Open the warehouse at ``url`` (any Ibis connection URL).

        A Spark warehouse (``pyspark://``) runs as ``spark`` says (see
        :mod:`chandung.store.spark`).

        ``duckdb_memory_limit`` bounds the buffers of a DuckDB warehouse (e.g. ``"2GB"``), so
        that long loads and large queries spill to disk instead of filling the machine.

        With ``encryption_keys`` (keys of 32 bytes, tried in order) a DuckDB file is opened
        encrypted: created encrypted with the first key when it does not exist, opened with
        the first key that fits when it is encrypted, and encrypted once with the first key
        when it is a plain file (see :func:`encrypt_file`).

        Raises
        ------
        ConfigError
            ``security.wrong_key``: none of the keys opens the encrypted file.
        StoreError
            The engine cannot be reached, the file is in use, or DuckDB cannot encrypt.
        """
        path = duckdb_path(url)
        if encryption_keys and path is not None:
            backend, index = _open_encrypted(path, encryption_keys, duckdb_memory_limit)
            try:
                work_key = derive_key(encryption_keys[index], "work")
                backend.raw_sql(f"PRAGMA add_parquet_key('{_WORK_KEY}', '{_b64(work_key)}')")
            except BaseException:
                backend.disconnect()
                raise
            return cls(backend, url, work_dir=work_dir, encrypted=True, key_index=index)
        if is_spark_url(url):
            from .spark import connect as connect_spark

            if spark is None:
                raise TypeError("a Spark warehouse needs its layout (spark=...)")
            return cls(connect_spark(url, spark), url, work_dir=work_dir)
        try:
            backend = ibis.connect(url)
        # Every engine has its own exception types; at this boundary any failure to connect
        # becomes one error that names the URL (without its password) and the reason.
        except Exception as exc:
            raise _connect_error(url, exc) from exc
        prepare(backend, duckdb_memory_limit=duckdb_memory_limit)
        return cls(backend, url, work_dir=work_dir)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        disconnect = getattr(self.backend, "disconnect", None)
        if disconnect is not None:
            disconnect()

    @property
    def engine(self) -> str:
        """Name of the engine (``duckdb``, ``postgres``, ``pyspark``, ...)."""
        return str(self.backend.name)

    @contextmanager
    def step(self, step: str) -> Iterator[None]:
        """Run one step of work (named by its code in ``engines.step``) in the warehouse.

        Inside, an operation the engine lacks (a function, a conversion, a feature) becomes
        an :class:`EngineCapabilityError` and its server failing or going away a
        :class:`StoreError`, each naming the engine, the step and what to configure;
        nothing falls back to another engine.
        """
        try:
            yield
        except ReadOnlyTable as exc:
            raise exc.during(step) from exc
        except capability_errors(self.backend) as exc:
            raise EngineCapabilityError(
                "store.capability",
                engine=engine_label(self.engine),
                step=step,
                capability=_first_line(exc),
            ) from exc
        except connection_errors(self.backend) as exc:
            raise StoreError(
                failure_code(self.backend),
                engine=engine_label(self.engine),
                url=redact_url(self.url),
                step=step,
                reason=redact_url(_first_line(exc)),
            ) from exc

    def has_table(self, name: str) -> bool:
        return name in self.backend.list_tables()

    def table(self, name: str) -> ibis.Table:
        """The table ``name`` as an Ibis expression."""
        if not self.has_table(name):
            raise NotFoundError("store.no_table", table=name)
        return self.backend.table(name)

    def ensure_canonical_tables(self) -> None:
        """Create every canonical table that does not exist yet, empty."""
        existing = set(self.backend.list_tables())
        for spec in TABLES:
            if spec.name not in existing:
                self.backend.create_table(spec.name, schema=ibis.schema(spec.ibis_schema()))

    def append(self, name: str, rows: pa.Table) -> int:
        """Add ``rows`` to the canonical table ``name``; returns the number of rows added."""
        self._insert(name, conform(canonical_table(name), rows))
        return int(rows.num_rows)

    def replace_tables(self, chunks: Iterable[dict[str, pa.Table]]) -> dict[str, int]:
        """Replace canonical tables with the rows of ``chunks``, all or nothing.

        Rows go to staging tables first; the live tables are swapped only once every chunk
        has been written, so an interrupted load leaves the previous data in place. Tables
        named in no chunk are left as they are.
        """
        counts: dict[str, int] = {}
        try:
            for chunk in chunks:
                for name, rows in chunk.items():
                    staging = _STAGING_PREFIX + name
                    if name not in counts:
                        check_writable(self.backend, name)
                        spec = canonical_table(name)
                        self.backend.create_table(
                            staging, schema=ibis.schema(spec.ibis_schema()), overwrite=True
                        )
                        counts[name] = 0
                    self._insert(staging, conform(canonical_table(name), rows))
                    counts[name] += int(rows.num_rows)
        except BaseException:
            for name in counts:
                self.backend.drop_table(_STAGING_PREFIX + name, force=True)
            raise
        with self.transaction():
            for name in counts:
                self.backend.drop_table(name, force=True)
                self._rename(_STAGING_PREFIX + name, name)
        return counts

    def _rename(self, old: str, new: str) -> None:
        try:
            self.backend.rename_table(old, new)
        except NotImplementedError:
            # Some Ibis backends (DuckDB among them) lack rename_table; ALTER TABLE ... RENAME TO
            # is understood by every SQL engine we target. Names are our own, quoted.
            dialect = self.backend.dialect
            quoted = [sqlglot.exp.to_identifier(n, quoted=True).sql(dialect) for n in (old, new)]
            self.backend.raw_sql(f"ALTER TABLE {quoted[0]} RENAME TO {quoted[1]}")

    def create_scratch(self, name: str, spec: Table, extra: dict[str, str] | None = None) -> None:
        """Create (or empty) the work table ``name`` shaped like ``spec`` plus ``extra`` columns.

        Work tables hold a load in progress; nothing reads them but the load itself. On DuckDB
        with a work folder, a work table is a folder of Parquet files there, each holding
        :data:`WORK_PART_ROWS` rows gathered from the chunks appended (encrypted when the
        warehouse is): writing them costs far less than inserting the rows
        into the engine, and the publish step reads them once. Elsewhere it is a temporary
        table of the connection. Either is gone with the load; files left by a killed process
        are swept by the next load.
        """
        check_writable(self.backend, spec.name)
        schema = {**{k: v.lstrip("!") for k, v in spec.ibis_schema().items()}, **(extra or {})}
        if self.engine == "duckdb" and self.work_dir is not None:
            self.drop_scratch(name)
            folder = self.work_dir / name
            folder.mkdir(parents=True, exist_ok=True)
            arrow = ibis.schema(schema).to_pyarrow()
            self._work_files[name] = (arrow, folder)
            self._work_pending[name], self._work_parts[name] = [], 1
            # An empty first part gives the folder its columns even if no chunk follows.
            self._write_part(folder / "part-00000.parquet", arrow.empty_table())
            return
        self.backend.create_table(name, schema=ibis.schema(schema), temp=True, overwrite=True)

    def open_load(
        self,
        spec: Table,
        order_by: str,
        import_batch: str,
        name: str,
        expected_rows: int | None = None,
    ) -> Load:
        """Start loading checked rows into the canonical table ``spec`` (see ``store.loads``).

        On DuckDB a load of at most :data:`~chandung.store.loads.DIRECT_LOAD_CELLS` values
        (``expected_rows`` times the table's columns) goes straight into the table inside one
        transaction; a larger or unknown one, or any load elsewhere (or inside a transaction
        already open), waits in the work table ``name``.
        """
        direct = (
            self.engine == "duckdb"
            and not self._in_transaction
            and expected_rows is not None
            and expected_rows * len(spec.columns) <= loads.DIRECT_LOAD_CELLS
        )
        if direct:
            return DirectLoad(self, spec, order_by, import_batch)
        return StagedLoad(self, spec, order_by, name)

    def append_scratch(self, name: str, rows: pa.Table) -> None:
        """Add ``rows`` to the work table ``name`` (the load checks them before publishing)."""
        if name in self._work_files:
            schema, _ = self._work_files[name]
            pending = self._work_pending[name]
            pending.append(rows.select(schema.names).cast(schema))
            if sum(t.num_rows for t in pending) >= WORK_PART_ROWS:
                self._flush_parts(name)
            return
        self._insert(name, rows)

    def _flush_parts(self, name: str) -> None:
        pending = self._work_pending.get(name)
        if not pending:
            return
        _, folder = self._work_files[name]
        part = self._work_parts[name]
        self._write_part(folder / f"part-{part:05d}.parquet", pa.concat_tables(pending))
        self._work_pending[name], self._work_parts[name] = [], part + 1

    def _write_part(self, path: Path, rows: pa.Table) -> None:
        view = f"_chunk_{uuid.uuid4().hex[:12]}"
        options = "FORMAT parquet, COMPRESSION lz4"
        if self.encrypted:
            options += f", ENCRYPTION_CONFIG {{footer_key: '{_WORK_KEY}'}}"
        con = self.backend.con
        con.register(view, rows)
        try:
            con.execute(f'COPY (SELECT * FROM "{view}") TO {_sql_text(path)} ({options})')
        finally:
            con.unregister(view)

    def _staged(self, name: str) -> ir.Table:
        if name not in self._work_files:
            return self.backend.table(name)
        self._flush_parts(name)
        _, folder = self._work_files[name]
        files = _sql_text(folder / "*.parquet")
        options = f", encryption_config = {{footer_key: '{_WORK_KEY}'}}" if self.encrypted else ""
        self.backend.raw_sql(
            f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM read_parquet({files}{options})'
        )
        self._work_views.add(name)
        return self.backend.table(name)

    def publish(
        self,
        scratch: str,
        spec: Table,
        order_by: str,
        *,
        repeats_expected: bool = False,
        sums: tuple[str, ...] = (),
    ) -> PublishResult:
        """Move the rows of work table ``scratch`` into canonical table ``spec``, all or nothing.

        Rows whose key the table already has are left out (so a re-import changes nothing);
        of rows sharing a key inside ``scratch``, the first by ``order_by`` wins. The others
        are returned as duplicates, unless ``repeats_expected`` (an order repeated on each of
        its lines): then they are only counted, and the ``sums`` columns of the surviving row
        are the sums over all its rows. The work table is dropped afterwards.
        """
        keys = list(spec.primary_key)
        staged = self._staged(scratch)
        # Most files have no repeated key: find out with one aggregate before ranking rows.
        repeated = staged.group_by(keys).aggregate(_n=staged.count()).filter(lambda t: t._n > 1)
        first = staged
        duplicates = staged.select(order_by, *keys).limit(0).to_pyarrow()
        repeat_count = 0
        if int(repeated.count().to_pyarrow().as_py()):
            ranked = staged.mutate(
                _rank=ibis.row_number().over(group_by=keys, order_by=staged[order_by])
            )
            first = ranked.filter(ranked._rank == 0).drop("_rank")
            if repeats_expected:
                repeat_count = int(ranked.filter(ranked._rank > 0).count().to_pyarrow().as_py())
                if sums:
                    totals = staged.group_by(keys).aggregate(
                        **{f"_sum_{c}": staged[c].sum() for c in sums}
                    )
                    joined = first.inner_join(totals, keys)
                    first = joined.select(
                        *[
                            joined[f"_sum_{c}"].cast(staged[c].type()).name(c)
                            if c in sums
                            else joined[c]
                            for c in first.columns
                        ]
                    )
            else:
                duplicates = ranked.filter(ranked._rank > 0).select(order_by, *keys).to_pyarrow()
        target = self.table(spec.name)
        before = int(target.count().to_pyarrow().as_py())
        staged_rows = int(staged.count().to_pyarrow().as_py()) - duplicates.num_rows - repeat_count
        new = first if before == 0 else first.anti_join(target, keys)
        with self.transaction():
            self.backend.insert(spec.name, new.select(*spec.column_names))
        inserted = int(self.table(spec.name).count().to_pyarrow().as_py()) - before
        existing = staged_rows - inserted
        self.drop_scratch(scratch)
        return PublishResult(inserted, existing, duplicates, repeat_count)

    def write_derived(self, name: str, batches: Iterable[pa.Table]) -> int:
        """Replace the derived table ``name`` (not a canonical one) with ``batches``, at once.

        The batches go to a work table first, so readers see the old table until the new one
        is complete; an interrupted write leaves the old one. Returns the number of rows.

        ``batches`` may stream from a query of this warehouse (scoring reads the summary in
        batches while it writes the scores): on DuckDB a statement run on a connection ends
        the result that connection is streaming, so the writes go through a second
        connection to the same database, and the stream is read to its end.
        """
        work = f"_derived_{uuid.uuid4().hex[:12]}"
        rows = 0
        created = False
        writer = self._side_connection() if self.engine == "duckdb" else None
        try:
            for batch in batches:
                if writer is not None:
                    view = f"_batch_{uuid.uuid4().hex[:12]}"
                    writer.register(view, batch)
                    try:
                        verb = (
                            f'INSERT INTO "{work}" SELECT * FROM "{view}"'
                            if created
                            else f'CREATE TABLE "{work}" AS SELECT * FROM "{view}"'
                        )
                        writer.execute(verb)
                    finally:
                        writer.unregister(view)
                    created = True
                    rows += batch.num_rows
                    continue
                if not created:
                    self.backend.create_table(work, schema=ibis.Schema.from_pyarrow(batch.schema))
                    created = True
                if batch.num_rows:
                    self._insert(work, batch)
                    rows += batch.num_rows
            if not created:
                raise InputError("store.no_rows", table=name)
            if writer is not None:
                writer.close()
                writer = None
            self.swap_in({name: work})
        except BaseException:
            if writer is not None:
                writer.close()
            self.backend.drop_table(work, force=True)
            raise
        return rows

    def _side_connection(self) -> Any:
        """A second DuckDB connection to this warehouse's database (same catalog and schema)."""
        catalog, schema = self.backend.con.execute(
            "SELECT current_database(), current_schema()"
        ).fetchone()
        side = self.backend.con.cursor()
        side.execute(f'USE "{catalog}"."{schema}"')
        return side

    def swap_in(self, replacements: dict[str, str]) -> None:
        """Make each work table the table it replaces (``{live name: work table}``), at once."""
        with self.transaction():
            for live, work in replacements.items():
                self.backend.drop_table(live, force=True)
                self._rename(work, live)

    def views(self) -> set[str]:
        """Names of the warehouse's views (only DuckDB warehouses have views of ours)."""
        if self.engine != "duckdb":
            return set()
        rows = self.backend.con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal "
            "AND database_name = current_database() AND schema_name = current_schema()"
        ).fetchall()
        return {str(r[0]) for r in rows}

    def replace_with_view(self, name: str, expr: ir.Table) -> None:
        """Make ``name`` a view of ``expr``, replacing the table or view of that name, at once."""
        with self.transaction():
            if name in self.views():
                self.backend.drop_view(name, force=True)
            else:
                self.backend.drop_table(name, force=True)
            self.backend.create_view(name, expr)

    def drop_scratch(self, name: str) -> None:
        """Drop the work table ``name``, whether a table or files."""
        self._work_files.pop(name, None)
        self._work_pending.pop(name, None)
        self._work_parts.pop(name, None)
        if name in self._work_views:
            self._work_views.discard(name)
            self.backend.raw_sql(f'DROP VIEW IF EXISTS "{name}"')
        if self.work_dir is not None:
            shutil.rmtree(self.work_dir / name, ignore_errors=True)
            # A single file per work table was the layout before work files were encrypted.
            (self.work_dir / f"{name}.parquet").unlink(missing_ok=True)
        if name in self.backend.list_tables():
            self.backend.drop_table(name, force=True)

    def scratch_tables(self, prefix: str) -> list[str]:
        """Work tables (and work files) whose name starts with ``prefix``."""
        names = [t for t in self.backend.list_tables() if t.startswith(prefix)]
        if self.work_dir is not None and self.work_dir.is_dir():
            names += [p.name for p in self.work_dir.glob(f"{prefix}*") if p.is_dir()]
            names += [p.stem for p in self.work_dir.glob(f"{prefix}*.parquet")]
        return sorted(set(names))

    def _insert(self, name: str, rows: pa.Table) -> None:
        if self.engine == "postgres":
            copy_into_postgres(self.backend, name, rows)
            return
        source = ibis.memtable(rows)
        try:
            self.backend.insert(name, source)
        finally:
            self._release(source)

    def _release(self, source: ibis.Table) -> None:
        # Ibis keeps the data of an inserted in-memory table registered with the engine until
        # the connection closes (DuckDB holds the Arrow buffers, PostgreSQL a temporary table),
        # so a load of many chunks would keep every chunk. Release each one once it is written.
        name = source.op().name
        if self.engine == "duckdb":
            self.backend.con.unregister(name)
        elif name in self.backend.list_tables():
            self.backend.drop_table(name, force=True)

    def counts(self) -> dict[str, int]:
        """Rows in each canonical table (0 for a table that does not exist)."""
        existing = set(self.backend.list_tables())
        return {
            spec.name: int(self.backend.table(spec.name).count().to_pyarrow().as_py())
            if spec.name in existing
            else 0
            for spec in TABLES
        }

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside happens at once or not at all (on DuckDB and PostgreSQL; nested
        blocks join the outermost one)."""
        # DuckDB and PostgreSQL run DDL in transactions, so the swap of live tables is atomic
        # there; engines without transactional DDL through Ibis swap table by table.
        if self.engine not in ("duckdb", "postgres") or self._in_transaction:
            yield
            return
        self._in_transaction = True
        if self.engine == "postgres":
            # Ibis wraps each of its statements in a psycopg transaction block; inside this
            # one they become savepoints, so the whole block commits or rolls back at once.
            try:
                with self.backend.con.transaction():
                    yield
            finally:
                self._in_transaction = False
            return
        self.backend.raw_sql("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.backend.raw_sql("ROLLBACK")
            raise
        else:
            self.backend.raw_sql("COMMIT")
        finally:
            self._in_transaction = False


def duckdb_path(url: str) -> Path | None:
    """The database file of a DuckDB ``url``; ``None`` for in-memory DuckDB and other engines.

    >>> duckdb_path("duckdb:///srv/ws/warehouse.duckdb").as_posix()
    '/srv/ws/warehouse.duckdb'
    >>> duckdb_path("duckdb://") is None, duckdb_path("postgres://db/crm") is None
    (True, True)
    """
    if not url.startswith("duckdb://"):
        return None
    rest = url[len("duckdb://") :].split("?", 1)[0]
    if rest in ("", ":memory:") or rest.startswith(("md:", "motherduck:")):
        return None
    return Path(rest)


def file_state(path: Path) -> FileState:
    """Whether the DuckDB file ``path`` is ``missing`` (or empty), ``plain``, ``encrypted``, or
    not a DuckDB file (``other``), read from its main header without opening it.

    The header stays in plain text in an encrypted file: a checksum (8 bytes), the magic
    ``DUCK``, the storage version (8 bytes), then flags whose lowest bit marks encryption.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(28)
    except FileNotFoundError:
        return "missing"
    if not head:
        return "missing"
    if len(head) < 28 or head[8:12] != b"DUCK":
        return "other"
    return "encrypted" if int.from_bytes(head[20:28], "little") & 1 else "plain"


def encrypt_file(path: Path, key: bytes) -> None:
    """Encrypt the plain DuckDB file ``path`` with ``key``: copy it whole into an encrypted
    file beside it, then put the copy in its place (a crash leaves one or the other whole)."""
    con = _duckdb_connection(path)
    try:
        _attach(con, path, "_plain", None)
        con.execute("CHECKPOINT _plain")  # merges a write-ahead log left by a killed process
        _copy_into(con, "_plain", path.with_name(path.name + ENCRYPTING_SUFFIX), key)
        con.execute("DETACH _plain")
    finally:
        con.close()
    _swap(path.with_name(path.name + ENCRYPTING_SUFFIX), path)


def reencrypt_file(path: Path, keys: Sequence[bytes], new_key: bytes) -> int:
    """Encrypt the encrypted DuckDB file ``path`` with ``new_key`` instead: a whole new copy,
    then put in its place at once. ``keys`` are tried in order to read it; returns the index
    of the one that did. Nothing else may have the file open."""
    con = _duckdb_connection(path)
    try:
        index = _attach_any(con, path, "_old", keys)
        con.execute("CHECKPOINT _old")
        _copy_into(con, "_old", path.with_name(path.name + REKEY_SUFFIX), new_key)
        con.execute("DETACH _old")
    finally:
        con.close()
    _swap(path.with_name(path.name + REKEY_SUFFIX), path)
    return index


def opens_with(path: Path, key: bytes) -> bool:
    """Whether ``key`` opens the encrypted DuckDB file ``path`` (read only)."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        _attach(con, path, "_probe", key, read_only=True)
    except ConfigError:
        return False
    finally:
        con.close()
    return True


def remove_leftovers(path: Path) -> None:
    """Delete the copies an interrupted :func:`encrypt_file` or :func:`reencrypt_file` left."""
    for suffix in (ENCRYPTING_SUFFIX, REKEY_SUFFIX):
        _remove_database(path.with_name(path.name + suffix))


def _open_encrypted(path: Path, keys: Sequence[bytes], memory_limit: str) -> tuple[Any, int]:
    state = file_state(path)
    if state == "plain":
        encrypt_file(path, keys[0])
    backend = ibis.duckdb.connect(autoinstall_known_extensions=False)
    try:
        con = backend.con
        _configure(con, path)
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        if state == "missing":
            _remove_database(path)
            _attach(con, path, _ATTACHED, keys[0])
            index = 0
        else:
            index = _attach_any(con, path, _ATTACHED, keys)
        con.execute(f"USE {_ATTACHED}")
        # Holding the file now, nothing else can be building a copy of it.
        remove_leftovers(path)
    except BaseException:
        backend.disconnect()
        raise
    return backend, index


def _duckdb_connection(path: Path) -> Any:
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        _configure(con, path)
    except BaseException:
        con.close()
        raise
    return con


def _configure(con: Any, path: Path) -> None:
    # DuckDB draws a progress bar on standard output for long queries, which would mix into
    # the output of commands (--json above all).
    con.execute("SET enable_progress_bar = false")
    _load_crypto(con)
    # Buffers spilled to disk go beside the file, as for a database opened directly (an
    # in-memory database would spill into the current folder), and are encrypted.
    con.execute(f"SET temp_directory = {_sql_text(Path(f'{path}.tmp'))}")
    con.execute("SET temp_file_encryption = true")


def _load_crypto(con: Any) -> None:
    """Load DuckDB's OpenSSL module (the ``httpfs`` extension), without which DuckDB can read
    encrypted files but not write them (its built-in module has no secure source of random
    nonces, and we never use its ``force_mbedtls_unsafe`` escape).

    Looked for in the Python package ``duckdb-extension-httpfs`` built for this DuckDB, then in
    DuckDB's own extension folder; never downloaded. DuckDB checks its signature on loading.
    """
    reason = "not installed"
    spec = importlib.util.find_spec("duckdb_extension_httpfs")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = (
            Path(folder) / "extensions" / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
        )
        if candidate.is_file():
            try:
                con.execute(f"LOAD {_sql_text(candidate)}")
            except duckdb.Error as exc:
                reason = _first_line(exc)
            else:
                return
    try:
        con.execute("LOAD httpfs")
    except duckdb.Error as exc:
        if reason == "not installed":
            reason = _first_line(exc)
    else:
        return
    raise StoreError("security.no_crypto", version=duckdb.__version__, reason=reason)


def _attach(
    con: Any, path: Path, alias: str, key: bytes | None, *, read_only: bool = False
) -> None:
    options = [f"ENCRYPTION_KEY '{_b64(key)}'"] if key is not None else []
    if read_only:
        options.append("READ_ONLY")
    clause = f" ({', '.join(options)})" if options else ""
    try:
        con.execute(f"ATTACH {_sql_text(path)} AS {alias}{clause}")
    except duckdb.Error as exc:
        message = _first_line(exc)
        if key is not None:
            message = message.replace(_b64(key), "***")
        if "wrong encryption key" in message.lower():
            raise ConfigError("security.wrong_key", file=str(path)) from None
        raise _connect_error(f"duckdb://{path}", message) from None


def _attach_any(con: Any, path: Path, alias: str, keys: Sequence[bytes]) -> int:
    for index, key in enumerate(keys):
        try:
            _attach(con, path, alias, key)
        except ConfigError as exc:
            if exc.code != "security.wrong_key" or index == len(keys) - 1:
                raise
        else:
            return index
    raise ConfigError("security.wrong_key", file=str(path))


def _copy_into(con: Any, source: str, target: Path, key: bytes) -> None:
    _remove_database(target)
    _attach(con, target, "_copy", key)
    con.execute(f"COPY FROM DATABASE {source} TO _copy")
    con.execute("CHECKPOINT _copy")
    con.execute("DETACH _copy")
    if _wal(target).exists():
        raise StoreError("store.unreachable", url=str(target), reason="copy not checkpointed")


def _swap(new: Path, path: Path) -> None:
    with open(new, "rb+") as handle:
        os.fsync(handle.fileno())
    # The write-ahead log of the old file must not be replayed on the new one; the checkpoint
    # before the copy emptied it, so one still there means something else wrote the file.
    if _wal(path).exists():
        raise StoreError("store.locked", url=redact_url(f"duckdb://{path}"))
    os.replace(new, path)
    _fsync_folder(path.parent)


def _remove_database(path: Path) -> None:
    for file in (path, _wal(path)):
        file.unlink(missing_ok=True)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder to flush it; its rename is durable
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _connect_error(url: str, exc: object) -> ChandungError:
    text = exc if isinstance(exc, str) else _first_line(exc)
    reason = redact_url(text)
    if "Could not set lock" in reason:
        return StoreError("store.locked", url=redact_url(url))
    if "encrypted database" in reason and "without a key" in reason:
        return ConfigError("security.encrypted", url=redact_url(url))
    if url.startswith("duckdb:"):
        return StoreError("store.unreachable", url=redact_url(url), reason=reason)
    # A warehouse on a server: name the engine, and the setting that points at it.
    engine = engine_label(url)
    if isinstance(exc, ImportError):
        return StoreError("engine.no_driver", engine=engine, url=redact_url(url), reason=reason)
    return StoreError(
        "engine.unreachable", engine=engine, url=redact_url(url), step="open", reason=reason
    )


def _first_line(exc: object) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


def _b64(key: bytes | None) -> str:
    return base64.b64encode(key or b"").decode("ascii")


def _sql_text(path: Path) -> str:
    """``path`` as a quoted SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


@dataclass(frozen=True)
class PublishResult:
    """What :meth:`Warehouse.publish` did."""

    inserted: int
    already_present: int
    duplicates: pa.Table
    repeats: int = 0


def conform(spec: Table, rows: pa.Table) -> pa.Table:
    """``rows`` with the canonical columns of ``spec``, in order and with canonical types.

    Raises
    ------
    InputError
        A column is missing, has a type that cannot be converted, or a required column is empty.
    """
    missing = [c for c in spec.column_names if c not in rows.column_names]
    if missing:
        raise InputError("store.missing_columns", table=spec.name, columns=", ".join(missing))
    target = spec.arrow_schema()
    columns = []
    for fld in target:
        column = rows.column(fld.name)
        if not fld.nullable and column.null_count:
            raise InputError(
                "store.required_empty", table=spec.name, column=fld.name, count=column.null_count
            )
        try:
            columns.append(column.cast(fld.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputError(
                "store.bad_type",
                table=spec.name,
                column=fld.name,
                expected=str(fld.type),
                reason=str(exc),
            ) from exc
    return pa.Table.from_arrays(columns, schema=target)
