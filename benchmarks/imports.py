"""Import speed against DuckDB alone: customers from CSV, order lines from Parquet.

Builds the files from the demo generator (customers written the way a shop's export writes
them, with Vietnamese headers), then, each in a fresh process on a fresh workspace:

- DuckDB alone loads the file into a table (``CREATE TABLE ... AS SELECT * FROM read_csv``
  or ``read_parquet``): the floor for reading the same bytes;
- ``chandung import`` loads it: reading, mapping, normalising, validating, quarantining,
  publishing and (for customers) identity resolution.

Writes the times, their ratio and the peak memory of the import to docs/benchmarks.md.

    python benchmarks/imports.py                              # 1,000,000 customers
    python benchmarks/imports.py --customers 100000 --no-write
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skeleton import machine

from chandung.datasets.demo import DemoSettings, generate

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- imports:begin -->", "<!-- imports:end -->"
CUSTOMER_HEADERS = {
    "source_customer_ref": "Mã KH", "full_name": "Họ và tên", "phone": "SĐT",
    "email": "Email", "birth_date": "Ngày sinh", "gender": "Giới tính",
    "province_raw": "Tỉnh/Thành", "address": "Địa chỉ", "occupation": "Nghề nghiệp",
    "first_seen_at": "Ngày tạo",
}  # fmt: skip
LINE_HEADERS = {
    "order_id": "Mã đơn hàng", "line_number": "STT", "product_id": "Mã SP",
    "quantity": "Số lượng", "unit_price_vnd": "Đơn giá", "line_total_vnd": "Thành tiền",
}  # fmt: skip


@dataclass
class Result:
    name: str
    rows: int
    duckdb_s: float
    import_s: float
    import_peak_mib: float
    target: float


def build_files(customers: int, folder: Path) -> tuple[Path, Path, int, int]:
    csv_path, parquet_path = folder / "khach_hang.csv", folder / "chi_tiet_don.parquet"
    n_customers = n_lines = 0
    csv_writer = None
    lines_writer = None
    gender_vi = {"female": "Nữ", "male": "Nam", "other": "Khác", "unknown": ""}
    for chunk in generate(DemoSettings(customers=customers, seed=7)):
        c = chunk.tables["customers"]
        birth = pc.strftime(c.column("birth_date"), format="%d/%m/%Y")
        gender = pa.array(
            [gender_vi.get(g or "unknown", "") for g in c.column("gender").to_pylist()], pa.string()
        )
        columns = {h: c.column(f) for f, h in CUSTOMER_HEADERS.items()}
        columns["Ngày sinh"], columns["Giới tính"] = birth, gender
        table = pa.table(columns)
        if csv_writer is None:
            csv_writer = pacsv.CSVWriter(csv_path, table.schema)
        csv_writer.write_table(table)
        n_customers += table.num_rows
        items = chunk.tables["order_items"]
        lines = pa.table({h: items.column(f) for f, h in LINE_HEADERS.items()})
        if lines_writer is None:
            lines_writer = pq.ParquetWriter(parquet_path, lines.schema)
        lines_writer.write_table(lines)
        n_lines += lines.num_rows
    assert csv_writer is not None and lines_writer is not None
    csv_writer.close()
    lines_writer.close()
    return csv_path, parquet_path, n_customers, n_lines


def timed(cmd: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{cmd} failed with status {status}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def duckdb_alone(path: Path, reader: str, work: Path) -> float:
    db = work / "alone.duckdb"
    code = (
        f"import duckdb; c = duckdb.connect({str(db)!r}); "
        f'c.execute("CREATE TABLE t AS SELECT * FROM {reader}({str(path)!r})")'
    )
    seconds, _ = timed([sys.executable, "-c", code])
    db.unlink()
    return seconds


def chandung_import(kind: str, path: Path, work: Path) -> tuple[float, float]:
    home = work / f"ws-{kind}"
    subprocess.run(
        [sys.executable, "-m", "chandung", "--home", str(home), "init"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    result = timed(
        [sys.executable, "-m", "chandung", "--home", str(home), "import", kind, str(path), "--json"]
    )
    shutil.rmtree(home)
    return result


def write(results: list[Result], customers: int) -> None:
    lines = [
        BEGIN,
        f"Measured {date.today().isoformat()} on {machine()}, with "
        f"`python benchmarks/imports.py --customers {customers}`.",
        "",
        "| import | rows | DuckDB alone | `chandung import` | ratio | target | peak memory |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines.extend(
        f"| {r.name} | {r.rows:,} | {r.duckdb_s:.1f} s | {r.import_s:.1f} s | "
        f"{r.import_s / r.duckdb_s:.1f}× | ≤ {r.target:.0f}× | {r.import_peak_mib:,.0f} MiB |"
        for r in results
    )
    lines.append(END)
    text = DOC.read_text("utf-8")
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chandung-imports-"))
    try:
        csv_path, parquet_path, n_customers, n_lines = build_files(args.customers, work)
        results = []
        for name, kind, path, reader, rows, target in (
            ("customers from CSV", "customers", csv_path, "read_csv", n_customers, 5.0),
            ("order lines from Parquet", "order_items", parquet_path, "read_parquet", n_lines, 3.0),
        ):
            alone = duckdb_alone(path, reader, work)
            seconds, peak = chandung_import(kind, path, work)
            results.append(Result(name, rows, alone, seconds, peak, target))
            print(
                f"{name}: {rows:,} rows, DuckDB {alone:.1f} s, chandung {seconds:.1f} s "
                f"({seconds / alone:.1f}x), peak {peak:,.0f} MiB",
                flush=True,
            )
        if not args.no_write:
            write(results, args.customers)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
