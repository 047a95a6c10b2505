"""From a mapped source column to canonical columns: which normaliser each field needs.

Special fields have their own normaliser (names, phones, e-mails, gender, provinces, channels,
devices, occupations, education, marital status); the rest are read by their type (amounts in
VND, whole numbers, dates, timestamps, yes/no) or, for a field with a fixed vocabulary, matched
against it without case or diacritics. Every step is vectorised over the whole column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from ..schema import Column, Table
from .normalize import Normalized
from .normalize._result import blank_to_null
from .normalize.dates import normalize_date, normalize_datetime
from .normalize.email import normalize_email
from .normalize.gender import normalize_gender
from .normalize.money import normalize_money
from .normalize.name_vn import normalize_name
from .normalize.phone import normalize_phone
from .normalize.province import normalize_province
from .normalize.vocabulary import (
    map_distinct,
    normalize_channel,
    normalize_contact_channel,
    normalize_device,
    normalize_education,
    normalize_marital_status,
    normalize_occupation,
    normalize_platform,
    text_key,
)


@dataclass(frozen=True)
class FieldResult:
    """Canonical columns made from one source column, and why values were refused."""

    columns: dict[str, pa.Array]
    reasons: pa.Array


def _nulls_like(values: pa.Array) -> pa.Array:
    return pa.nulls(len(values), pa.string())


def _as_text(values: pa.Array) -> pa.Array:
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        return blank_to_null(values)
    if pa.types.is_floating(values.type):
        # A whole number read as a float (a spreadsheet's 12.0) is written without ".0".
        whole = pc.equal(values, pc.floor(values))
        as_int = pc.cast(pc.if_else(whole, values, None), pa.int64(), safe=False)
        return pc.coalesce(pc.cast(as_int, pa.string()), pc.cast(values, pa.string()))
    return blank_to_null(pc.cast(values, pa.string()))


def _simple(result: Normalized, field: str) -> FieldResult:
    return FieldResult({field: result.values}, result.reasons)


def _name(values: pa.Array, table: Table, field: str) -> FieldResult:
    result = normalize_name(_as_text(values))
    columns = {field: result.values}
    if "name_key" in table.column_names and result.extra:
        columns["name_key"] = result.extra["name_key"]
    return FieldResult(columns, result.reasons)


def _phone(values: pa.Array, table: Table, field: str) -> FieldResult:
    text = _as_text(values)
    result = normalize_phone(text)
    if "phone_e164" in table.column_names:
        # The customer file keeps the number as written beside its E.164 form.
        return FieldResult({field: text, "phone_e164": result.values}, result.reasons)
    return FieldResult({field: pc.coalesce(result.values, text)}, result.reasons)


def _email(values: pa.Array, _table: Table, field: str) -> FieldResult:
    text = _as_text(values)
    result = normalize_email(text)
    return FieldResult({field: pc.coalesce(result.values, text)}, result.reasons)


def _province(values: pa.Array, table: Table, field: str) -> FieldResult:
    text = _as_text(values)
    result = normalize_province(text)
    if field == "province_raw":
        columns = {"province_raw": text, "province": result.values}
        if result.extra and "province_former" in table.column_names:
            columns["province_former"] = result.extra["province_former"]
        return FieldResult(columns, result.reasons)
    return _simple(result, field)


def _vnd(values: pa.Array, _table: Table, field: str) -> FieldResult:
    if pa.types.is_integer(values.type):
        return FieldResult({field: pc.cast(values, pa.int64())}, _nulls_like(values))
    result = normalize_money(values if pa.types.is_floating(values.type) else _as_text(values))
    currency = (result.extra or {}).get("currency")
    amount = result.values
    reasons = result.reasons
    if currency is not None:
        # Amounts in another currency are not converted: a rate would be a guess.
        foreign = pc.and_kleene(pc.is_valid(amount), pc.not_equal(currency, "VND"))
        amount = pc.if_else(foreign, None, amount)
        reasons = pc.if_else(foreign, "money.not_vnd", reasons)
    rounded = pc.round(amount)
    return FieldResult({field: pc.cast(rounded, pa.int64())}, reasons)


def _integer(values: pa.Array, _table: Table, field: str) -> FieldResult:
    if pa.types.is_integer(values.type):
        return FieldResult({field: pc.cast(values, pa.int64())}, _nulls_like(values))
    text = pc.replace_substring_regex(_as_text(values), "[\\s\u00a0]", "")
    ok = pc.match_substring_regex(text, r"^[+-]?\d{1,18}$")
    number = pc.cast(pc.if_else(ok, text, None), pa.int64())
    reasons = pc.if_else(pc.and_kleene(pc.is_valid(text), pc.invert(ok)), "number.invalid", None)
    return FieldResult({field: number}, pc.cast(reasons, pa.string()))


def _float(values: pa.Array, _table: Table, field: str) -> FieldResult:
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        return FieldResult({field: pc.cast(values, pa.float64())}, _nulls_like(values))
    text = pc.replace_substring(_as_text(values), ",", ".")
    ok = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    number = pc.cast(pc.if_else(ok, text, None), pa.float64())
    reasons = pc.if_else(pc.and_kleene(pc.is_valid(text), pc.invert(ok)), "number.invalid", None)
    return FieldResult({field: number}, pc.cast(reasons, pa.string()))


_YES = {"1", "true", "yes", "y", "co", "x", "dung", "phai"}
_NO = {"0", "false", "no", "n", "khong", "sai"}


def _boolean(values: pa.Array, _table: Table, field: str) -> FieldResult:
    if pa.types.is_boolean(values.type):
        return FieldResult({field: values}, _nulls_like(values))

    def read(raw: str) -> tuple[bool | None, str | None]:
        key = text_key(raw)
        if key in _YES:
            return True, None
        if key in _NO:
            return False, None
        return None, "boolean.invalid"

    flags, reasons = map_distinct(_as_text(values), read, pa.bool_())
    return FieldResult({field: flags}, reasons)


def _date(values: pa.Array, _table: Table, field: str) -> FieldResult:
    if pa.types.is_date(values.type):
        return FieldResult({field: pc.cast(values, pa.date32())}, _nulls_like(values))
    if pa.types.is_timestamp(values.type):
        return FieldResult({field: pc.cast(values, pa.date32())}, _nulls_like(values))
    return _simple(normalize_date(_as_text(values)), field)


def _timestamp(values: pa.Array, _table: Table, field: str) -> FieldResult:
    if pa.types.is_timestamp(values.type) or pa.types.is_date(values.type):
        stamps = pc.cast(values, pa.timestamp("us"))
        return FieldResult({field: stamps}, _nulls_like(values))
    return _simple(normalize_datetime(_as_text(values)), field)


def _vocabulary(column: Column) -> Callable[[pa.Array, Table, str], FieldResult]:
    known = {text_key(v): v for v in column.values or ()}

    def handler(values: pa.Array, _table: Table, field: str) -> FieldResult:
        def read(raw: str) -> tuple[str | None, str | None]:
            value = known.get(text_key(raw))
            return (value, None) if value else (None, f"{field}.unknown")

        mapped, reasons = map_distinct(_as_text(values), read, pa.string())
        return FieldResult({field: mapped}, reasons)

    return handler


def _text(values: pa.Array, _table: Table, field: str) -> FieldResult:
    return FieldResult({field: _as_text(values)}, _nulls_like(values))


def _wrap(
    normalizer: Callable[[pa.Array], Normalized],
) -> Callable[[pa.Array, Table, str], FieldResult]:
    def handler(values: pa.Array, _table: Table, field: str) -> FieldResult:
        return _simple(normalizer(_as_text(values)), field)

    return handler


Handler = Callable[[pa.Array, Table, str], FieldResult]


def _on_distinct(handler: Handler) -> Handler:
    """``handler`` run once per distinct value, for fields whose values repeat (names,
    genders, provinces, vocabularies); the result is spread back over the rows.

    Every handler so wrapped reads each value on its own, so the result is the same as on
    the whole column; a column of mostly distinct values is read as it is.
    """

    def run(values: pa.Array, table: Table, field: str) -> FieldResult:
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            return handler(values, table, field)
        encoded = pc.dictionary_encode(values)
        distinct = encoded.dictionary
        if len(distinct) * 2 > len(values):
            return handler(values, table, field)
        result = handler(distinct, table, field)
        rows = encoded.indices
        return FieldResult(
            {name: pc.take(column, rows) for name, column in result.columns.items()},
            pc.take(result.reasons, rows),
        )

    return run


#: Fields whose values repeat (names, genders, provinces) and whose normaliser reads each value
#: on its own: each distinct value is read once (:func:`_on_distinct`).
REPEATING: dict[str, Handler] = {
    "full_name": _name,
    "gender": _wrap(normalize_gender),
    "province_raw": _province,
    "province": _province,
    "hometown_province": _province,
    "delivery_province": _province,
}
#: Fields with a normaliser of their own, whatever table they are in.
SPECIAL: dict[str, Handler] = {
    **{field: _on_distinct(handler) for field, handler in REPEATING.items()},
    "phone": _phone,
    "email": _email,
    "acquisition_channel": _wrap(normalize_channel),
    "device": _wrap(normalize_device),
    "primary_device": _wrap(normalize_device),
    "device_category": _wrap(normalize_device),
    "preferred_contact_channel": _wrap(normalize_contact_channel),
    "operating_system": _wrap(normalize_platform),
    "occupation": _wrap(normalize_occupation),
    "education": _wrap(normalize_education),
    "marital_status": _wrap(normalize_marital_status),
}
#: Fields whose normaliser depends on the table (``channel`` is a sales channel on orders but a
#: free-text source on feedback).
SPECIAL_IN_TABLE: dict[tuple[str, str], Handler] = {
    ("orders", "channel"): _wrap(normalize_channel),
    ("customers", "platform"): _wrap(normalize_platform),
    ("consents", "channel"): _wrap(normalize_contact_channel),
}


def handler_for(table: Table, field: str) -> Handler:
    """The normaliser of ``field`` in ``table``."""
    special = SPECIAL_IN_TABLE.get((table.name, field)) or SPECIAL.get(field)
    if special is not None:
        return special
    column = table.column(field)
    if column.values:
        return _vocabulary(column)
    if column.dtype == "int64":
        return _vnd if field.endswith("_vnd") else _integer
    return {
        "float64": _float,
        "boolean": _boolean,
        "date": _date,
        "timestamp": _timestamp,
    }.get(column.dtype, _text)


def normalise_field(table: Table, field: str, values: pa.Array) -> FieldResult:
    """Canonical columns for the source column ``values`` mapped to ``field`` of ``table``."""
    return handler_for(table, field)(values, table, field)
