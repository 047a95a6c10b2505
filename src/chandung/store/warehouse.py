"""The warehouse: the customer file and everything computed from it, reached only through Ibis.

The default is a DuckDB file in the workspace; any Ibis connection URL (PostgreSQL, Spark, ...)
works unchanged, because code above this module only sees Ibis tables.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot

from ..errors import InputError, NotFoundError, StoreError
from ..schema import TABLES, Table
from ..schema import table as canonical_table

_STAGING_PREFIX = "_staging_"


def redact_url(url: str) -> str:
    """``url`` with any password replaced, fit for messages and logs."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class Warehouse:
    """A connection to the warehouse.

    Use :meth:`connect` to open one; close it with :meth:`close` or a ``with`` block.
    """

    def __init__(self, backend: Any, url: str, *, work_dir: Path | None = None):
        self.backend = backend
        self.url = url
        #: Where an embedded engine keeps work tables as files (see :meth:`create_scratch`).
        self.work_dir = work_dir
        self._in_transaction = False
        self._work_files: dict[str, tuple[pq.ParquetWriter, Path]] = {}
        self._work_views: set[str] = set()

    @classmethod
    def connect(
        cls, url: str, *, duckdb_memory_limit: str = "", work_dir: Path | None = None
    ) -> Warehouse:
        """Open the warehouse at ``url`` (any Ibis connection URL).

        ``duckdb_memory_limit`` bounds the buffers of a DuckDB warehouse (e.g. ``"2GB"``), so
        that long loads and large queries spill to disk instead of filling the machine.
        """
        try:
            backend = ibis.connect(url)
        # Every engine has its own exception types; at this boundary any failure to connect
        # becomes one error that names the URL (without its password) and the reason.
        except Exception as exc:
            reason = redact_url(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            if "Could not set lock" in reason:
                raise StoreError("store.locked", url=redact_url(url)) from exc
            raise StoreError("store.unreachable", url=redact_url(url), reason=reason) from exc
        if backend.name == "duckdb":
            # DuckDB draws a progress bar on standard output for long queries, which would mix
            # into the output of commands (--json above all).
            backend.raw_sql("SET enable_progress_bar = false")
            if duckdb_memory_limit:
                backend.raw_sql(f"SET memory_limit = '{duckdb_memory_limit}'")
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
        with a work folder, a work table is a Parquet file there: writing it costs far less
        than inserting the rows into the engine, and the publish step reads it once. Elsewhere
        it is a temporary table of the connection. Either is gone with the load; a file left
        by a killed process is swept by the next load.
        """
        schema = {**{k: v.lstrip("!") for k, v in spec.ibis_schema().items()}, **(extra or {})}
        if self.engine == "duckdb" and self.work_dir is not None:
            self.drop_scratch(name)
            self.work_dir.mkdir(parents=True, exist_ok=True)
            path = self.work_dir / f"{name}.parquet"
            arrow = ibis.schema(schema).to_pyarrow()
            self._work_files[name] = (pq.ParquetWriter(path, arrow, compression="lz4"), path)
            return
        self.backend.create_table(name, schema=ibis.schema(schema), temp=True, overwrite=True)

    def append_scratch(self, name: str, rows: pa.Table) -> None:
        """Add ``rows`` to the work table ``name`` (the load checks them before publishing)."""
        if name in self._work_files:
            writer, _ = self._work_files[name]
            writer.write_table(rows.select(writer.schema.names).cast(writer.schema))
            return
        self._insert(name, rows)

    def _staged(self, name: str) -> ir.Table:
        if name not in self._work_files:
            return self.backend.table(name)
        writer, path = self._work_files[name]
        if writer.is_open:
            writer.close()
        self._work_views.add(name)
        return self.backend.read_parquet(path, table_name=name)

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
        """
        work = f"_derived_{uuid.uuid4().hex[:12]}"
        rows = 0
        created = False
        try:
            for batch in batches:
                if not created:
                    self.backend.create_table(work, schema=ibis.Schema.from_pyarrow(batch.schema))
                    created = True
                if batch.num_rows:
                    self._insert(work, batch)
                    rows += batch.num_rows
            if not created:
                raise InputError("store.no_rows", table=name)
            self.swap_in({name: work})
        except BaseException:
            self.backend.drop_table(work, force=True)
            raise
        return rows

    def swap_in(self, replacements: dict[str, str]) -> None:
        """Make each work table the table it replaces (``{live name: work table}``), at once."""
        with self.transaction():
            for live, work in replacements.items():
                self.backend.drop_table(live, force=True)
                self._rename(work, live)

    def drop_scratch(self, name: str) -> None:
        """Drop the work table ``name``, whether a table or a file."""
        writer, path = self._work_files.pop(name, (None, None))
        if writer is not None and writer.is_open:
            writer.close()
        if name in self._work_views:
            self._work_views.discard(name)
            self.backend.raw_sql(f'DROP VIEW IF EXISTS "{name}"')
        if path is None and self.work_dir is not None:
            path = self.work_dir / f"{name}.parquet"
        if path is not None:
            path.unlink(missing_ok=True)
        if name in self.backend.list_tables():
            self.backend.drop_table(name, force=True)

    def scratch_tables(self, prefix: str) -> list[str]:
        """Work tables (and work files) whose name starts with ``prefix``."""
        names = [t for t in self.backend.list_tables() if t.startswith(prefix)]
        if self.work_dir is not None and self.work_dir.is_dir():
            names += [p.stem for p in self.work_dir.glob(f"{prefix}*.parquet")]
        return sorted(set(names))

    def _insert(self, name: str, rows: pa.Table) -> None:
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
        """Everything inside happens at once or not at all (on DuckDB; nested blocks join
        the outermost one)."""
        # DuckDB runs DDL in transactions, so the swap of live tables is atomic there; engines
        # without transactional DDL through Ibis swap table by table.
        if self.engine != "duckdb" or self._in_transaction:
            yield
            return
        self._in_transaction = True
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
