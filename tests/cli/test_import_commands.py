from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from chandung.cli import app

runner = CliRunner()
CUSTOMERS = (
    "Họ và tên,SĐT,Email,Ngày sinh,Tỉnh/Thành,Ghi chú\n"
    "nguyễn thị  lan,0162 345 6789,Lan@Gmail.com ,05/03/1990,Bình Dương,VIP\n"
    "Trần Văn Đức,abc,duc@@x.com,31/12/1985,ha noi,\n"
    "Lê Thị Hoa,0987654321,hoa@y.vn,ngày mai,TP HCM,\n"
)
ORDERS = (
    'Mã đơn,Mã KH,Ngày,Kênh,Tổng tiền\nD1,K1,01/02/2025,Shopee,"1,2tr"\nD2,,02/02/2025,Tiki,5\n'
)


def test_import_reports_the_interface_keys_as_json(tmp_path: Path) -> None:
    path = tmp_path / "khach.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    result = runner.invoke(
        app, ["import", "customers", str(path), "--home", str(tmp_path / "w"), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    for key in (
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "customers_created",
        "customers_matched",
        "errors",
    ):
        assert key in report
    assert (report["rows_read"], report["rows_loaded"], report["customers_created"]) == (3, 3, 3)
    assert {(e["row"], e["column"], e["reason"]) for e in report["errors"]} == {
        (3, "SĐT", "phone.not_a_number"), (3, "Email", "email.invalid"),
        (4, "Ngày sinh", "date.unreadable"),
    }  # fmt: skip


def test_import_in_words_then_quarantine_list_and_export(tmp_path: Path) -> None:
    home = str(tmp_path / "w")
    path = tmp_path / "don.csv"
    path.write_text(ORDERS, encoding="utf-8")
    result = runner.invoke(app, ["--lang", "en", "import", "orders", str(path), "--home", home])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 loaded, 1 quarantined" in result.stdout
    listed = json.loads(runner.invoke(app, ["quarantine", "list", "--home", home, "--json"]).stdout)
    assert listed["total"] == 1
    assert listed["rows"][0]["row"] == 3 and listed["rows"][0]["reason"] == "required.missing"
    out = tmp_path / "q.parquet"
    exported = runner.invoke(app, ["quarantine", "export", "-o", str(out), "--home", home])
    assert exported.exit_code == 0
    assert pq.read_table(out).num_rows == 1
    words = runner.invoke(app, ["--lang", "en", "quarantine", "list", "--home", home])
    assert "a required value is missing" in words.stdout


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    home = str(tmp_path / "w")
    path = tmp_path / "khach.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    result = runner.invoke(
        app, ["import", "customers", str(path), "--dry-run", "--json", "--home", home]
    )
    report = json.loads(result.stdout)
    assert report["dry_run"] and len(report["sample"]) == 3
    assert report["sample"][0]["full_name"] == "Nguyễn Thị Lan"
    status = json.loads(runner.invoke(app, ["status", "--home", home, "--json"]).stdout)
    assert status["tables"]["customers"] == 0


def test_unknown_kind_and_bad_file_are_one_line_errors(tmp_path: Path) -> None:
    home = str(tmp_path / "w")
    (tmp_path / "x.csv").write_text("", encoding="utf-8")
    for argv in (
        ["import", "clients", str(tmp_path / "x.csv")],
        ["import", "customers", str(tmp_path / "x.csv")],
    ):
        result = runner.invoke(app, ["--lang", "en", *argv, "--home", home])
        assert result.exit_code == 1
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_the_help_lists_exactly_the_kinds_the_import_accepts() -> None:
    from chandung.services.imports import KINDS

    result = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    assert f"What the file holds: {', '.join(KINDS)}. /" in result.stdout
