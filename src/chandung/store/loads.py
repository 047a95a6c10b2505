"""Loading a file's rows into a canonical table, all or nothing.

Two ways, one interface (:class:`Load`): ``append`` the checked rows of each batch with their
row numbers, then ``publish`` them (or ``abandon`` the load).

- :class:`StagedLoad`, every engine: rows wait in a work table (see
  :meth:`Warehouse.create_scratch`) and are moved into the canonical table in one statement.
  Each row is written twice, once to the work table and once to the table.
- :class:`DirectLoad`, DuckDB: rows go straight into the canonical table inside one
  transaction, which publishing commits; a killed process never commits it, so the table is
  as it was. Only the keys and row numbers wait aside (two columns, in memory), so each row is
  written once: on a file of a million customers that halves the writing. An open
  transaction holds memory in proportion to what it wrote, so only loads of up to
  :data:`DIRECT_LOAD_CELLS` values go this way.

Both give the same result: rows whose key the table already had are left out (a re-import
changes nothing), of rows sharing a key in the file the first wins and the others come back as
duplicates with their row numbers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import ibis
import pyarrow as pa

from ..schema import Table

if TYPE_CHECKING:
    from .warehouse import PublishResult, Warehouse

#: Most values (rows times columns) a load puts straight into its table. DuckDB keeps about
#: 20 bytes per value of an open transaction in memory until it commits, so larger loads (ten
#: million order lines, twenty million events) wait in a work table instead.
DIRECT_LOAD_CELLS = 64_000_000
#: Rows gathered before one insert. Written by one thread (below), row groups come out whole
#: whatever the size of each insert, so rows go in about as they come: the last insert, which
#: nothing overlaps, stays small.
DIRECT_INSERT_ROWS = 65_536
#: How rows are written while a direct load is open. One thread writes whole row groups in
#: order; several each leave a part-filled one, which the next checkpoint rewrites (measured:
#: a million customers, 3.8 s of work written by one thread, 8.3 s by two). Writing each row
#: group as soon as it is full (DuckDB buffers five by default) does that work while the file
#: is still being read, not all at once when the load commits.
_WRITE_SETTINGS = {"threads": 1, "write_buffer_row_group_count": 1}


class Load(Protocol):
    """A load in progress into one canonical table."""

    def append(self, rows: pa.Table) -> None:
        """Add checked rows (canonical columns plus the row-number column)."""

    def publish(self) -> PublishResult:
        """Make the rows part of the table; returns what was inserted, present or repeated."""

    def abandon(self) -> None:
        """Forget the rows: the table stays as it was."""


class StagedLoad:
    """Rows wait in a work table until :meth:`publish` moves them (every engine)."""

    def __init__(self, warehouse: Warehouse, spec: Table, order_by: str, name: str) -> None:
        self._warehouse, self._spec, self._order_by, self._name = warehouse, spec, order_by, name
        warehouse.create_scratch(name, spec, {order_by: "int64"})

    def append(self, rows: pa.Table) -> None:
        self._warehouse.append_scratch(self._name, rows)

    def publish(self) -> PublishResult:
        return self._warehouse.publish(self._name, self._spec, self._order_by)

    def abandon(self) -> None:
        self._warehouse.drop_scratch(self._name)


class DirectLoad:
    """Rows go into the canonical table inside one DuckDB transaction (see the module)."""

    def __init__(self, warehouse: Warehouse, spec: Table, order_by: str, import_batch: str) -> None:
        self._warehouse, self._spec, self._order_by = warehouse, spec, order_by
        self._batch = import_batch
        self._con = warehouse.backend.con
        self._keys = list(spec.primary_key)
        columns = {k: v.lstrip("!") for k, v in spec.ibis_schema().items()}
        self._schema = ibis.schema({**columns, order_by: "int64"}).to_pyarrow()
        self._key_table = f"_load_keys_{uuid.uuid4().hex[:12]}"
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._rows = 0
        self._open = False
        self._before = int(warehouse.table(spec.name).count().to_pyarrow().as_py())
        self._settings = {
            name: self._con.execute("SELECT current_setting(?)", [name]).fetchone()[0]
            for name in _WRITE_SETTINGS
        }
        self._con.execute("BEGIN TRANSACTION")
        self._open = True
        self._set(_WRITE_SETTINGS)
        # Work the load's caller does in the warehouse meanwhile joins this transaction.
        warehouse._in_transaction = True
        key_columns = ", ".join(f"{_q(k)} {_duck_type(self._schema, k)}" for k in self._keys)
        self._con.execute(
            f"CREATE TEMP TABLE {_q(self._key_table)} ({_q(order_by)} BIGINT, {key_columns})"
        )

    def append(self, rows: pa.Table) -> None:
        if not rows.num_rows:
            return
        self._pending.append(rows.select(self._schema.names).cast(self._schema))
        self._pending_rows += rows.num_rows
        if self._pending_rows >= DIRECT_INSERT_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        rows = pa.concat_tables(self._pending)
        self._pending, self._pending_rows = [], 0
        view = f"_load_rows_{uuid.uuid4().hex[:12]}"
        columns = ", ".join(_q(c) for c in self._spec.column_names)
        keys = ", ".join(_q(k) for k in self._keys)
        self._con.register(view, rows)
        try:
            self._con.execute(
                f"INSERT INTO {_q(self._spec.name)} ({columns}) SELECT {columns} FROM {_q(view)}"
            )
            self._con.execute(
                f"INSERT INTO {_q(self._key_table)} SELECT {_q(self._order_by)}, {keys} "
                f"FROM {_q(view)}"
            )
        finally:
            self._con.unregister(view)
        self._rows += rows.num_rows

    def publish(self) -> PublishResult:
        from .warehouse import PublishResult

        try:
            self._flush()
            self._set(self._settings)
            duplicates = self._remove_repeats()
            already = self._remove_present() if self._before else 0
            self._con.execute("COMMIT")
            self._open = False
            self._warehouse._in_transaction = False
        except BaseException:
            self.abandon()
            raise
        self._drop_keys()
        inserted = self._rows - duplicates.num_rows - already
        return PublishResult(inserted, already, duplicates)

    def _set(self, settings: Mapping[str, object]) -> None:
        for name, value in settings.items():
            self._con.execute(f"SET {name} = {int(str(value))}")

    def _remove_repeats(self) -> pa.Table:
        """Rows whose key an earlier row of the file has: returned, and taken out of the table.

        Rows went in in file order, so among the table's rows of this load with one key, the
        first by row id is the file's first.
        """
        keys = ", ".join(_q(k) for k in self._keys)
        table, batch = _q(self._spec.name), _q("import_batch")
        repeated = self._con.execute(
            f"SELECT count(*) FROM (SELECT {keys} FROM {_q(self._key_table)} "
            f"GROUP BY {keys} HAVING count(*) > 1)"
        ).fetchone()
        if not repeated or not repeated[0]:
            return pa.table(
                {self._order_by: pa.array([], pa.int64()), **_empty_keys(self._schema, self._keys)}
            )
        duplicates = self._con.execute(
            f"SELECT {_q(self._order_by)}, {keys} FROM (SELECT *, row_number() OVER "
            f"(PARTITION BY {keys} ORDER BY {_q(self._order_by)}) AS _rank "
            f"FROM {_q(self._key_table)}) WHERE _rank > 1 ORDER BY {_q(self._order_by)}"
        ).to_arrow_table()
        self._con.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM (SELECT rowid, row_number() "
            f"OVER (PARTITION BY {keys} ORDER BY rowid) AS _rank FROM {table} "
            f"WHERE {batch} = ?) WHERE _rank > 1)",
            [self._batch],
        )
        return duplicates.cast(pa.schema([self._schema.field(n) for n in duplicates.column_names]))

    def _remove_present(self) -> int:
        """Take out this load's rows whose key the table had before; returns how many."""
        table, batch = _q(self._spec.name), _q("import_batch")
        same = " AND ".join(f"o.{_q(k)} = n.{_q(k)}" for k in self._keys)
        removed = self._con.execute(
            f"DELETE FROM {table} AS n WHERE n.{batch} = ? AND EXISTS (SELECT 1 FROM {table} "
            f"AS o WHERE o.{batch} IS DISTINCT FROM ? AND {same})",
            [self._batch, self._batch],
        ).fetchone()
        return int(removed[0]) if removed else 0

    def abandon(self) -> None:
        self._pending = []
        if self._open:
            self._open = False
            self._warehouse._in_transaction = False
            self._con.execute("ROLLBACK")
            self._set(self._settings)
        self._drop_keys()

    def _drop_keys(self) -> None:
        self._con.execute(f"DROP TABLE IF EXISTS {_q(self._key_table)}")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duck_type(schema: pa.Schema, name: str) -> str:
    kind = schema.field(name).type
    if pa.types.is_integer(kind):
        return "BIGINT"
    if pa.types.is_date(kind):
        return "DATE"
    return "VARCHAR"


def _empty_keys(schema: pa.Schema, keys: list[str]) -> dict[str, pa.Array]:
    return {k: pa.array([], schema.field(k).type) for k in keys}


__all__ = ["DIRECT_INSERT_ROWS", "DIRECT_LOAD_CELLS", "DirectLoad", "Load", "StagedLoad"]
