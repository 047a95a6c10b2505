"""Formula-injection neutralising of exported text: examples and properties."""

from __future__ import annotations

import io
import re

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.privacy.exports import (
    PREFIX,
    TRIGGERS,
    needs_prefix,
    neutralise_cell,
    neutralise_column,
    neutralise_table,
)

SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
# Text that often starts with a trigger: a sign, blanks, digits, letters and formula pieces.
texts = st.one_of(
    st.text(),
    st.builds(
        lambda lead, blanks, body: lead + blanks + body,
        st.sampled_from(["", *TRIGGERS]),
        st.sampled_from(["", " ", "  ", "\t", "\u3000"]),
        st.text(
            alphabet=st.sampled_from(list("=+-@()!|'\"A1 cmdHYPERLINK0123456789.,")), max_size=20
        ),
    ),
)


def _dangerous(value: str) -> bool:
    """What a spreadsheet could read as a formula (the property's own definition)."""
    return (
        bool(value)
        and (value[0] in TRIGGERS or value.lstrip()[:1] in SIGNS)
        and not PLAIN_NUMBER.fullmatch(value)
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example", "Bấm vào đây")',
         '\'=HYPERLINK("http://evil.example", "Bấm vào đây")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Nguyễn Thị Lan", "Nguyễn Thị Lan"),
        ("lan@example.com", "lan@example.com"),
        ("a=b", "a=b"),
        ("+84912345678", "+84912345678"),
        ("-12.5", "-12.5"),
        ("", ""),
        (None, None),
    ],
)  # fmt: skip
def test_examples(value: str | None, expected: str | None) -> None:
    assert neutralise_cell(value) == expected


@settings(max_examples=400, deadline=None)
@given(texts)
def test_a_neutralised_cell_is_never_a_formula(value: str) -> None:
    out = neutralise_cell(value)
    assert out is not None
    assert not _dangerous(out)
    # Nothing is lost: the value is kept, at most behind the prefix, exactly when needed.
    assert out == (PREFIX + value if _dangerous(value) else value)
    assert needs_prefix(value) == _dangerous(value)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_neutralising_twice_changes_nothing_more(value: str) -> None:
    once = neutralise_cell(value)
    assert neutralise_cell(once) == once


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), texts), max_size=30))
def test_a_column_is_neutralised_cell_by_cell(values: list[str | None]) -> None:
    column = pa.array(values, pa.string())
    assert neutralise_column(column).to_pylist() == [neutralise_cell(v) for v in values]
    chunked = pa.chunked_array([column, column])
    assert neutralise_column(chunked).to_pylist() == [neutralise_cell(v) for v in values * 2]


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=10))
def test_a_csv_of_neutralised_cells_reads_back_as_text(values: list[str]) -> None:
    table = neutralise_table(pa.table({"name": values, "n": list(range(len(values)))}))
    sink = io.BytesIO()
    pacsv.write_csv(table, sink)
    options = pacsv.ConvertOptions(column_types={"name": pa.string()}, strings_can_be_null=False)
    back = pacsv.read_csv(io.BytesIO(sink.getvalue()), convert_options=options)
    assert back.column("name").to_pylist() == [neutralise_cell(v) for v in values]
    assert not any(_dangerous(v) for v in back.column("name").to_pylist())


def test_other_columns_are_left_alone() -> None:
    table = pa.table({"n": [1, -2], "when": pa.array([None, None], pa.timestamp("us"))})
    assert neutralise_table(table).equals(table)
    large = pa.array(["=1", "x"], pa.large_string())
    out = neutralise_column(large)
    assert out.type == pa.large_string() and out.to_pylist() == ["'=1", "x"]
