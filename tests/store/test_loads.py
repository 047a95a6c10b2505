"""Loading rows into a canonical table: both ways give the same result, all or nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from chandung.schema import TABLES_BY_NAME
from chandung.services.stores import Stores, open_stores
from chandung.store import loads
from chandung.store import warehouse as warehouse_module
from chandung.store.loads import DirectLoad, Load, StagedLoad
from chandung.workspace import Workspace

from ..conftest import rows

ROW = "_row"
BATCH = "import-test"


def numbered(name: str, records: list[dict[str, object]], first_row: int) -> pa.Table:
    table = rows(name, records)
    table = table.set_column(
        table.schema.get_field_index("import_batch"),
        "import_batch",
        pa.array([BATCH] * table.num_rows, pa.string()),
    )
    return table.append_column(
        ROW, pa.array(range(first_row, first_row + table.num_rows), pa.int64())
    )


def named(*people: tuple[str, str]) -> list[dict[str, object]]:
    return [{"customer_id": key, "full_name": name} for key, name in people]


def direct(stores: Stores, name: str) -> Load:
    return DirectLoad(stores.warehouse, TABLES_BY_NAME[name], ROW, BATCH)


def staged(stores: Stores, name: str) -> Load:
    return StagedLoad(stores.warehouse, TABLES_BY_NAME[name], ROW, "_import_test")


WAYS = pytest.mark.parametrize("start", [direct, staged], ids=["direct", "staged"])
Start = Callable[[Stores, str], Load]


@pytest.fixture(autouse=True)
def small_inserts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Several inserts (or work-file parts) per load, so that repeats span them as in a large
    # file, and rows still gathering when the load is published are not forgotten.
    monkeypatch.setattr(loads, "DIRECT_INSERT_ROWS", 2)
    monkeypatch.setattr(warehouse_module, "WORK_PART_ROWS", 2)


@WAYS
def test_the_first_row_of_a_repeated_key_wins_and_the_others_are_returned(
    stores: Stores, start: Start
) -> None:
    load = start(stores, "customers")
    load.append(numbered("customers", named(("A", "first"), ("B", "b")), 2))
    load.append(numbered("customers", named(("C", "c"), ("A", "second")), 4))
    load.append(numbered("customers", named(("A", "third")), 6))
    result = load.publish()
    assert (result.inserted, result.already_present) == (3, 0)
    assert result.duplicates.column(ROW).to_pylist() == [5, 6]
    assert result.duplicates.column("customer_id").to_pylist() == ["A", "A"]
    table = stores.warehouse.table("customers").to_pyarrow().sort_by("customer_id")
    assert table.column("full_name").to_pylist() == ["first", "b", "c"]


@WAYS
def test_keys_already_in_the_table_are_left_as_they_were(stores: Stores, start: Start) -> None:
    stores.warehouse.append("customers", rows("customers", named(("A", "before"))))
    load = start(stores, "customers")
    load.append(numbered("customers", named(("A", "again"), ("B", "new"), ("A", "and again")), 2))
    result = load.publish()
    assert (result.inserted, result.already_present) == (1, 1)
    assert result.duplicates.column(ROW).to_pylist() == [4]
    table = stores.warehouse.table("customers").to_pyarrow().sort_by("customer_id")
    assert table.column("full_name").to_pylist() == ["before", "new"]


@WAYS
def test_a_key_of_several_columns(stores: Stores, start: Start) -> None:
    def line(order: str, number: int) -> dict[str, object]:
        return {
            "order_id": order,
            "line_number": number,
            "product_id": "P",
            "quantity": 1,
            "unit_price_vnd": 1000,
            "line_total_vnd": 1000,
        }

    load = start(stores, "order_items")
    load.append(numbered("order_items", [line("O1", 1), line("O1", 2), line("O2", 1)], 2))
    load.append(numbered("order_items", [line("O1", 2)], 5))
    result = load.publish()
    assert result.inserted == 3
    assert result.duplicates.column(ROW).to_pylist() == [5]
    assert stores.warehouse.counts()["order_items"] == 3


@WAYS
def test_an_abandoned_load_leaves_the_table_as_it_was(stores: Stores, start: Start) -> None:
    stores.warehouse.append("customers", rows("customers", [{"customer_id": "A"}]))
    load = start(stores, "customers")
    load.append(numbered("customers", [{"customer_id": f"N{i}"} for i in range(5)], 2))
    load.abandon()
    assert stores.warehouse.table("customers").customer_id.to_pyarrow().to_pylist() == ["A"]
    assert not stores.warehouse.scratch_tables("_import_")


@pytest.mark.parametrize("finish", ["publish", "abandon"])
def test_a_direct_load_gives_the_engine_back_its_settings(stores: Stores, finish: str) -> None:
    # The load writes with one thread; the queries that follow (identity resolution) use all.
    con = stores.warehouse.backend.con
    names = ("threads", "write_buffer_row_group_count")

    def settings() -> dict[str, object]:
        return {n: con.execute("SELECT current_setting(?)", [n]).fetchone()[0] for n in names}

    before = settings()
    load = direct(stores, "customers")
    load.append(numbered("customers", named(("A", "a"), ("B", "b"), ("C", "c")), 2))
    assert settings() == {"threads": 1, "write_buffer_row_group_count": 1}
    getattr(load, finish)()
    assert settings() == before


def test_a_process_killed_during_a_direct_load_leaves_the_table_as_it_was(
    workspace: Workspace, tmp_path: Path
) -> None:
    with open_stores(workspace) as stores:
        stores.warehouse.append("customers", rows("customers", [{"customer_id": "A"}]))
    script = textwrap.dedent(f"""
        import sys, time
        from chandung.services.stores import open_stores
        from chandung.store import loads
        from chandung.workspace import Workspace
        from tests.store.test_loads import direct, numbered
        loads.DIRECT_INSERT_ROWS = 10
        with open_stores(Workspace.open({str(workspace.home)!r})) as stores:
            load = direct(stores, "customers")
            load.append(numbered("customers", [{{"customer_id": f"N{{i}}"}} for i in range(50)], 2))
            inserted = stores.warehouse.backend.con.execute(
                "SELECT count(*) FROM customers").fetchone()[0]
            print(inserted, flush=True)
            time.sleep(60)
    """)
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert process.stdout is not None
    # The rows are in the table, seen from inside the load's transaction...
    assert process.stdout.readline().strip() == "51"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    # ...and gone once the process is killed before publishing.
    with open_stores(workspace) as stores:
        assert stores.warehouse.table("customers").customer_id.to_pyarrow().to_pylist() == ["A"]


@pytest.mark.parametrize(
    ("expected_rows", "way"),
    [(10, DirectLoad), (None, StagedLoad), (1_000, StagedLoad)],
    ids=["small", "unknown size", "large"],
)
def test_only_loads_of_known_small_size_go_straight_in(
    stores: Stores, monkeypatch: pytest.MonkeyPatch, expected_rows: int | None, way: type
) -> None:
    # An open transaction holds memory in proportion to its rows: large loads wait aside.
    monkeypatch.setattr(loads, "DIRECT_LOAD_CELLS", 100 * len(TABLES_BY_NAME["customers"].columns))
    load = stores.warehouse.open_load(
        TABLES_BY_NAME["customers"], ROW, BATCH, "_import_size", expected_rows
    )
    try:
        assert isinstance(load, way)
    finally:
        load.abandon()
