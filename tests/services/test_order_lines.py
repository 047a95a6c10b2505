"""A POS export of order lines creates customers, orders and lines in one import."""

from __future__ import annotations

from pathlib import Path

import pytest

from chandung.ingest import pipeline
from chandung.services.imports import import_file
from chandung.services.stores import Stores

LINES = """Mã đơn hàng,Ngày đặt hàng,Kênh bán,Tên khách hàng,SĐT,Tỉnh/Thành,Mã SP,Số lượng,Đơn giá
DH001,05/01/2025 10:00,Shopee,Nguyễn Thị Lan,0162 345 6789,Bình Dương,SP01,2,150.000
DH001,05/01/2025 10:00,Shopee,Nguyễn Thị Lan,0162 345 6789,Bình Dương,SP02,1,"1,2tr"
DH002,06/01/2025 11:00,Cửa hàng,Trần Văn Đức,0912345678,Hà Nội,SP01,1,150.000
DH003,hôm qua,Tiki,Trần Văn Đức,0912345678,Hà Nội,SP03,1,99k
DH004,07/01/2025 09:00,Tiki,,,,SP04,3,50k
"""


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "pos.csv"
    path.write_text(LINES, encoding="utf-8")
    return path


def table(stores: Stores, name: str) -> list[dict[str, object]]:
    return stores.warehouse.table(name).to_pyarrow().to_pylist()


def test_one_import_fills_customers_orders_and_lines(stores: Stores, export: Path) -> None:
    report = import_file(stores, "order_lines", export)
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    # DH003 has no readable date; DH004 has no buyer: their lines stay out with their order.
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (5, 3, 2)
    assert report.tables == {"customers": 2, "orders": 2, "order_items": 3}
    orders = {o["order_id"]: o for o in table(stores, "orders")}
    assert orders["DH001"]["total_vnd"] == 2 * 150_000 + 1_200_000
    assert orders["DH001"]["channel"] == "shopee" and orders["DH002"]["channel"] == "store_mt"
    customers = {c["customer_id"]: c for c in table(stores, "customers")}
    assert customers[orders["DH001"]["customer_id"]]["full_name"] == "Nguyễn Thị Lan"
    assert customers[orders["DH001"]["customer_id"]]["province"] == "Thành phố Hồ Chí Minh"
    # Ids are keyed hashes: no phone number in them.
    assert all("345" not in cid and "+84" not in cid for cid in customers)
    reasons = {(e["row"], e["reason"]) for e in report.errors}
    assert (5, "date.unreadable") in reasons and (5, "order.not_loaded") in reasons
    assert (6, "order.not_loaded") in reasons


def test_reimport_changes_nothing_and_a_later_export_matches_customers(
    stores: Stores, export: Path, tmp_path: Path
) -> None:
    import_file(stores, "order_lines", export)
    before = {n: len(table(stores, n)) for n in ("customers", "orders", "order_items")}
    again = import_file(stores, "order_lines", export)
    assert again.already_imported
    assert {n: len(table(stores, n)) for n in before} == before
    later = tmp_path / "pos-2.csv"
    later.write_text(
        LINES.splitlines()[0] + "\nDH010,08/01/2025 08:00,Zalo,Nguyen Thi Lan,"
        "+84 32 345 6789,TP HCM,SP01,1,150.000\n",
        encoding="utf-8",
    )
    report = import_file(stores, "order_lines", later)
    assert (report.customers_created, report.customers_matched) == (0, 1)


def test_a_killed_import_leaves_all_three_tables(
    stores: Stores, export: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(stores, "order_lines", export)
    before = {n: len(table(stores, n)) for n in ("customers", "orders", "order_items")}
    big = export.with_name("big.csv")
    rows = [
        f"D{i},05/01/2025 10:00,Shopee,Khách {i % 500},09{i % 500:08d},Hà Nội,SP01,1,10k"
        for i in range(150_000)
    ]
    big.write_text(LINES.splitlines()[0] + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    real = pipeline._prepare_batch
    calls = {"n": 0}

    def dies(*args: object, **kwargs: object) -> pipeline.PreparedBatch:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_prepare_batch", dies)
    with pytest.raises(KeyboardInterrupt):
        import_file(stores, "order_lines", big)
    assert {n: len(table(stores, n)) for n in before} == before
