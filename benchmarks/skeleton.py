"""Time and peak memory of the demo: `chandung demo --no-serve` and `demo generate` at scale.

Each run is a fresh process on a fresh workspace; wall time is measured around it and peak
memory is the process's maximum resident set size (from wait4). Results are written to
docs/benchmarks.md.

    python benchmarks/skeleton.py                 # the runs the docs report
    python benchmarks/skeleton.py --sizes 20000   # only some generate sizes
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- skeleton:begin -->", "<!-- skeleton:end -->"


@dataclass
class Run:
    name: str
    seconds: float
    peak_mib: float
    limit: str


def measure(name: str, args: list[str], limit: str) -> Run:
    home = Path(tempfile.mkdtemp(prefix="chandung-bench-"))
    try:
        cmd = [sys.executable, "-m", "chandung", "--home", str(home), *args]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        if status != 0:
            raise SystemExit(f"{name} failed with status {status}")
        return Run(name, seconds, usage.ru_maxrss / 1024, limit)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Run ``cmd`` in a fresh process: its wall time (s), peak memory (MiB) and output."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{cmd[:6]} failed with status {status}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, out


def write(runs: list[Run]) -> None:
    lines = [
        BEGIN,
        f"Measured {date.today().isoformat()} on {machine()}, with `make benchmark`.",
        "",
        "| run | wall time | peak memory | target |",
        "|---|---:|---:|---|",
    ]
    lines += [f"| {r.name} | {r.seconds:.1f} s | {r.peak_mib:,.0f} MiB | {r.limit} |" for r in runs]
    lines.append(END)
    block = "\n".join(lines)
    text = DOC.read_text("utf-8") if DOC.exists() else "# Benchmarks\n\n"
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[100_000, 1_000_000],
        help="customer counts for `demo generate`",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    runs = [
        measure(
            "`chandung demo --no-serve` (default: 20,000 customers)",
            ["demo", "--no-serve"],
            "< 60 s",
        )
    ]
    for n in args.sizes:
        limit = "< 4 GiB peak" if n >= 1_000_000 else ""
        runs.append(
            measure(
                f"`chandung demo generate --customers {n:,}`",
                ["demo", "generate", "--customers", str(n)],
                limit,
            )
        )
    for r in runs:
        print(f"{r.name}: {r.seconds:.1f} s, {r.peak_mib:,.0f} MiB")
    if not args.no_write:
        write(runs)


if __name__ == "__main__":
    main()
