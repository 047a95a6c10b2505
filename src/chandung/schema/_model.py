"""Building blocks of the canonical data model: a table is a tuple of typed, documented columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

#: Column types of the canonical model, written as Ibis type names so that every engine
#: (DuckDB, PostgreSQL, Spark) gets the same schema.
DTYPES = ("string", "int64", "float64", "boolean", "date", "timestamp")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name
        Column name, lower snake case, in English.
    dtype
        One of :data:`DTYPES`.
    description
        What the column holds, for people; it is copied into ``docs/data-model.md``.
    required
        Whether every row must have a value.
    values
        The fixed vocabulary the column takes, when it has one.
    personal
        Whether the column identifies a person (masked and encrypted by the privacy layer).
    """

    name: str
    dtype: str
    description: str
    required: bool = False
    values: tuple[str, ...] | None = None
    personal: bool = False

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name!r}: unknown type {self.dtype!r}")


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, key and meaning."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    references: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(names) != len(set(names)):
            raise ValueError(f"table {self.name!r} has a duplicated column")
        missing = [k for k in self.primary_key if k not in names]
        if missing:
            raise ValueError(f"table {self.name!r}: key column(s) {missing} are not columns")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    def ibis_schema(self) -> dict[str, str]:
        """Column name to Ibis type, in order; required columns are non-nullable."""
        return {c.name: c.dtype if not c.required else f"!{c.dtype}" for c in self.columns}

    def arrow_schema(self) -> pa.Schema:
        """The table as an Arrow schema (timestamps in microseconds, without time zone)."""
        # Imported here: the command line reads the tables' names for its help, without Arrow.
        import pyarrow as pa

        types = {
            "string": pa.string(),
            "int64": pa.int64(),
            "float64": pa.float64(),
            "boolean": pa.bool_(),
            "date": pa.date32(),
            "timestamp": pa.timestamp("us"),
        }
        return pa.schema(
            [pa.field(c.name, types[c.dtype], nullable=not c.required) for c in self.columns]
        )
