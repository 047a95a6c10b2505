"""Readers open real-world files: every encoding, delimiters, sheets, and files that lie."""

from __future__ import annotations

import codecs
import csv
import io
import json
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chandung.errors import InputError
from chandung.ingest.readers import ROW_COLUMN, ReadLimits, RejectedRow, open_source

ROWS = [
    ["Họ và tên", "SĐT", "Tỉnh/Thành", "Tổng tiền"],
    ["Nguyễn Thị Lan", "0912 345 678", "Hà Nội", "1.200.000đ"],
    ["Trần Văn Đức", "01623456789", "Thừa Thiên Huế", "1,2tr"],
    ["Lê Thị Ánh Tuyết", "+84 987.654.321", "Bình Dương", "350.000"],
]


def table(path: Path, **kw: object) -> pa.Table:
    source = open_source(path, **kw)  # type: ignore[arg-type]
    return pa.Table.from_batches(list(source.batches))


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258_form(text: str) -> str:
    """Text as Windows-1258 writes Vietnamese: base letters composed, tone marks apart."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(m for m in parts if m in TONE_MARKS)
        out.append(unicodedata.normalize("NFC", "".join(m for m in parts if m not in TONE_MARKS)))
        out.append(tones)
    return "".join(out)


def write_text(path: Path, text: str, encoding: str, bom: bytes = b"") -> Path:
    if encoding == "cp1258":
        text = cp1258_form(text)
    path.write_bytes(bom + text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "bom", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("cp1258", b"", "cp1258"),
    ],
)
def test_every_encoding_reads_back_the_same_vietnamese_text(
    tmp_path: Path, encoding: str, bom: bytes, detected: str
) -> None:
    text = "\n".join(",".join(f'"{v}"' for v in row) for row in ROWS) + "\n"
    path = write_text(tmp_path / "khach.csv", text, encoding, bom)
    source = open_source(path)
    assert source.encoding == detected
    assert source.columns == ROWS[0]
    t = pa.Table.from_batches(list(source.batches))
    assert t.column("Họ và tên").to_pylist() == [r[0] for r in ROWS[1:]]
    assert t.column("Tỉnh/Thành").to_pylist() == [r[2] for r in ROWS[1:]]
    assert t.column(ROW_COLUMN).to_pylist() == [2, 3, 4]


def test_latin1_file_is_read_as_latin1(tmp_path: Path) -> None:
    path = write_text(tmp_path / "eu.csv", "name,city\nJosé Müller,Köln\n", "latin-1")
    source = open_source(path)
    assert source.encoding == "latin-1"
    assert pa.Table.from_batches(list(source.batches)).column("name").to_pylist() == ["José Müller"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(ROWS)
    path = write_text(tmp_path / "k.csv", buffer.getvalue(), "utf-8")
    source = open_source(path)
    assert source.delimiter == delimiter
    assert pa.Table.from_batches(list(source.batches)).num_rows == 3


def test_ragged_rows_are_kept_as_rejects_with_their_row(tmp_path: Path) -> None:
    text = "name,phone\nAn,0912345678\nBình,0987,extra\nChi,0977777777\n"
    path = write_text(tmp_path / "r.csv", text, "utf-8")
    rejected: list[RejectedRow] = []
    t = table(path, rejected=rejected)
    assert t.column("name").to_pylist() == ["An", "Chi"]
    assert t.column(ROW_COLUMN).to_pylist() == [2, 4]
    assert [(r.row, r.reason) for r in rejected] == [(3, "row.field_count")]
    assert "Bình" in (rejected[0].value or "")


def test_blank_and_repeated_headers_get_names(tmp_path: Path) -> None:
    path = write_text(tmp_path / "h.csv", "Phone,,Phone\n1,2,3\n", "utf-8")
    assert open_source(path).columns == ["Phone", "column_2", "Phone_2"]


def test_values_are_text_so_leading_zeros_survive(tmp_path: Path) -> None:
    path = write_text(tmp_path / "z.csv", "sdt,ma\n0912345678,00123\n", "utf-8")
    t = table(path)
    assert t.column("sdt").to_pylist() == ["0912345678"]
    assert t.column("ma").to_pylist() == ["00123"]


def test_excel_any_sheet_by_name_or_number(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Khách hàng"
    for row in ROWS:
        first.append(row)
    second = book.create_sheet("Đơn hàng")
    second.append([None])
    second.append(["Mã đơn", "Ngày", "Số lượng"])
    second.append(["DH001", "2025-01-20", 2])
    path = tmp_path / "book.xlsx"
    book.save(path)

    source = open_source(path)
    assert source.sheet == "Khách hàng" and source.sheets == ["Khách hàng", "Đơn hàng"]
    assert pa.Table.from_batches(list(source.batches)).num_rows == 3
    for choice in ("Đơn hàng", 2, "2"):
        t = table(path, sheet=choice)
        assert t.column_names == ["Mã đơn", "Ngày", "Số lượng", ROW_COLUMN]
        assert t.to_pylist() == [
            {"Mã đơn": "DH001", "Ngày": "2025-01-20", "Số lượng": "2", ROW_COLUMN: 3}
        ]
    with pytest.raises(InputError, match="Khách hàng, Đơn hàng"):
        open_source(path, sheet="Sheet9")


def test_parquet_and_json_lines_keep_their_types(tmp_path: Path) -> None:
    data = pa.table({"customer_id": ["C1", "C2"], "total": [1200000, 350000]})
    pq.write_table(data, tmp_path / "o.parquet")
    t = table(tmp_path / "o.parquet")
    assert t.column("total").to_pylist() == [1200000, 350000]
    assert t.column(ROW_COLUMN).to_pylist() == [1, 2]
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in data.to_pylist())
    (tmp_path / "o.jsonl").write_text(lines + "\n", encoding="utf-8")
    assert table(tmp_path / "o.jsonl").column("customer_id").to_pylist() == ["C1", "C2"]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.csv", b"", "input.file.empty"),
        ("junk.csv", bytes(range(256)) * 64, "input.file.binary"),
        ("fake.xlsx", b"name,phone\nAn,1\n", "input.file.not_what_it_claims"),
        ("fake.parquet", b"name,phone\nAn,1\n", "input.file.not_what_it_claims"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "input.file.xls"),
        ("headers.csv", b"\n\n", "input.file.no_header"),
        ("bad.jsonl", b'{"a": 1}\n{"a": \n', "input.file.bad_json"),
    ],
)
def test_files_that_are_not_what_they_claim_get_one_clear_error(
    tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        source = open_source(path)
        list(source.batches)
    assert err.value.code == code
    assert str(path) in str(err.value)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    with pytest.raises(InputError) as err:
        open_source(path)
    assert err.value.code == "input.file.zip_bomb"


def test_size_limit(tmp_path: Path) -> None:
    path = write_text(tmp_path / "big.csv", "a\n" + "1\n" * 1000, "utf-8")
    with pytest.raises(InputError, match="limit"):
        open_source(path, limits=ReadLimits(max_bytes=100))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        open_source(tmp_path / "nope.csv")
    assert err.value.code == "input.file.missing"


def test_decomposed_vietnamese_is_composed(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Họ tên\nNguyễn Thị Lan\n")
    path = write_text(tmp_path / "nfd.csv", decomposed, "utf-8")
    source = open_source(path)
    assert source.columns == ["Họ tên"]
    values = pa.Table.from_batches(list(source.batches)).column("Họ tên").to_pylist()
    assert values == ["Nguyễn Thị Lan"]


def test_excel_cells_under_no_header_are_kept_as_rejects(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ tên", "SĐT"])
    sheet.append(["An", "0912345678"])
    sheet.append(["Bình", "0987654321", "ghi chú lạc cột"])
    path = tmp_path / "k.xlsx"
    book.save(path)
    rejected: list[RejectedRow] = []
    t = table(path, rejected=rejected)
    assert t.column("Họ tên").to_pylist() == ["An"]
    assert [(r.row, r.reason) for r in rejected] == [(3, "row.field_count")]
    assert "ghi chú lạc cột" in (rejected[0].value or "")
