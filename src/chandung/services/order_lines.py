"""Importing an export of order lines that carries the order's and the customer's columns.

POS and shop back offices export one row per order line with the buyer's name and phone and
the order's number, date and channel repeated on each line. One import of such a file creates
or matches the customers, the orders and the order lines, all or nothing: a line loads only if
its order does, and an order only if its customer does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, Where
from ..ingest.mapping import ColumnMapping, map_columns
from ..ingest.pipeline import PROBLEM_SCHEMA, PreparedBatch, derivable_fields, prepare_batch
from ..ingest.readers import ROW_COLUMN
from ..schema import TABLES_BY_NAME, Table

KIND = "order_lines"
CUSTOMER_ID = "__customer_id"
LINE_TOTAL = "__line_total"
_ORDER_KEYS = ("order_id",)


def plan(columns: list[str], overrides: dict[str, str | None]) -> dict[str, ColumnMapping]:
    """Which columns go to order lines, orders and customers."""
    items_spec, orders_spec, customers_spec = (
        TABLES_BY_NAME[n] for n in ("order_items", "orders", "customers")
    )

    def own(spec: Table, cols: list[str]) -> dict[str, str | None]:
        return {
            c: t
            for c, t in overrides.items()
            if c in cols and (t is None or t in spec.column_names)
        }

    items = map_columns(
        columns, items_spec, own(items_spec, columns), ("line_number", "line_total_vnd")
    )
    line_only = {c for c, f in items.fields.items() if f not in _ORDER_KEYS}
    order_columns = [c for c in columns if c not in line_only]
    orders = map_columns(
        order_columns,
        orders_spec,
        own(orders_spec, order_columns),
        (*derivable_fields(orders_spec), "customer_id", "total_vnd"),
    )
    taken = line_only | {
        c for c, f in orders.fields.items() if f not in ("customer_id", "delivery_province")
    }
    customer_columns = [c for c in columns if c not in taken]
    customers = map_columns(
        customer_columns, customers_spec, own(customers_spec, customer_columns), ("customer_id",)
    )
    return {"order_items": items, "orders": orders, "customers": customers}


def _with_ids(
    batch: pa.RecordBatch, prepared: PreparedBatch, key: str, name: str
) -> pa.RecordBatch:
    """``batch`` with the ``key`` column of the rows ``prepared`` loaded, as column ``name``."""
    loaded = pa.table({ROW_COLUMN: prepared.row_numbers, name: prepared.rows.column(key)})
    rows = pa.table({ROW_COLUMN: batch.column(ROW_COLUMN)})
    index = pc.index_in(rows.column(ROW_COLUMN), value_set=loaded.column(ROW_COLUMN))
    values = pc.take(loaded.column(name), index)
    return batch.append_column(
        name, values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    )


def prepare_lines(
    batch: pa.RecordBatch,
    mappings: dict[str, ColumnMapping],
    *,
    source_name: str,
    import_batch: str,
    file_key: str,
    id_key: bytes,
) -> dict[str, PreparedBatch]:
    """One batch through the three tables, each row's customer and order ids carried along."""
    common: dict[str, Any] = {
        "source_name": source_name, "import_batch": import_batch, "file_key": file_key,
    }  # fmt: skip
    customers = prepare_batch(
        batch,
        TABLES_BY_NAME["customers"],
        mappings["customers"],
        customer_by_identity=True,
        id_key=id_key,
        **common,
    )
    items = prepare_batch(batch, TABLES_BY_NAME["order_items"], mappings["order_items"], **common)
    enriched = _with_ids(batch, customers, "customer_id", CUSTOMER_ID)
    enriched = _with_ids(enriched, items, "line_total_vnd", LINE_TOTAL)
    orders_map = mappings["orders"]
    fields = dict(orders_map.fields)
    if "customer_id" not in fields.values():
        fields[CUSTOMER_ID] = "customer_id"
    if "total_vnd" not in fields.values():
        fields[LINE_TOTAL] = "total_vnd"
    orders = prepare_batch(
        enriched,
        TABLES_BY_NAME["orders"],
        ColumnMapping("orders", fields, orders_map.unmapped, orders_map.missing_required),
        **common,
    )
    # A line loads only if its order does.
    ok = pc.is_in(items.row_numbers, value_set=orders.row_numbers)
    dropped = pc.invert(ok)
    if pc.any(dropped).as_py():
        n = int(pc.sum(dropped).as_py())
        not_loaded = pa.table({
            "row": pc.filter(items.row_numbers, dropped),
            "column": pa.repeat(pa.scalar("order_id", pa.string()), n),
            "value": pc.cast(pc.filter(items.rows.column("order_id"), dropped), pa.string()),
            "reason": pa.repeat(pa.scalar("order.not_loaded", pa.string()), n),
            "record": pa.nulls(n, pa.string()),
        }, schema=PROBLEM_SCHEMA)  # fmt: skip
        items = PreparedBatch(
            items.rows.filter(ok),
            pc.filter(items.row_numbers, ok),
            pa.concat_tables([items.quarantine, not_loaded]),
            items.issues,
            items.read,
        )
    return {"customers": customers, "orders": orders, "order_items": items}


def check_plan(mappings: dict[str, ColumnMapping], path: Path, columns: list[str]) -> None:
    missing = [f for m in mappings.values() for f in m.missing_required]
    if missing:
        raise InputError(
            "input.mapping.missing_required",
            where=Where(file=str(path)),
            fields=", ".join(sorted(set(missing))),
            columns=", ".join(columns),
        )
