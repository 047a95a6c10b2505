"""The import pipeline, pure: source batches in, canonical rows, quarantine and issues out.

For each batch of a source file: rename the mapped columns, normalise each field, derive what
the model can derive (name key, inferred gender, birth year, channel group, defaults), keep the
unmapped columns in ``extra_attributes``, and split the rows: a row whose required field is
missing or unreadable goes to quarantine with its row number, column, value and reason; a
value refused in an optional field is left empty and reported as an issue, and its row loads.
Nothing is written anywhere: the service that calls this decides where rows go.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ..schema import Table
from ..schema.vocab import CHANNEL_GROUPS
from ._json import json_objects
from ._parallel import ordered_map
from .fields import normalise_field
from .mapping import ColumnMapping
from .normalize._result import blank_to_null
from .normalize.gender import infer_gender_from_name
from .readers import ROW_COLUMN, SourceFile

#: Columns of the quarantine and issue tables.
PROBLEM_SCHEMA = pa.schema([
    pa.field("row", pa.int64()),
    pa.field("column", pa.string()),
    pa.field("value", pa.string()),
    pa.field("reason", pa.string()),
    pa.field("record", pa.string()),
])  # fmt: skip

#: Key column each table's rows get when the file has none, and its prefix.
_GENERATED_KEYS = {
    "customers": ("customer_id", "C"), "accounts": ("account_id", "A"),
    "products": ("product_id", "P"), "orders": ("order_id", "O"), "events": ("event_id", "E"),
    "feedback": ("feedback_id", "F"), "consents": ("consent_id", "K"),
    "leads": ("lead_id", "L"), "campaigns": ("campaign_id", "M"),
    "campaign_contacts": ("contact_id", "CC"),
}  # fmt: skip
#: Values a required field takes when the file does not say (documented in docs/importing.md).
DEFAULTS = {
    ("orders", "currency"): "VND",
    ("orders", "status"): "completed",
    ("feedback", "kind"): "review",
    ("consents", "status"): "given",
}


def derivable_fields(table: Table) -> tuple[str, ...]:
    """Required fields of ``table`` that an import fills when no column provides them."""
    fields = [f for (t, f) in DEFAULTS if t == table.name]
    if table.name in _GENERATED_KEYS:
        fields.append(_GENERATED_KEYS[table.name][0])
    if table.name == "order_items":
        fields.append("line_number")
    return tuple(fields)


@dataclass(frozen=True)
class PreparedBatch:
    """One batch of a source, split into what loads and what does not."""

    rows: pa.Table
    row_numbers: pa.Array
    quarantine: pa.Table
    issues: pa.Table
    read: int


#: Batches normalised at once (each in a thread; Arrow's kernels release the GIL).
PREPARE_WORKERS = 2


def prepare(
    source: SourceFile,
    table: Table,
    mapping: ColumnMapping,
    *,
    source_name: str,
    import_batch: str,
    file_key: str,
) -> Iterator[PreparedBatch]:
    """Normalise and validate every batch of ``source`` for ``table``.

    ``file_key`` (a digest of the file) makes generated ids the same each time the same file is
    imported, so a re-import finds the rows it already loaded.
    """

    def one(batch: pa.RecordBatch) -> PreparedBatch:
        return _prepare_batch(batch, table, mapping, source_name, import_batch, file_key)

    yield from ordered_map(one, source.batches, workers=PREPARE_WORKERS)


def prepare_batch(
    batch: pa.RecordBatch,
    table: Table,
    mapping: ColumnMapping,
    *,
    source_name: str,
    import_batch: str,
    file_key: str,
    customer_by_identity: bool = False,
    id_key: bytes = b"",
) -> PreparedBatch:
    """Normalise and validate one batch (see :func:`prepare`).

    With ``customer_by_identity`` a customer row without an id column gets one made from its
    source id, phone, e-mail or name, so that the same person on several rows (an export of
    order lines) is one record. The id is a keyed hash (``id_key``) of those values, so no
    phone number or e-mail shows in an id.
    """
    return _prepare_batch(
        batch, table, mapping, source_name, import_batch, file_key, customer_by_identity, id_key
    )


def _prepare_batch(
    batch: pa.RecordBatch,
    table: Table,
    mapping: ColumnMapping,
    source_name: str,
    import_batch: str,
    file_key: str,
    customer_by_identity: bool = False,
    id_key: bytes = b"",
) -> PreparedBatch:
    n = batch.num_rows
    row_numbers = batch.column(ROW_COLUMN)
    source_columns = [c for c in batch.schema.names if c != ROW_COLUMN]

    def record(mask: pa.Array) -> pa.Array:
        # The whole source record, as JSON, only for the rows that have a problem.
        picked = batch.filter(mask)
        return json_objects(
            source_columns, [picked.column(c) for c in source_columns], picked.num_rows
        )

    columns: dict[str, pa.Array] = {}
    reasons: dict[str, tuple[str, pa.Array, pa.Array]] = {}
    for source_column, target in mapping.fields.items():
        raw = batch.column(source_column)
        result = normalise_field(table, target, raw)
        for name, values in result.columns.items():
            columns.setdefault(name, values)
        # The value as written is shown only for rows with a problem: cast to text then.
        reasons[target] = (source_column, result.reasons, raw)

    _derive(table, columns, row_numbers, file_key, n, customer_by_identity, id_key)
    unmapped = [c for c in mapping.unmapped if c in batch.schema.names]
    columns["extra_attributes"] = json_objects(
        unmapped, [_blank_to_null(batch.column(c)) for c in unmapped], n
    )
    columns["source"] = pa.repeat(pa.scalar(source_name, pa.string()), n)
    columns["import_batch"] = pa.repeat(pa.scalar(import_batch, pa.string()), n)

    bad = pa.repeat(pa.scalar(False), n)
    quarantine_parts: list[pa.Table] = []
    for spec in table.columns:
        if not spec.required:
            continue
        values = columns.get(spec.name)
        missing = pc.is_null(values) if values is not None else pa.repeat(pa.scalar(True), n)
        newly = pc.and_(missing, pc.invert(bad))
        if not pc.any(newly).as_py():
            continue
        source_column, why, raw = reasons.get(
            spec.name, (spec.name, pa.nulls(n, pa.string()), pa.nulls(n, pa.string()))
        )
        reason = pc.coalesce(why, pa.scalar("required.missing"))
        quarantine_parts.append(_problems(newly, row_numbers, source_column, raw, reason, record))
        bad = pc.or_(bad, newly)

    good = pc.invert(bad)
    issue_parts = [
        _problems(pc.and_(good, pc.is_valid(why)), row_numbers, source_column, raw, why, record)
        for source_column, why, raw in reasons.values()
        if why.null_count < len(why)
    ]
    arrays = [
        columns[c.name] if c.name in columns else pa.nulls(n, _arrow_type(table, c.name))
        for c in table.columns
    ]
    rows = _canonical(table, arrays).filter(good)
    return PreparedBatch(
        rows, pc.filter(row_numbers, good), _concat(quarantine_parts), _concat(issue_parts), n
    )


def _on_distinct_names(names: pa.Array) -> pa.Array:
    """The gender a name suggests, read once per distinct name (names repeat a lot)."""
    encoded = pc.dictionary_encode(names)
    return pc.take(infer_gender_from_name(encoded.dictionary), encoded.indices)


def _blank_to_null(values: pa.Array) -> pa.Array:
    return blank_to_null(values) if pa.types.is_string(values.type) else values


def _arrow_type(table: Table, name: str) -> pa.DataType:
    return table.arrow_schema().field(name).type


def _canonical(table: Table, arrays: list[pa.Array]) -> pa.Table:
    """The columns as a table with the canonical schema, nulls allowed until filtered."""
    schema = table.arrow_schema()
    loose = pa.schema([f.with_nullable(True) for f in schema])
    cast = [pc.cast(a, f.type) for a, f in zip(arrays, schema, strict=True)]
    return pa.Table.from_arrays(cast, schema=loose)


def _problems(
    mask: pa.Array,
    rows: pa.Array,
    column: str,
    raw: pa.Array,
    reason: pa.Array,
    record: Callable[[pa.Array], pa.Array],
) -> pa.Table:
    n = int(pc.sum(mask).as_py() or 0)
    return pa.table({
        "row": pc.filter(rows, mask),
        "column": pa.repeat(pa.scalar(column, pa.string()), n),
        "value": pc.cast(pc.filter(raw, mask), pa.string()),
        "reason": pc.cast(pc.filter(reason, mask), pa.string()),
        "record": record(mask),
    }, schema=PROBLEM_SCHEMA)  # fmt: skip


def _concat(parts: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(parts) if parts else PROBLEM_SCHEMA.empty_table()


def _derive(
    table: Table,
    columns: dict[str, pa.Array],
    row_numbers: pa.Array,
    file_key: str,
    n: int,
    customer_by_identity: bool = False,
    id_key: bytes = b"",
) -> None:
    """Fill what the model derives from other fields, in place."""
    for (name, field), value in DEFAULTS.items():
        if name == table.name and field not in columns:
            columns[field] = pa.repeat(pa.scalar(value, pa.string()), n)
    key = _GENERATED_KEYS.get(table.name)
    if customer_by_identity and table.name == "customers" and "customer_id" not in columns:
        # A customer is known by an id from the source, else by phone or e-mail together with
        # the name key, else by either alone: the same person on several rows of one file (an
        # export of order lines) gets one record, and two names behind one phone keep two
        # records (identity resolution then links them, and neither name is lost).
        raw_email = columns.get("email")
        email = pc.utf8_lower(raw_email) if raw_email is not None else None
        name_k, phone, ref = (
            columns.get(c) for c in ("name_key", "phone_e164", "source_customer_ref")
        )

        def both(a: pa.Array | None, b: pa.Array | None) -> pa.Array | None:
            return None if a is None or b is None else pc.binary_join_element_wise(a, b, "|")

        present = [
            p
            for p in (ref, both(phone, name_k), phone, both(email, name_k), email, name_k)
            if p is not None
        ]  # fmt: skip
        if present:
            identity = pc.coalesce(*present) if len(present) > 1 else present[0]
            columns["customer_id"] = _pseudonym(identity, f"C-{file_key}-", id_key)
    if key is not None and key[0] not in columns:
        # The same file gives the same ids, so importing it again matches the rows it loaded.
        prefix = f"{key[1]}-{file_key}-"
        columns[key[0]] = pc.binary_join_element_wise(prefix, pc.cast(row_numbers, pa.string()), "")
    if table.name == "order_items" and "line_number" not in columns:
        columns["line_number"] = row_numbers
    if table.name == "order_items" and "line_total_vnd" not in columns:
        quantity, price = columns.get("quantity"), columns.get("unit_price_vnd")
        if quantity is not None and price is not None:
            columns["line_total_vnd"] = pc.multiply(quantity, price)
    if table.name == "customers":
        names = columns.get("full_name")
        if names is not None:
            inferred = _on_distinct_names(names)
            given = columns.get("gender")
            if given is not None:
                known = pc.and_kleene(pc.is_valid(given), pc.not_equal(given, "unknown"))
                inferred = pc.if_else(known, None, inferred)
            columns["gender_inferred"] = inferred
        births = columns.get("birth_date")
        if births is not None:
            years = pc.cast(pc.year(births), pa.int64())
            columns["birth_year"] = pc.coalesce(columns.get("birth_year", years), years)
    if table.name == "orders" and "channel" in columns and "channel_group" not in columns:
        groups = pa.array(list(CHANNEL_GROUPS.values()))
        index = pc.index_in(columns["channel"], value_set=pa.array(list(CHANNEL_GROUPS)))
        columns["channel_group"] = pc.take(groups, index)


def _pseudonym(values: pa.Array, prefix: str, key: bytes) -> pa.Array:
    """``prefix`` and a keyed hash of each value: hashed once per distinct value."""
    distinct = pc.unique(values)
    digests = pa.array(
        [None if v is None else prefix + hashlib.blake2b(
            v.encode("utf-8"), digest_size=10, key=key[:64]).hexdigest()
         for v in distinct.to_pylist()],
        pa.string(),
    )  # fmt: skip
    return pc.take(digests, pc.index_in(values, value_set=distinct))
