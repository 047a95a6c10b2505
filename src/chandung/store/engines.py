"""What each warehouse engine needs once connected, so that code above the store never branches.

Ibis hides most differences between engines; the few it leaves are settled here, per engine,
each with the reason, right after the connection opens.
"""

from __future__ import annotations

from typing import Any


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
                arg = self.cast(arg, _INT32)
            return super().visit_Cast(op, arg=arg, to=to)

    backend.con.adapters.register_loader("numeric", NumericAsNumber)
    # The compiler of this connection only; Ibis reads it from the backend object.
    backend.compiler = Compiler()


def _int32() -> Any:
    import ibis.expr.datatypes as dt

    return dt.int32


_INT32 = _int32()
