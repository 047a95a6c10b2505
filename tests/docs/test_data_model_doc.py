"""docs/data-model.md documents the schema in code, column by column."""

from __future__ import annotations

import re
from pathlib import Path

from chandung.schema import LINEAGE, TABLES
from chandung.schema._docs import render_data_model

DOC = Path(__file__).parents[2] / "docs" / "data-model.md"


def _documented_tables(text: str) -> dict[str, list[tuple[str, str, bool]]]:
    tables: dict[str, list[tuple[str, str, bool]]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^## (\w+)$", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if current and len(cells) == 6 and cells[0].startswith("`"):
            tables[current].append((cells[0].strip("`"), cells[1], cells[2] == "yes"))
    tables.pop("Tables", None)
    return tables


def test_every_table_and_column_is_documented_as_in_code() -> None:
    documented = _documented_tables(DOC.read_text("utf-8"))
    lineage = {c.name for c in LINEAGE}
    in_code = {
        t.name: [(c.name, c.dtype, c.required) for c in t.columns if c.name not in lineage]
        for t in TABLES
    }
    assert documented == in_code, "docs/data-model.md is stale: run `make docs`"


def test_the_page_is_the_rendered_one() -> None:
    assert DOC.read_text("utf-8") == render_data_model(), "run `make docs`"
