from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from chandung.errors import InputError, NotFoundError, StoreError
from chandung.schema import TABLES
from chandung.services.stores import Stores
from chandung.store.warehouse import Warehouse, redact_url
from tests.conftest import rows


def test_canonical_tables_are_created_with_their_schema(stores: Stores) -> None:
    for spec in TABLES:
        schema = stores.warehouse.table(spec.name).schema()
        assert list(schema.names) == list(spec.column_names)
        for column in spec.columns:
            assert schema[column.name].nullable is (not column.required), column.name


def test_round_trip_keeps_every_value(stores: Stores) -> None:
    sent = rows(
        "customers",
        [
            {
                "customer_id": "C1",
                "full_name": "Nguyễn Thị Lan",
                "birth_date": date(1990, 2, 3),
                "children_count": 2,
                "is_decision_maker": False,
                "monthly_income_vnd": 15_000_000,
                "first_seen_at": datetime(2024, 1, 2, 3, 4, 5),
                "province": "Thành phố Hồ Chí Minh",
            },
            {"customer_id": "C2", "full_name": "Trần Văn Đức"},
        ],
    )
    stores.warehouse.append("customers", sent)
    back = stores.warehouse.table("customers").order_by("customer_id").to_pyarrow()
    assert back.cast(sent.schema).equals(sent)


def test_replace_tables_is_all_or_nothing(tiny_business: Stores) -> None:
    wh = tiny_business.warehouse
    before = wh.counts()

    def failing() -> Iterator[dict[str, pa.Table]]:
        yield {"customers": rows("customers", [{"customer_id": "X1"}])}
        raise RuntimeError("killed half way")

    with pytest.raises(RuntimeError):
        wh.replace_tables(failing())
    assert wh.counts() == before
    assert not [t for t in wh.backend.list_tables() if t.startswith("_staging_")]


def test_replace_tables_swaps_in_new_rows(tiny_business: Stores) -> None:
    wh = tiny_business.warehouse
    counts = wh.replace_tables(
        [
            {"customers": rows("customers", [{"customer_id": "N1"}])},
            {"customers": rows("customers", [{"customer_id": "N2"}])},
        ]
    )
    assert counts == {"customers": 2}
    assert sorted(wh.table("customers").customer_id.to_pyarrow().to_pylist()) == ["N1", "N2"]
    assert wh.counts()["orders"] == 6  # tables not named are left alone


def test_missing_required_value_names_table_and_column(stores: Stores) -> None:
    bad = rows("orders", [{"order_id": "O1"}])
    with pytest.raises(InputError) as err:
        stores.warehouse.append("orders", bad)
    assert "orders" in str(err.value) and "customer_id" in str(err.value)


def test_missing_column_is_named(stores: Stores) -> None:
    with pytest.raises(InputError, match="full_name"):
        stores.warehouse.append("customers", pa.table({"customer_id": ["C1"]}))


def test_unknown_table_is_a_clear_error(stores: Stores) -> None:
    with pytest.raises(NotFoundError, match="no_such"):
        stores.warehouse.table("no_such")


def test_unreachable_engine_names_the_url_without_password() -> None:
    with pytest.raises(StoreError) as err:
        Warehouse.connect("nosuchengine://analyst:secret@db.invalid/crm")
    assert "secret" not in str(err.value)
    assert "analyst:***@db.invalid" in str(err.value)


def test_redact_url_keeps_urls_without_password() -> None:
    assert redact_url("duckdb:///tmp/x.duckdb") == "duckdb:///tmp/x.duckdb"


def test_warehouse_held_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r});"
            " print('ready', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError) as err:
            Warehouse.connect(f"duckdb://{path}")
        assert err.value.code == "store.locked"
        assert "chandung serve" in err.value.render("en")
    finally:
        holder.communicate("")


def test_loaded_chunks_are_released_from_the_engine(stores: Stores) -> None:
    # Ibis leaves inserted in-memory tables registered with the engine; a load of many chunks
    # must not keep them all (that held 12 GB for a 1,000,000-customer demo).
    wh = stores.warehouse
    chunks = [{"customers": rows("customers", [{"customer_id": f"C{i}"}])} for i in range(5)]
    wh.replace_tables(chunks)
    wh.append("customers", rows("customers", [{"customer_id": "C9"}]))
    assert not [t for t in wh.backend.list_tables() if t.startswith("ibis_")]


def test_duckdb_memory_is_bounded_as_configured(tmp_path: Path) -> None:
    with Warehouse.connect(f"duckdb://{tmp_path / 'w.duckdb'}", duckdb_memory_limit="300MB") as wh:
        limit = wh.backend.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit in ("286.1 MiB", "300.0 MB")


def test_derived_table_from_a_stream_of_the_same_warehouse_keeps_every_row(
    stores: Stores,
) -> None:
    # Scoring reads the summary in batches while it writes the scores: every batch must land,
    # not only the first (on DuckDB a write on the reading connection would end the stream).
    wh = stores.warehouse
    wh.backend.raw_sql("CREATE TABLE source_rows AS SELECT range AS x FROM range(25000)")
    source = wh.table("source_rows")

    def doubled() -> Iterator[pa.Table]:
        for batch in source.to_pyarrow_batches(chunk_size=4_000):
            table = pa.Table.from_batches([batch])
            yield table.append_column("y", pc.multiply(table.column("x"), 2))

    assert wh.write_derived("doubled", doubled()) == 25_000
    written = wh.table("doubled")
    assert written.count().to_pyarrow().as_py() == 25_000
    assert written.y.sum().to_pyarrow().as_py() == 2 * sum(range(25_000))
    # And a second run replaces the table rather than adding to it.
    assert wh.write_derived("doubled", doubled()) == 25_000
    assert wh.table("doubled").count().to_pyarrow().as_py() == 25_000
