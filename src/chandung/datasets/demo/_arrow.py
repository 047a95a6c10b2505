"""Fast construction of Arrow columns from numpy arrays.

Strings are the expensive part of generating millions of rows, so ids and phone numbers are
written straight into Arrow buffers, and text is assembled from small vocabularies with
Arrow compute kernels instead of Python loops.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema import table as schema_table

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ByteMatrix = npt.NDArray[np.uint8]

#: Microseconds in a day and an hour: timestamps are int64 microseconds, as Arrow stores them.
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
MINUTE_US = 60_000_000


def digit_matrix(values: npt.NDArray[Any], width: int) -> ByteMatrix:
    """ASCII digits of non-negative integers, zero-padded to ``width`` columns."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (np.asarray(values, dtype=np.int64)[:, None] // powers) % 10 + 48
    return digits.astype(np.uint8)


def byte_row(text: str) -> ByteMatrix:
    """The bytes of ``text`` as a one-row matrix, to broadcast into a column of a matrix."""
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8)[None, :]


def fixed_strings(matrix: ByteMatrix) -> pa.Array:
    """One string per row of an ASCII byte matrix, zero-copy into an Arrow string array."""
    n, width = matrix.shape
    offsets = np.arange(n + 1, dtype=np.int32) * width
    data = np.ascontiguousarray(matrix).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def ragged_strings(matrix: ByteMatrix, lengths: npt.NDArray[Any]) -> pa.Array:
    """One string per row, keeping the first ``lengths[i]`` bytes of row ``i``."""
    n, width = matrix.shape
    lengths = np.asarray(lengths, dtype=np.int32)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    keep = np.arange(width)[None, :] < lengths[:, None]
    data = matrix[keep].tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def numbered(prefix: str, numbers: npt.NDArray[Any], width: int) -> pa.Array:
    """Ids ``prefix`` + zero-padded number (wider when a number needs more digits)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    count = len(numbers)
    if count and int(numbers.max()) >= 10**width:
        width = len(str(int(numbers.max())))
    head = np.broadcast_to(byte_row(prefix), (count, len(prefix)))
    return fixed_strings(np.hstack([head, digit_matrix(numbers, width)]))


def ids(prefix: str, start: int, count: int, width: int) -> pa.Array:
    """Ids ``prefix`` + zero-padded running number, from ``start`` (e.g. ``C0000001``)."""
    return numbered(prefix, np.arange(start, start + count, dtype=np.int64), width)


def take(
    vocabulary: Sequence[str] | pa.Array, index: npt.NDArray[Any], mask: BoolArray | None = None
) -> pa.Array:
    """Strings ``vocabulary[index]``, null where ``mask`` is true."""
    values = vocabulary if isinstance(vocabulary, pa.Array) else pa.array(vocabulary, pa.string())
    return values.take(pa.array(np.asarray(index, dtype=np.int64), mask=mask))


def join(*parts: Any, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays and scalars."""
    return pc.binary_join_element_wise(*parts, sep)


def int_strings(values: npt.NDArray[Any]) -> pa.Array:
    """Decimal strings of integers."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def where(condition: BoolArray, when_true: Any, when_false: Any) -> pa.Array:
    """Element-wise choice between two arrays (or scalars) by a numpy condition."""
    return pc.if_else(pa.array(condition), when_true, when_false)


def timestamps(micros: npt.NDArray[Any], mask: BoolArray | None = None) -> pa.Array:
    """Arrow timestamps (microseconds, no time zone) from int64 microseconds since 1970."""
    return pa.array(np.asarray(micros, dtype=np.int64), type=pa.timestamp("us"), mask=mask)


def ints(values: npt.NDArray[Any], mask: BoolArray | None = None) -> pa.Array:
    """Arrow int64 column, null where ``mask`` is true."""
    return pa.array(np.asarray(values, dtype=np.int64), type=pa.int64(), mask=mask)


def floats(values: npt.NDArray[Any], mask: BoolArray | None = None) -> pa.Array:
    """Arrow float64 column, null where ``mask`` is true."""
    return pa.array(np.asarray(values, dtype=np.float64), type=pa.float64(), mask=mask)


def bools(values: npt.NDArray[Any], mask: BoolArray | None = None) -> pa.Array:
    """Arrow boolean column, null where ``mask`` is true."""
    return pa.array(np.asarray(values, dtype=np.bool_), type=pa.bool_(), mask=mask)


def canonical_table(
    name: str, columns: Mapping[str, pa.Array], rows: int, import_batch: str
) -> pa.Table:
    """Assemble a canonical table: missing columns are null, lineage says ``demo``."""
    schema = schema_table(name).arrow_schema()
    unknown = set(columns) - set(schema.names)
    if unknown:
        raise ValueError(f"table {name!r} has no column(s) {sorted(unknown)}")
    lineage = {"source": "demo", "import_batch": import_batch}
    arrays = []
    for field in schema:
        if field.name in lineage:
            arrays.append(pa.repeat(pa.scalar(lineage[field.name], pa.string()), rows))
            continue
        array = columns.get(field.name)
        if array is None:
            arrays.append(pa.nulls(rows, field.type))
        else:
            if len(array) != rows:
                raise ValueError(f"{name}.{field.name}: {len(array)} values for {rows} rows")
            arrays.append(array if array.type == field.type else array.cast(field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
