"""Readers say about how many records a file holds, so that loads can bound their memory."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from chandung.ingest.readers import open_source


def test_a_csv_estimates_its_records_from_its_first_lines(tmp_path: Path) -> None:
    path = tmp_path / "khach.csv"
    lines = ["Họ và tên,SĐT"] + [f"Khách hàng số {i},09{i:08d}" for i in range(20_000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hint = open_source(path).rows_hint
    assert hint is not None and 0.8 * 20_000 <= hint <= 1.2 * 20_000


def test_a_parquet_file_knows_its_records(tmp_path: Path) -> None:
    path = tmp_path / "don.parquet"
    pq.write_table(pa.table({"order_id": [f"O{i}" for i in range(1234)]}), path)
    assert open_source(path).rows_hint == 1234
