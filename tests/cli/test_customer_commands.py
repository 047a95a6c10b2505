from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from chandung.cli import app
from chandung.services.customers import EXPORT_COLUMNS

runner = CliRunner()
SHOP = (
    "Mã KH,Họ tên,SĐT,Email,Tỉnh\n"
    "K1,Nguyễn Thị Lan,0162 345 6789,lan@gmail.com,Bình Dương\n"
    "K2,Trần Văn Đức,0912345678,,Hà Nội\n"
)
MARKETPLACE = "Tên người nhận,Số điện thoại,Tỉnh/Thành\nNguyen Thi Lan,+84 32 345 6789,TP HCM\n"


@pytest.fixture
def home(tmp_path: Path) -> str:
    home = str(tmp_path / "w")
    (tmp_path / "shop.csv").write_text(SHOP, encoding="utf-8")
    (tmp_path / "market.csv").write_text(MARKETPLACE, encoding="utf-8")
    first_result = runner.invoke(
        app, ["import", "customers", str(tmp_path / "shop.csv"), "--home", home, "--json"]
    )
    assert first_result.exit_code == 0, first_result.output
    first = json.loads(first_result.stdout)
    assert (first["customers_created"], first["customers_matched"]) == (2, 0)
    second = json.loads(runner.invoke(
        app, ["import", "customers", str(tmp_path / "market.csv"), "--home", home, "--json"]
    ).stdout)  # fmt: skip
    # The marketplace buyer is Lan again: her old 11-digit number is the new one.
    assert (second["customers_created"], second["customers_matched"]) == (0, 1)
    return home


def test_list_and_search_without_diacritics(home: str) -> None:
    listed = json.loads(runner.invoke(app, ["customers", "list", "--home", home, "--json"]).stdout)
    assert listed["total"] == 2
    found = json.loads(runner.invoke(
        app, ["customers", "list", "--search", "nguyen thi lan", "--home", home, "--json"]
    ).stdout)  # fmt: skip
    assert found["total"] == 1
    lan = found["people"][0]
    assert lan["records"] == 2 and lan["phone"] == "+84323456789"
    assert len(lan["source_record_ids"].split(",")) == 2


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_export_has_canonical_columns_and_source_ids(home: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"people.{fmt}"
    result = runner.invoke(
        app, ["customers", "export", "--format", fmt, "-o", str(out), "--home", home, "--json"]
    )
    assert json.loads(result.stdout) == {"file": str(out), "rows": 2}
    if fmt == "parquet":
        rows = pq.read_table(out).to_pylist()
    elif fmt == "csv":
        with open(out, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    else:
        rows = json.loads(out.read_text("utf-8"))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert {r["full_name"] for r in rows} >= {"Trần Văn Đức"}


def test_show_merge_and_unmerge(home: str) -> None:
    listed = json.loads(runner.invoke(app, ["customers", "list", "--home", home, "--json"]).stdout)
    lan = next(p for p in listed["people"] if p["records"] == 2)
    duc = next(p for p in listed["people"] if p["records"] == 1)
    record = lan["source_record_ids"].split(",")[1]
    shown = json.loads(
        runner.invoke(app, ["customers", "show", record, "--home", home, "--json"]).stdout
    )
    assert shown["person"]["customer_id"] == lan["customer_id"] and len(shown["records"]) == 2
    split = json.loads(
        runner.invoke(app, ["customers", "unmerge", record, "--home", home, "--json"]).stdout
    )
    assert split["people"] == 3
    merged = json.loads(runner.invoke(
        app, ["customers", "merge", record, duc["customer_id"], "--home", home, "--json"]
    ).stdout)  # fmt: skip
    assert merged["people"] == 2
    missing = runner.invoke(app, ["--lang", "en", "customers", "show", "NOPE", "--home", home])
    assert missing.exit_code == 1 and "NOPE" in missing.stderr
