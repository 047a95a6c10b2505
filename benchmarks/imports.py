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
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skeleton import machine

if TYPE_CHECKING:
    import pyarrow as pa

# This process stays small: a child's peak memory (ru_maxrss) starts from its parent's size at
# the fork, so the files are built in a child of their own and pyarrow is imported there.

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


def shop_customers(c: pa.Table) -> pa.Table:
    """Demo customer rows as a shop's export writes them: Vietnamese headers and values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    gender_vi = {"female": "Nữ", "male": "Nam", "other": "Khác", "unknown": ""}
    birth = pc.strftime(c.column("birth_date"), format="%d/%m/%Y")
    gender = pa.array(
        [gender_vi.get(g or "unknown", "") for g in c.column("gender").to_pylist()], pa.string()
    )
    columns = {h: c.column(f) for f, h in CUSTOMER_HEADERS.items()}
    columns["Ngày sinh"], columns["Giới tính"] = birth, gender
    return pa.table(columns)


def shop_order_lines(items: pa.Table) -> pa.Table:
    """Demo order lines under the headers of a shop's export."""
    import pyarrow as pa

    return pa.table({h: items.column(f) for f, h in LINE_HEADERS.items()})


def build_files(customers: int, folder: Path) -> tuple[Path, Path, int, int]:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from chandung.datasets.demo import DemoSettings, generate

    csv_path, parquet_path = folder / "khach_hang.csv", folder / "chi_tiet_don.parquet"
    n_customers = n_lines = 0
    csv_writer = None
    lines_writer = None
    for chunk in generate(DemoSettings(customers=customers, seed=7)):
        table = shop_customers(chunk.tables["customers"])
        if csv_writer is None:
            csv_writer = pacsv.CSVWriter(csv_path, table.schema)
        csv_writer.write_table(table)
        n_customers += table.num_rows
        lines = shop_order_lines(chunk.tables["order_items"])
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


def write(results: list[Result], customers: int, repeat: int) -> None:
    lines = [
        BEGIN,
        f"Measured {date.today().isoformat()} on {machine()}, with "
        f"`python benchmarks/imports.py --customers {customers} --repeat {repeat}`: each "
        f"time is the median of {repeat} runs, DuckDB alone and the import alternated; peak "
        "memory is the highest of the import's runs.",
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


def _runs(seconds: list[float]) -> str:
    return "(" + ", ".join(f"{s:.1f}" for s in seconds) + ")"


def built_files(customers: int, work: Path) -> tuple[Path, Path, int, int]:
    """:func:`build_files` run in a child process (see the note on memory above)."""
    out = subprocess.run(
        [sys.executable, __file__, "--build-files", str(customers), str(work)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    csv_path, parquet_path, n_customers, n_lines = json.loads(out)
    return Path(csv_path), Path(parquet_path), n_customers, n_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each, side by side; medians are kept"
    )
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--build-files", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_files:
        csv_path, parquet_path, n_customers, n_lines = build_files(
            int(args.build_files[0]), Path(args.build_files[1])
        )
        print(json.dumps([str(csv_path), str(parquet_path), n_customers, n_lines]))
        return
    work = Path(tempfile.mkdtemp(prefix="chandung-imports-"))
    try:
        csv_path, parquet_path, n_customers, n_lines = built_files(args.customers, work)
        results = []
        for name, kind, path, reader, rows, target in (
            ("customers from CSV", "customers", csv_path, "read_csv", n_customers, 5.0),
            ("order lines from Parquet", "order_items", parquet_path, "read_parquet", n_lines, 3.0),
        ):
            alone_runs, import_runs, peaks = [], [], []
            for _ in range(max(1, args.repeat)):
                # Alternated, so that both see the machine in the same state.
                alone_runs.append(duckdb_alone(path, reader, work))
                seconds, peak = chandung_import(kind, path, work)
                import_runs.append(seconds)
                peaks.append(peak)
            alone, seconds = statistics.median(alone_runs), statistics.median(import_runs)
            results.append(Result(name, rows, alone, seconds, max(peaks), target))
            print(
                f"{name}: {rows:,} rows, DuckDB {alone:.1f} s {_runs(alone_runs)}, chandung "
                f"{seconds:.1f} s {_runs(import_runs)} ({seconds / alone:.1f}x), "
                f"peak {max(peaks):,.0f} MiB",
                flush=True,
            )
        if not args.no_write:
            write(results, args.customers, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
