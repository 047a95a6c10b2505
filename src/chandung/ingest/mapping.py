"""Column mapping: which canonical field each column of a source file holds.

Headers in Vietnamese or English, with or without diacritics, in any case and spacing ("Họ và
tên", "ho ten", "Full name", "SĐT", "Số điện thoại") map to canonical fields through a table of
synonyms per field. A mapping file overrides it. Columns with no field are reported and kept
(in ``extra_attributes``), never dropped.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Where
from ..schema import Table
from ._synonyms import SYNONYMS


def header_key(header: str) -> str:
    """A header reduced to what identifies it: no diacritics, lower case, letters and digits.

    >>> header_key("Số điện thoại"), header_key("SĐT"), header_key("Phone number")
    ('sodienthoai', 'sdt', 'phonenumber')
    """
    text = unicodedata.normalize("NFD", header.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]", "", text)


@dataclass(frozen=True)
class ColumnMapping:
    """How the columns of one source file map onto the fields of one canonical table.

    Attributes
    ----------
    table
        Name of the canonical table.
    fields
        Source column → canonical field, for the columns that map.
    unmapped
        Source columns with no field: kept in ``extra_attributes``.
    missing_required
        Required fields of the table that no column provides (and that the import cannot
        derive).
    """

    table: str
    fields: dict[str, str]
    unmapped: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)


def load_mapping_file(path: str | Path) -> dict[str, str | None]:
    """Read a mapping file: TOML or JSON, source column → field (empty or null: keep as extra).

    TOML example::

        "Tên KH" = "full_name"
        "Ghi chú" = ""
    """
    path = Path(path)
    where = Where(file=str(path))
    try:
        text = path.read_text("utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except FileNotFoundError:
        raise InputError("input.file.missing", where=where) from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("input.mapping.unreadable", where=where, reason=str(exc)) from exc
    if not isinstance(raw, dict) or not all(isinstance(v, str | None) for v in raw.values()):
        raise InputError("input.mapping.shape", where=where)
    return {str(k): (v or None) for k, v in raw.items()}


def map_columns(
    columns: Sequence[str],
    table: Table,
    overrides: Mapping[str, str | None] | None = None,
    derivable: Sequence[str] = (),
) -> ColumnMapping:
    """Map source ``columns`` onto the fields of ``table``.

    Parameters
    ----------
    columns
        Column headers as the file has them.
    table
        The canonical table being imported.
    overrides
        Source column → field (or None to keep the column as an extra attribute); wins over
        the synonyms. A field that is not a column of ``table`` is an error naming it.
    derivable
        Required fields the import fills itself when no column provides them (e.g. an id).

    Raises
    ------
    InputError
        An override names a field the table does not have, or a column the file does not have.
    """
    overrides = dict(overrides or {})
    known = set(table.column_names) - {"source", "import_batch", "extra_attributes"}
    for column, target in overrides.items():
        if column not in columns:
            raise InputError(
                "input.mapping.no_column", where=Where(field=column), columns=", ".join(columns)
            )
        if target is not None and target not in known:
            raise InputError(
                "input.mapping.no_field",
                where=Where(field=column),
                target=target,
                table=table.name,
                fields=", ".join(sorted(known)),
            )
    fields: dict[str, str] = {}
    taken: set[str] = set()
    for column, target in overrides.items():
        if target is not None:
            fields[column] = target
            taken.add(target)
    lookup = _synonym_lookup(table)
    for column in columns:
        if column in overrides:
            continue
        target = lookup.get(header_key(column))
        if target is not None and target not in taken:
            fields[column] = target
            taken.add(target)
    unmapped = [c for c in columns if c not in fields]
    missing = [
        c.name for c in table.columns
        if c.required and c.name not in taken
        and c.name not in ("source", "import_batch") and c.name not in derivable
    ]  # fmt: skip
    return ColumnMapping(table.name, fields, unmapped, missing)


def _synonym_lookup(table: Table) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for name in table.column_names:
        lookup.setdefault(header_key(name), name)
        for synonym in SYNONYMS.get(table.name, {}).get(name, ()):
            lookup.setdefault(header_key(synonym), name)
    return lookup
