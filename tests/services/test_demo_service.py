from __future__ import annotations

from collections.abc import Iterator

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from chandung.datasets import demo as generator
from chandung.errors import InputError
from chandung.services.demo import generate_demo
from chandung.services.stores import Stores
from chandung.store.app_models import ImportBatch


def test_demo_fills_every_canonical_table_and_records_the_batch(stores: Stores) -> None:
    report = generate_demo(stores, 600, seed=3)
    counts = stores.warehouse.counts()
    assert all(counts[name] > 0 for name in counts), counts
    assert report.rows == {k: v for k, v in counts.items() if k in report.rows}
    with stores.app_db.session() as session:
        batch = session.scalars(select(ImportBatch)).one()
    assert batch.id == report.import_batch and batch.status == "loaded"
    batches = stores.warehouse.table("orders").import_batch.to_pyarrow().unique().to_pylist()
    assert batches == [report.import_batch]


def test_ground_truth_stays_outside_the_warehouse(stores: Stores) -> None:
    generate_demo(stores, 600, seed=3)
    truth = stores.workspace.demo_dir / "truth"
    groups = pq.read_table(truth / "customer_groups.parquet")
    assert groups.num_rows > 0
    assert (truth / "groups.json").is_file()
    tables = stores.warehouse.backend.list_tables()
    assert not [t for t in tables if "truth" in t or "group" in t]


def test_interrupted_demo_leaves_the_previous_data(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_demo(stores, 500, seed=1)
    before = stores.warehouse.counts()
    real = generator.generate

    def dies_after_first_chunk(settings: generator.DemoSettings) -> Iterator[generator.DemoChunk]:
        it = real(settings)
        yield next(it)
        raise KeyboardInterrupt

    monkeypatch.setattr(generator, "generate", dies_after_first_chunk)
    with pytest.raises(KeyboardInterrupt):
        generate_demo(stores, 60_000, seed=2)
    assert stores.warehouse.counts() == before
    assert (stores.workspace.demo_dir / "truth" / "customer_groups.parquet").is_file()


def test_customer_count_is_checked(stores: Stores) -> None:
    with pytest.raises(InputError, match="between 1 and"):
        generate_demo(stores, 0, seed=1)


def test_demo_names_an_unnamed_business_but_keeps_a_given_name(stores: Stores) -> None:
    generate_demo(stores, 300, seed=1)
    assert stores.workspace.settings.workspace.name == generator.BUSINESS_NAME
    settings = stores.workspace.settings.model_copy(deep=True)
    settings.workspace.name = "Tiệm của tôi"
    stores.workspace = stores.workspace.save_settings(settings)
    generate_demo(stores, 300, seed=1)
    assert stores.workspace.settings.workspace.name == "Tiệm của tôi"
