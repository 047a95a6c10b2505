"""What each warehouse engine needs beyond Ibis, so that code above the store never branches.

Ibis hides most differences between engines; the few it leaves are settled here, per engine,
each with the reason: adjustments made once the connection opens (:func:`prepare`), the bulk
load of PostgreSQL, the exceptions by which each engine reports a lost server or a missing
capability, and the engines' names in messages. Spark's own backend, which keeps tables as
Parquet folders, is :mod:`chandung.store.spark_backend`.
"""

from __future__ import annotations

import io
import math
from typing import Any, ClassVar

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
    if backend.name == "pyspark":
        from py4j.protocol import Py4JError
        from pyspark.errors import QueryExecutionException, SparkRuntimeException, UnknownException

        # Py4JError: the JVM went away or failed outside a query; the others: a job failed
        # (an executor lost, out of memory, ...).
        return (Py4JError, QueryExecutionException, SparkRuntimeException, UnknownException)
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
    if backend.name == "pyspark":
        from pyspark.errors import (
            AnalysisException,
            ParseException,
            UnsupportedOperationException,
        )

        # AnalysisException: a function, type conversion or column Spark cannot resolve.
        found += (AnalysisException, ParseException, UnsupportedOperationException)
    return found


def failure_code(backend: Any) -> str:
    """The message code of the engine failing during a step (its hint says what to check)."""
    return "engine.spark_failed" if backend.name == "pyspark" else "engine.failed"


def check_writable(backend: Any, table: str) -> None:
    """Fail before any work when the engine cannot change the canonical table ``table``: a
    Spark warehouse reads the canonical tables from files (:class:`~.spark.ReadOnlyTable`)."""
    if backend.name == "pyspark":
        backend.check_writable(table)


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
    elif backend.name == "pyspark":
        _prepare_spark(backend)


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


def _prepare_spark(backend: Any) -> None:
    # Ibis's Spark compiler comes with the optional ``spark`` extra.
    import ibis.expr.operations as ops
    import sqlglot.expressions as sge
    from ibis.backends.sql.compilers.pyspark import PySparkCompiler
    from ibis.backends.sql.rewrites import lower_sample
    from ibis.common.exceptions import UnsupportedOperationError

    class Compiler(PySparkCompiler):  # type: ignore[misc]
        """Ibis's Spark compiler, with what it writes wrongly for Spark written right.

        Spark has no ordered aggregate (``array_agg(x ORDER BY k)``): the values are collected
        as structs led by their sort keys, sorted (``array_sort`` orders structs field by
        field, texts by code point as DuckDB does), and the values taken out again. Only
        ascending keys are written so; others stay unsupported (a capability error).
        """

        # Ibis makes a method of each of these for every subclass: those written below
        # would be replaced.
        SIMPLE_OPS: ClassVar[dict[Any, str]] = {
            op: name
            for op, name in PySparkCompiler.SIMPLE_OPS.items()
            if op not in (ops.LStrip, ops.RStrip)
        }

        # Ibis refuses a seeded sample on Spark, which can draw one: rows whose rand(seed) is
        # under the fraction, the same rows for the same files (see visit_Sample).
        LOWERED_OPS: ClassVar[dict[Any, Any]] = {
            **PySparkCompiler.LOWERED_OPS,
            ops.Sample: lower_sample(supported_methods=("row",), supports_seed=True),
        }

        def visit_Sample(
            self, _op: Any, *, parent: Any, fraction: float, seed: int | None, **_: Any
        ) -> Any:
            draw = self.f.rand() if seed is None else self.f.rand(sge.convert(seed))
            kept = sge.LTE(this=draw, expression=sge.convert(fraction))
            return sge.select(sge.Star()).from_(parent).where(kept)

        def _ordered_list(self, arg: Any, where: Any, order_by: list[Any]) -> Any:
            if where is not None:
                arg = self.if_(where, arg, sge.Null())
            keys = []
            for i, key in enumerate(order_by):
                if key.args.get("desc"):
                    raise UnsupportedOperationError("descending order inside an aggregate")
                keys.append(sge.alias_(key.this, f"k{i}"))
            item = sge.Struct(expressions=[*keys, sge.alias_(arg, "v")])
            # collect_list leaves out missing values, as Ibis's other engines do.
            collected = self.f.collect_list(self.if_(arg.is_(sge.Null()), sge.Null(), item))
            value = sge.to_identifier("item")
            pick = sge.Lambda(this=sge.Dot(this=value, expression=sge.to_identifier("v")),
                              expressions=[value])  # fmt: skip
            return self.f.transform(self.f.array_sort(collected), pick)

        def visit_ArrayCollect(
            self, op: Any, *, arg: Any, where: Any, order_by: Any, include_null: Any,
            distinct: Any,
        ) -> Any:  # fmt: skip
            if not order_by or include_null or distinct:
                return super().visit_ArrayCollect(
                    op, arg=arg, where=where, order_by=order_by, include_null=include_null,
                    distinct=distinct,
                )  # fmt: skip
            return self._ordered_list(arg, where, order_by)

        def visit_GroupConcat(
            self, op: Any, *, arg: Any, sep: Any, where: Any, order_by: Any
        ) -> Any:
            if not order_by:
                return super().visit_GroupConcat(op, arg=arg, sep=sep, where=where, order_by=None)
            collected = self._ordered_list(arg, where, order_by)
            joined = self.f.array_join(collected, sep)
            # No value at all gives NULL, as on the other engines, not an empty text.
            return self.if_(self.f.size(collected).eq(0), sge.Null(), joined)

        def visit_NonNullLiteral(self, op: Any, *, value: Any, dtype: Any) -> Any:
            # Spark reads ``0.45`` as a DECIMAL: arithmetic with it would be decimal (rounded
            # to a few places) where the other engines compute in floating point.
            if dtype.is_floating() and math.isfinite(value):
                return self.cast(sge.convert(value), dtype)
            return super().visit_NonNullLiteral(op, value=value, dtype=dtype)

        def visit_Median(self, _op: Any, *, arg: Any, where: Any) -> Any:
            # Ibis applies the filter to the fraction 0.5 as well, which Spark refuses (the
            # fraction must be a constant).
            if where is not None:
                arg = self.if_(where, arg, sge.Null())
            return self.f.percentile(arg, sge.convert(0.5))

        def visit_ApproxMedian(self, _op: Any, *, arg: Any, where: Any) -> Any:
            if where is not None:
                arg = self.if_(where, arg, sge.Null())
            return self.f.approx_percentile(arg, sge.convert(0.5))

        def _trim(self, arg: Any, pattern: str) -> Any:
            # Ibis writes the whitespace to trim as a text with the escapes \v and \f, which
            # Spark reads as the letters v and f (and would trim those); Java's \s is exactly
            # that whitespace.
            return self.f.regexp_replace(arg, sge.convert(pattern), sge.convert(""))

        def visit_Strip(self, _op: Any, *, arg: Any) -> Any:
            return self._trim(arg, r"^\s+|\s+$")

        def visit_LStrip(self, _op: Any, *, arg: Any) -> Any:
            return self._trim(arg, r"^\s+")

        def visit_RStrip(self, _op: Any, *, arg: Any) -> Any:
            return self._trim(arg, r"\s+$")

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
