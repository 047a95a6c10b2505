"""What each warehouse engine needs beyond Ibis, so that code above the store never branches.

Ibis hides most differences between engines; the few it leaves are settled here, per engine,
each with the reason: adjustments made once the connection opens (:func:`prepare`), the bulk
load of PostgreSQL, the exceptions by which each engine reports a lost server or a missing
capability, and the engines' names in messages.
"""

from __future__ import annotations

import io
from typing import Any

import ibis.expr.datatypes as dt
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlglot

#: How the product names each engine to people, by URL scheme or Ibis backend name.
_LABELS = {
    "duckdb": "DuckDB", "postgres": "PostgreSQL", "postgresql": "PostgreSQL",
    "pyspark": "Spark", "spark": "Spark", "sqlite": "SQLite", "bigquery": "BigQuery",
    "snowflake": "Snowflake", "clickhouse": "ClickHouse", "mysql": "MySQL", "trino": "Trino",
}  # fmt: skip


def engine_label(name_or_url: str) -> str:
    """The engine's name for people, from an Ibis backend name or a connection URL.

    >>> engine_label("postgres://analyst@db/crm"), engine_label("postgresql+psycopg://db/app")
    ('PostgreSQL', 'PostgreSQL')
    >>> engine_label("duckdb"), engine_label("nosuchengine://db")
    ('DuckDB', 'nosuchengine')
    """
    scheme = name_or_url.split("://", 1)[0].split("+", 1)[0].lower()
    return _LABELS.get(scheme, scheme)


def connection_errors(backend: Any) -> tuple[type[BaseException], ...]:
    """The exceptions by which the engine's driver says the server failed or went away
    (what :meth:`~chandung.store.Warehouse.step` turns into one clear error)."""
    if backend.name == "postgres":
        import psycopg

        # OperationalError covers a lost connection, a refused one and a cancelled statement;
        # InterfaceError a connection already closed.
        return (psycopg.OperationalError, psycopg.InterfaceError)
    # An embedded engine has no server to lose: its errors stay as they are.
    return ()


def capability_errors(backend: Any) -> tuple[type[BaseException], ...]:
    """The exceptions by which the engine says it lacks a function, a type conversion or a
    feature a query uses (Ibis's own, raised before the query is sent, come on top)."""
    from ibis.common.exceptions import OperationNotDefinedError, UnsupportedOperationError

    found: tuple[type[BaseException], ...] = (OperationNotDefinedError, UnsupportedOperationError)
    if backend.name == "postgres":
        from psycopg import errors

        found += (errors.UndefinedFunction, errors.FeatureNotSupported, errors.CannotCoerce)
    return found


def prepare(backend: Any, *, duckdb_memory_limit: str = "") -> None:
    """Adjust a fresh Ibis connection to its engine (see the module docstring)."""
    if backend.name == "duckdb":
        # DuckDB draws a progress bar on standard output for long queries, which would mix
        # into the output of commands (--json above all).
        backend.raw_sql("SET enable_progress_bar = false")
        if duckdb_memory_limit:
            backend.raw_sql(f"SET memory_limit = '{duckdb_memory_limit}'")
    elif backend.name == "postgres":
        _prepare_postgres(backend)


def _prepare_postgres(backend: Any) -> None:
    # psycopg and Ibis's PostgreSQL compiler come with the optional ``postgres`` extra: they
    # are imported only for a PostgreSQL warehouse.
    from ibis.backends.sql.compilers.postgres import PostgresCompiler
    from psycopg.adapt import Loader

    class NumericAsNumber(Loader):
        """Reads a NUMERIC as an ``int`` when it is whole (exact sums), else as a ``float``.

        PostgreSQL answers NUMERIC where Ibis types the result as a float or an integer: the
        average or sum of an integer column, arithmetic with a float literal (which Ibis
        writes as a bare numeric literal). psycopg reads NUMERIC as ``Decimal``, which Arrow
        refuses for a float64 column, so every query reading such a value would fail. The
        warehouse has no DECIMAL columns, so NUMERIC is read as the number Ibis expects.
        """

        def load(self, data: Any) -> int | float:
            text = bytes(data).decode("ascii")
            return int(text) if text.lstrip("-").isdigit() else float(text)

    class Compiler(PostgresCompiler):  # type: ignore[misc]
        """Ibis's PostgreSQL compiler, with the casts PostgreSQL refuses written its way."""

        def visit_Cast(self, op: Any, *, arg: Any, to: Any) -> Any:
            # PostgreSQL casts a boolean to INTEGER only (counting flags is
            # ``flag.cast("int64").sum()``): go through INTEGER to any other number type.
            if op.arg.dtype.is_boolean() and to.is_numeric() and not to.is_int32():
                arg = self.cast(arg, dt.int32)
            return super().visit_Cast(op, arg=arg, to=to)

    backend.con.adapters.register_loader("numeric", NumericAsNumber)
    # The compiler of this connection only; Ibis reads it from the backend object.
    backend.compiler = Compiler()


#: Rows sent to PostgreSQL per piece of a COPY (bounds the text held in memory at once).
COPY_BATCH_ROWS = 50_000


def copy_into_postgres(backend: Any, name: str, rows: pa.Table) -> None:
    """Append ``rows`` to the PostgreSQL table ``name`` with ``COPY ... FROM STDIN``.

    Ibis sends in-memory rows to PostgreSQL as one INSERT per row (37 of the 39 seconds of
    loading a 20,000-customer demo); COPY is PostgreSQL's bulk path. The rows go as CSV,
    which carries every type of the warehouse's tables (text, numbers, booleans, dates,
    timestamps): an empty unquoted field is NULL, a quoted one an empty text.
    """
    quoted = [sqlglot.exp.to_identifier(n, quoted=True).sql("postgres") for n in rows.column_names]
    target = sqlglot.exp.to_identifier(name, quoted=True).sql("postgres")
    statement = f"COPY {target} ({', '.join(quoted)}) FROM STDIN (FORMAT csv)"
    options = pacsv.WriteOptions(include_header=False)
    con = backend.con
    with con.cursor() as cursor, con.transaction(), cursor.copy(statement) as copy:
        for batch in rows.to_batches(max_chunksize=COPY_BATCH_ROWS):
            text = io.BytesIO()
            pacsv.write_csv(batch, text, write_options=options)
            copy.write(text.getbuffer())
