"""JSON objects built column-wise in Arrow, one per row, without a Python loop per row."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


def _escape(text: pa.Array) -> pa.Array:
    for old, new in _ESCAPES:
        text = pc.replace_substring(text, old, new)
    # Other control characters are not allowed raw in JSON strings; they carry no meaning here.
    return pc.replace_substring_regex(text, r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "")


def json_objects(names: Sequence[str], values: Sequence[pa.Array], length: int) -> pa.Array:
    """One JSON object per row of ``name: value`` text pairs; null values are left out.

    Rows with no value at all give null rather than ``{}``.

    >>> json_objects(["Ghi chú", "Mã"], [pa.array(['a "b"', None]), pa.array(["1", "2"])], 2
    ...              ).to_pylist()
    ['{"Ghi chú":"a \\\\"b\\\\"","Mã":"1"}', '{"Mã":"2"}']
    """
    if not names:
        return pa.nulls(length, pa.string())
    pieces = []
    for name, column in zip(names, values, strict=True):
        text = pc.cast(column, pa.string())
        key = json.dumps(name, ensure_ascii=False)
        pair = pc.binary_join_element_wise(f'{key}:"', _escape(text), '",', "")
        pieces.append(pc.fill_null(pair, ""))
    body = pieces[0]
    for piece in pieces[1:]:
        body = pc.binary_join_element_wise(body, piece, "")
    body = pc.utf8_rtrim(body, characters=",")
    wrapped = pc.binary_join_element_wise("{", body, "}", "")
    return pc.if_else(pc.equal(body, ""), pa.scalar(None, pa.string()), wrapped)
