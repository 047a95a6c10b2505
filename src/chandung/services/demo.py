"""Generating the demo business into a workspace."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..datasets import demo as generator
from ..errors import InputError
from ..store.app_models import ImportBatch
from ..workspace import write_atomic
from .stores import Stores, warehouse_step

#: Called with (customers generated so far, customers to generate).
Progress = Callable[[int, int], None]

MAX_CUSTOMERS = 50_000_000


@dataclass(frozen=True)
class DemoReport:
    """What ``generate_demo`` wrote."""

    import_batch: str
    customers: int
    seed: int
    rows: dict[str, int]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@warehouse_step("demo")
def generate_demo(
    stores: Stores, customers: int, seed: int, progress: Progress | None = None
) -> DemoReport:
    """Replace the workspace's data with a generated demo business of ``customers`` people.

    The canonical tables are swapped in only when generation has finished, so an interrupted
    run leaves the previous data in place. The planted ground truth goes to ``demo/truth/`` in
    the workspace, outside the warehouse, where no analysis reads it.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise InputError("demo.customers", value=customers, maximum=MAX_CUSTOMERS)
    started = datetime.now(UTC)
    batch_id = f"demo-{started:%Y%m%dT%H%M%S}-{seed}-{uuid.uuid4().hex[:8]}"
    settings = generator.DemoSettings(customers=customers, seed=seed, import_batch=batch_id)
    truth_dir = stores.workspace.demo_dir / "truth"
    staging_dir = stores.workspace.demo_dir / ".truth-staging"
    shutil.rmtree(staging_dir, ignore_errors=True)
    staging_dir.mkdir(parents=True)
    truth = _TruthWriter(staging_dir)

    def chunks() -> Iterator[dict[str, pa.Table]]:
        for index, chunk in enumerate(generator.generate(settings), start=1):
            truth.write(chunk.truth)
            yield chunk.tables
            if progress is not None:
                progress(min(index * settings.chunk_size, customers), customers)

    try:
        rows = stores.warehouse.replace_tables(chunks())
    finally:
        truth.close()
    write_atomic(
        staging_dir / "groups.json",
        json.dumps([_plain(g) for g in generator.planted_groups()], ensure_ascii=False, indent=2),
    )
    shutil.rmtree(truth_dir, ignore_errors=True)
    staging_dir.rename(truth_dir)

    if not stores.workspace.settings.workspace.name:
        named = stores.workspace.settings.model_copy(deep=True)
        named.workspace.name = generator.BUSINESS_NAME
        stores.workspace = stores.workspace.save_settings(named)

    finished = datetime.now(UTC)
    with stores.app_db.session() as session:
        session.add(
            ImportBatch(
                id=batch_id,
                source="demo",
                started_at=started,
                finished_at=finished,
                status="loaded",
                rows_loaded=sum(rows.values()),
                details={"customers": customers, "seed": seed, "rows": rows},
            )
        )
    return DemoReport(batch_id, customers, seed, rows, (finished - started).total_seconds())


class _TruthWriter:
    """Streams ground-truth tables to Parquet files, one file per table."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.writers: dict[str, pq.ParquetWriter] = {}

    def write(self, tables: dict[str, pa.Table]) -> None:
        for name, rows in tables.items():
            if name not in self.writers:
                self.writers[name] = pq.ParquetWriter(
                    self.directory / f"{name}.parquet", rows.schema
                )
            self.writers[name].write_table(rows)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
