"""Importing messy files: counts add up, reasons are kept, re-imports and kills change nothing."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from chandung.errors import InputError
from chandung.ingest import pipeline
from chandung.services.imports import discard_unfinished, import_file
from chandung.services.quarantine import quarantine_rows
from chandung.services.stores import Stores
from chandung.store import loads

HEADER = ["Mã đơn hàng", "Mã KH", "Ngày đặt hàng", "Kênh bán", "Tổng tiền", "Ghi chú"]


def orders_file(path: Path, n: int = 200, broken_share: float = 0.05, seed: int = 1) -> set[int]:
    """An orders export with about ``broken_share`` broken rows; returns their row numbers."""
    rng = random.Random(seed)
    broken: set[int] = set()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i in range(n):
            row = [
                f"DH{i:05d}",
                f"KH{i % 37:03d}",
                f"{1 + i % 28:02d}/0{1 + i % 9}/2025 10:30",
                rng.choice(["Shopee", "Lazada", "Cửa hàng", "website"]),
                rng.choice(["1.200.000đ", "350.000", "1,2tr", "99k"]),
                "ok",
            ]
            if rng.random() < broken_share:
                spoil = rng.choice(["date", "money", "customer"])
                row[{"date": 2, "money": 4, "customer": 1}[spoil]] = {
                    "date": "hôm qua",
                    "money": "nhiều tiền",
                    "customer": "",
                }[spoil]
                broken.add(i + 2)
            writer.writerow(row)
    return broken


def test_counts_add_up_and_every_broken_row_is_quarantined_with_its_reason(
    stores: Stores, tmp_path: Path
) -> None:
    path = tmp_path / "don_hang.csv"
    broken = orders_file(path)
    report = import_file(stores, "orders", path)
    assert report.rows_read == 200
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    assert report.rows_quarantined == len(broken) > 0
    assert stores.warehouse.counts()["orders"] == report.rows_loaded
    quarantined = quarantine_rows(stores.workspace)
    assert set(quarantined.column("row").to_pylist()) == broken
    reasons = set(quarantined.column("reason").to_pylist())
    assert reasons <= {"date.unreadable", "money.unreadable", "required.missing"}
    for record in quarantined.to_pylist():
        assert record["import_batch"] == report.import_batch and record["record"]
    loaded = stores.warehouse.table("orders").to_pyarrow()
    assert set(loaded.column("channel").to_pylist()) <= {"shopee", "lazada", "store_mt", "website"}
    assert set(loaded.column("status").to_pylist()) == {"completed"}
    assert "1200000" in str(loaded.column("total_vnd").to_pylist())


def test_reimporting_the_same_file_changes_nothing(stores: Stores, tmp_path: Path) -> None:
    path = tmp_path / "don_hang.csv"
    orders_file(path)
    first = import_file(stores, "orders", path)
    before = stores.warehouse.table("orders").to_pyarrow().sort_by("order_id")
    again = import_file(stores, "orders", path)
    assert again.already_imported and again.rows_new == 0
    after = stores.warehouse.table("orders").to_pyarrow().sort_by("order_id")
    assert after.equals(before)
    assert len(list(stores.workspace.quarantine_dir.glob("*.parquet"))) == 1
    assert first.rows_loaded == again.rows_read - again.rows_quarantined


def test_overlapping_file_adds_only_new_rows(stores: Stores, tmp_path: Path) -> None:
    orders_file(tmp_path / "a.csv", n=100, broken_share=0)
    orders_file(tmp_path / "b.csv", n=150, broken_share=0)
    import_file(stores, "orders", tmp_path / "a.csv")
    report = import_file(stores, "orders", tmp_path / "b.csv")
    assert (report.rows_new, report.rows_already_present) == (50, 100)
    assert stores.warehouse.counts()["orders"] == 150


@pytest.mark.parametrize("insert_rows", [1_000_000, 4], ids=["one insert", "many inserts"])
def test_customers_created_and_matched_count_people(
    stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, insert_rows: int
) -> None:
    # Rows go into the table while the file is read: counts of people must not see them.
    monkeypatch.setattr(loads, "DIRECT_INSERT_ROWS", insert_rows)
    import_file(stores, "customers", _customers_csv(tmp_path / "a.csv", range(0, 10)))
    path = _customers_csv(tmp_path / "b.csv", range(6, 30), repeat_phone_of={29: 28})
    report = import_file(stores, "customers", path)
    assert report.rows_new == 24
    # 6..9 were there already (same phone), 10..28 are new people, 29 shares 28's phone.
    assert (report.customers_created, report.customers_matched) == (19, 5)


def _customers_csv(
    path: Path, people: range, repeat_phone_of: dict[int, int] | None = None
) -> Path:
    phones = {i: (repeat_phone_of or {}).get(i, i) for i in people}
    lines = ["Mã KH,Họ và tên,SĐT"] + [
        f"{path.stem}-{i},Khách Số {i},09{phones[i]:08d}" for i in people
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_duplicate_keys_in_one_file_keep_the_first(stores: Stores, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "Mã đơn hàng,Mã KH,Ngày,Tổng tiền,Kênh\nDH1,KH1,01/02/2025,100000,Shopee\n"
        "DH1,KH2,02/02/2025,200000,Shopee\nDH2,KH1,03/02/2025,300000,Tiki\n",
        encoding="utf-8",
    )
    report = import_file(stores, "orders", path)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)
    assert report.errors[0]["reason"] == "key.duplicate" and report.errors[0]["row"] == 3
    rows = stores.warehouse.table("orders").to_pyarrow().to_pylist()
    assert {r["order_id"]: r["customer_id"] for r in rows} == {"DH1": "KH1", "DH2": "KH1"}


def test_killed_import_leaves_the_previous_state(
    stores: Stores, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders_file(tmp_path / "a.csv", n=50, broken_share=0)
    import_file(stores, "orders", tmp_path / "a.csv")
    before = stores.warehouse.counts()
    quarantine_before = sorted(p.name for p in stores.workspace.quarantine_dir.iterdir())
    real = pipeline._prepare_batch
    calls = {"n": 0}

    def dies_on_second_batch(*args: object, **kwargs: object) -> pipeline.PreparedBatch:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_prepare_batch", dies_on_second_batch)
    big = tmp_path / "big.csv"
    orders_file(big, n=200_000, broken_share=0.01)
    with pytest.raises(KeyboardInterrupt):
        import_file(stores, "orders", big)
    assert stores.warehouse.counts() == before
    assert sorted(p.name for p in stores.workspace.quarantine_dir.iterdir()) == quarantine_before
    assert not stores.warehouse.scratch_tables("_import_")
    assert discard_unfinished(stores) == 0


def test_dry_run_writes_nothing_and_shows_samples(stores: Stores, tmp_path: Path) -> None:
    path = tmp_path / "don_hang.csv"
    orders_file(path)
    report = import_file(stores, "orders", path, dry_run=True)
    assert report.dry_run and len(report.sample) == 10
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    assert stores.warehouse.counts()["orders"] == 0
    assert not list(stores.workspace.quarantine_dir.iterdir())
    assert report.sample[0]["total_vnd"] in (1_200_000, 350_000, 99_000)


def test_excel_second_sheet(stores: Stores, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Ghi chú"
    cover.append(["Danh sách khách hàng tháng 1"])
    sheet = book.create_sheet("Khách hàng")
    sheet.append(["Họ tên", "SĐT", "Ngày sinh", "Tỉnh"])
    sheet.append(["nguyễn thị lan", "0162 345 6789", "05/03/1990", "Bình Dương"])
    sheet.append(["Trần Văn Đức", 912345678, "1985-12-31", "Hà Nội"])
    path = tmp_path / "khach.xlsx"
    book.save(path)
    report = import_file(stores, "customers", path, sheet="Khách hàng")
    assert (report.rows_read, report.rows_loaded) == (2, 2)
    rows = {r["full_name"]: r for r in stores.warehouse.table("customers").to_pyarrow().to_pylist()}
    assert rows["Nguyễn Thị Lan"]["phone_e164"] == "+84323456789"
    assert rows["Nguyễn Thị Lan"]["province"] == "Thành phố Hồ Chí Minh"
    assert rows["Nguyễn Thị Lan"]["province_former"] == "Bình Dương"
    assert rows["Trần Văn Đức"]["phone_e164"] == "+84912345678"
    assert rows["Trần Văn Đức"]["gender_inferred"] == "male"


def test_unmapped_columns_are_kept(stores: Stores, tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text("Họ tên,SĐT,Sở thích riêng\nAn,0912345678,câu cá\n", encoding="utf-8")
    report = import_file(stores, "customers", path)
    assert report.unmapped_columns == ["Sở thích riêng"]
    row = stores.warehouse.table("customers").to_pyarrow().to_pylist()[0]
    assert row["extra_attributes"] == '{"Sở thích riêng":"câu cá"}'


def test_missing_required_field_is_one_clear_error(stores: Stores, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("Ghi chú\nx\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_file(stores, "orders", path)
    assert "customer_id" in str(err.value) and "--mapping" in str(err.value)


def test_mapping_file_makes_it_work(stores: Stores, tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "So HD,Nguoi mua,Luc,Tien,Qua\nA1,K1,2025-01-02,150000,zalo\n", encoding="utf-8"
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '"So HD" = "order_id"\n"Nguoi mua" = "customer_id"\n"Luc" = "ordered_at"\n'
        '"Tien" = "total_vnd"\n"Qua" = "channel"\n',
        encoding="utf-8",
    )
    report = import_file(stores, "orders", path, mapping_file=mapping)
    assert report.rows_loaded == 1
    assert pa.Table.from_pylist(report.sample).column("total_vnd").to_pylist() == [150_000]


def test_the_next_import_sweeps_what_a_killed_load_left(stores: Stores, tmp_path: Path) -> None:
    backend = stores.warehouse.backend
    backend.create_table("_identity_dead_links", pa.table({"a": [1]}))
    backend.create_table("_retention_customers", pa.table({"a": [1]}))
    leftover = stores.workspace.quarantine_dir / ".import-dead.parquet.tmp"
    leftover.write_bytes(b"partial")
    stores.workspace.work_dir.mkdir(parents=True, exist_ok=True)
    work_file = stores.workspace.work_dir / "_import_dead.parquet"
    work_file.write_bytes(b"partial")
    orders_file(tmp_path / "a.csv", n=10, broken_share=0)
    import_file(stores, "orders", tmp_path / "a.csv")
    tables = backend.list_tables()
    assert "_identity_dead_links" not in tables and "_retention_customers" not in tables
    assert not leftover.exists() and not work_file.exists()
