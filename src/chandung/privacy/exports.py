"""Making exported text safe to open in a spreadsheet (no formula injection).

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or with a tab or a
carriage return, which some programs skip before reading one of those) as a formula, so a
customer who types ``=HYPERLINK("http://evil", "click")`` as their name could run it on the
computer of whoever opens an export. Such a cell gets a leading apostrophe, which every
spreadsheet shows as text; the value is otherwise kept as it was. The full-width forms of the
four signs (``＝＋－＠``) are treated alike, and so is a sign after leading blanks.

A plain signed number (``+84912345678``, ``-12``, ``3.5``) is left as it is: a spreadsheet
reads it as a number, never as a formula, and a phone number in E.164 form must reach a
messaging tool unchanged.

Pure functions, no I/O.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "PREFIX",
    "TRIGGERS",
    "needs_prefix",
    "neutralise_cell",
    "neutralise_column",
    "neutralise_table",
]

#: What is put in front of a dangerous cell.
PREFIX = "'"
#: Characters that make a spreadsheet read a cell as a formula when it starts with one.
TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
#: Signs that still start a formula when only blanks come before them.
_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
# A cell needing a prefix contains one of the triggers somewhere: a cheap vectorised test picks
# the few cells worth looking at (RE2 syntax; the characters are literal, not escapes).
_ANY_TRIGGER = "[=+@\t\r\uff1d\uff0b\uff0d\uff20-]"


def neutralise_cell(value: str | None) -> str | None:
    """``value`` made safe to open in a spreadsheet (see the module docstring).

    >>> neutralise_cell('=HYPERLINK("http://x", "y")')
    '\\'=HYPERLINK("http://x", "y")'
    >>> neutralise_cell("@SUM(A1)"), neutralise_cell("  -1+2"), neutralise_cell("\\tx")
    ("'@SUM(A1)", "'  -1+2", "'\\tx")
    >>> neutralise_cell("Nguyễn Thị Lan"), neutralise_cell("+84912345678"), neutralise_cell(None)
    ('Nguyễn Thị Lan', '+84912345678', None)
    """
    if not value or not needs_prefix(value):
        return value
    return PREFIX + value


def needs_prefix(value: str) -> bool:
    """Whether a spreadsheet could read ``value`` as a formula.

    >>> needs_prefix("=1+1"), needs_prefix("a=1"), needs_prefix("-5"), needs_prefix("-5-5")
    (True, False, False, True)
    """
    if not value:
        return False
    first = value[0]
    after_blanks = value.lstrip()[:1]
    if first not in TRIGGERS and after_blanks not in _SIGNS:
        return False
    return _PLAIN_NUMBER.fullmatch(value) is None


def neutralise_column(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Every cell of a text column made safe (other columns are returned as they are).

    >>> neutralise_column(pa.array(["=1+1", "ok", None, "+84912345678"])).to_pylist()
    ["'=1+1", 'ok', None, '+84912345678']
    >>> neutralise_column(pa.array([1, 2])).to_pylist()
    [1, 2]
    """
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return values
    suspects = pc.fill_null(pc.match_substring_regex(values, _ANY_TRIGGER), False)
    if not pc.any(suspects).as_py():
        return values
    flags = suspects.to_pylist()
    cells = [
        neutralise_cell(v) if flag else v for v, flag in zip(values.to_pylist(), flags, strict=True)
    ]
    return pa.array(cells, type=values.type)


def neutralise_table(table: pa.Table) -> pa.Table:
    """``table`` with every text column made safe.

    >>> t = pa.table({"name": ["=cmd|' /C calc'!A0", "Lan"], "n": [1, 2]})
    >>> neutralise_table(t).to_pylist()
    [{'name': "'=cmd|' /C calc'!A0", 'n': 1}, {'name': 'Lan', 'n': 2}]
    """
    for index, name in enumerate(table.column_names):
        column = table.column(index)
        cleaned = neutralise_column(column)
        if cleaned is not column:
            table = table.set_column(index, name, cleaned)
    return table
