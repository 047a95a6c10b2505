"""End-to-end pipeline: time and peak memory of every stage, from files to persona cards.

For each size, the files a business brings are written from the demo generator chunk by
chunk (customers as a shop's CSV export, every other kind the import accepts as Parquet);
then, on a fresh workspace, every stage runs as its own process (``python -m chandung
--home WS ...``) in the order a user runs them: ``init``, ``import`` of each kind,
``customers resolve``, ``analyze``, ``segment auto``, ``personas generate``, the PDF and PNG
card of every persona and the deck. Wall time is measured around each process and peak
memory is its maximum resident set size (from wait4).

Then the memory check: the stages that read the order lines run again, each in a process
that samples the memory Python holds (everything but DuckDB's own allocator), to compare with
the bytes of the order lines.

Writes the tables, the growth from one size to the next, the stages that grow faster than
linearly and the memory check to docs/benchmarks.md.

    python benchmarks/pipeline.py                           # 10,000, 100,000 and 1,000,000
    python benchmarks/pipeline.py --sizes 10000,100000 --no-write
    python benchmarks/pipeline.py --sizes 10000 --keep /tmp/pipeline   # keep the workspaces
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skeleton import machine, timed

if TYPE_CHECKING:
    import pyarrow as pa

# This process stays small and imports neither pyarrow nor the generator: the peak memory
# wait4 reports for a child is never below the peak of the process that started it (Linux
# keeps the high-water mark of the address space a new program replaces, and after vfork that
# is the parent's), so the files are built in a process of their own.

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- pipeline:begin -->", "<!-- pipeline:end -->"
SIZES = (10_000, 100_000, 1_000_000)
SEED = 7
#: Kinds in the order a business brings them: companies and people before what refers to them.
KINDS = (
    "accounts", "customers", "products", "campaigns", "orders", "order_items", "events",
    "feedback", "survey_responses", "consents", "leads", "campaign_contacts",
)  # fmt: skip
#: Filled by the import itself (from the file, from other fields, or as keys it derives).
DERIVED = {"source", "import_batch", "extra_attributes"}
DERIVED_CUSTOMER = {
    "name_key", "phone_e164", "province", "province_former", "gender_inferred", "birth_year",
}  # fmt: skip
#: A stage whose time grows by more than this for ten times the data is called out.
SUPERLINEAR = 15.0
#: Below this many seconds at the larger size, a ratio says more about noise than growth.
MIN_SECONDS = 1.0
MIB = 1024 * 1024

#: Why a stage grows faster than linearly, from its code and what it was measured doing.
_IDENTITY = (
    "Identity resolution compares every two records that share a name key and a birth year "
    "(the `name_birth` rule of docs/identity.md). Vietnamese names come from a small pool, so "
    "these blocks grow with the customer file and their pairs with its square: the demo has "
    "127,926 such pairs at 100,000 records and 12,604,965 at 1,000,000 (98.5×). They are "
    "joined and scored in the warehouse, so what grows is time, not Python's memory."
)
EXPLANATIONS: dict[str, str] = {
    "import:customers": _IDENTITY + " A customer import resolves identities at its end.",
    "resolve": _IDENTITY,
    "analyze": _IDENTITY + " `analyze` resolves identities first.",
}


@dataclass(frozen=True)
class Step:
    """One process (or, for the cards, several) and what it cost."""

    key: str
    label: str
    seconds: float
    peak_mib: float
    #: Counted in the end-to-end time: a user runs it.
    in_chain: bool = True
    #: False when the process failed (only the memory check carries on after a failure).
    ok: bool = True
    #: In the memory check, the process's peak (``peak_mib`` is then what Python held).
    process_mib: float = math.nan


@dataclass
class SizeRun:
    """Everything measured at one size."""

    customers: int
    rows: dict[str, int] = field(default_factory=dict)
    order_lines_bytes: int = 0
    files_bytes: int = 0
    build: Step | None = None
    workspace_bytes: int = 0
    personas: int = 0
    quarantined: int = 0
    steps: list[Step] = field(default_factory=list)
    checks: list[Step] = field(default_factory=list)

    def check(self, key: str) -> Step | None:
        return next((s for s in self.checks if s.key == key and s.ok), None)

    @property
    def total_seconds(self) -> float:
        return sum(s.seconds for s in self.steps if s.in_chain)

    @property
    def peak_mib(self) -> float:
        return max((s.peak_mib for s in self.steps if s.in_chain), default=0.0)


@dataclass(frozen=True)
class Growth:
    """How one stage's cost grew from one size to the next, per ten times the data."""

    key: str
    label: str
    small: int
    large: int
    time_ratio: float
    memory_ratio: float
    large_seconds: float

    @property
    def superlinear(self) -> bool:
        return self.time_ratio > SUPERLINEAR and self.large_seconds >= MIN_SECONDS


def per_tenfold(small_value: float, large_value: float, small_size: int, large_size: int) -> float:
    """The ratio ``large_value / small_value`` scaled to ten times the data.

    Sizes ten times apart give the plain ratio; others the ratio a power law through both
    points gives for a tenfold step (linear cost: 10, quadratic: 100).
    """
    if small_value <= 0 or large_value <= 0 or large_size <= small_size:
        return math.nan
    exponent = math.log(large_value / small_value) / math.log(large_size / small_size)
    return float(10.0**exponent)


def rows_of(run: SizeRun) -> list[tuple[str, str, float, float]]:
    """(key, label, seconds, peak) of each stage, then of the end-to-end chain."""
    out = [(s.key, s.label, s.seconds, s.peak_mib) for s in run.steps]
    out.append(("total", "end-to-end", run.total_seconds, run.peak_mib))
    return out


def growths(runs: list[SizeRun]) -> list[Growth]:
    """Growth of every stage between consecutive sizes."""
    ordered = sorted(runs, key=lambda r: r.customers)
    out = []
    for small, large in itertools.pairwise(ordered):
        before = {key: (s, m) for key, _, s, m in rows_of(small)}
        for key, label, seconds, peak in rows_of(large):
            if key in before:
                s0, m0 = before[key]
                n0, n1 = small.customers, large.customers
                out.append(
                    Growth(
                        key,
                        label,
                        n0,
                        n1,
                        per_tenfold(s0, seconds, n0, n1),
                        per_tenfold(m0, peak, n0, n1),
                        seconds,
                    )
                )
    return out


def callouts(found: Iterable[Growth]) -> list[str]:
    """One line per stage that grows faster than linearly, with why when it is known."""
    flagged = [g for g in found if g.superlinear and g.key != "total"]
    if not flagged:
        return [
            f"No stage grows faster than linearly (no time ratio above {SUPERLINEAR:.0f} for "
            "ten times the data)."
        ]
    return [
        f"- ⚠ **{g.label}** grows {g.time_ratio:.1f}× for ten times the data "
        f"({g.small:,} → {g.large:,} customers), faster than linearly. "
        + EXPLANATIONS.get(g.key, "Not explained yet: read the stage's code and profile it.")
        for g in flagged
    ]


def memory_text(runs: list[SizeRun]) -> list[str]:
    """What the memory check shows about the order lines, at the largest size.

    A stage is cleared when what Python holds stays below the bytes of the order lines, or
    when it grows by less than a quarter of their growth from the size before (holding them
    would add at least their growth).
    """
    runs = sorted(runs, key=lambda r: r.customers)
    large, small = runs[-1], (runs[-2] if len(runs) > 1 else None)
    start = large.check("init")
    checked = [c for c in large.checks if c.ok and c.key != "init"]
    if not large.order_lines_bytes or not checked or start is None:
        return []
    lines_mib = large.order_lines_bytes / MIB
    text = (
        f"At {large.customers:,} customers the {large.rows.get('order_items', 0):,} order lines "
        f"take {lines_mib:,.0f} MiB as Arrow columns. Python holds at most "
        + ", ".join(f"{c.peak_mib:,.0f} MiB in {c.label}" for c in checked)
        + f", where a process that only starts holds {start.peak_mib:,.0f} MiB."
    )
    failed = [c.label for c in large.checks if not c.ok]
    if failed:
        text += f" Failed during the check: {', '.join(failed)}."
    if lines_mib <= start.peak_mib:
        return [
            text + " At this size the order lines take less than that, so the comparison "
            "shows nothing; it does at 1,000,000 customers."
        ]
    added = (large.order_lines_bytes - small.order_lines_bytes) / MIB if small else math.nan
    grew = {}
    for c in checked:
        before = small.check(c.key) if small else None
        if before is not None:
            grew[c.key] = c.peak_mib - before.peak_mib
    over = [c for c in checked if c.peak_mib >= lines_mib]
    flat = [c for c in over if grew.get(c.key, math.inf) < added / 4]
    flagged = [c for c in over if c not in flat]
    if flagged:
        text += (
            f" ⚠ {', '.join(c.label for c in flagged)} holds more than the bytes of the order "
            f"lines{' and grows with them' if small else ''}: it may hold them in Python memory."
        )
    elif flat and small is not None:
        text += (
            " No stage holds the order lines in Python memory: "
            f"{', '.join(c.label for c in flat)} holds more than their bytes but about as much "
            f"at {small.customers:,} customers (+"
            + ", ".join(f"{grew[c.key]:,.0f} MiB" for c in flat)
            + f" while the order lines grow by {added:,.0f} MiB), the others less than them."
        )
    else:
        top = max(checked, key=lambda c: c.peak_mib)
        text += (
            " No stage holds the order lines in Python memory: every stage holds less than "
            f"their bytes (the most, {top.label}, {top.peak_mib / lines_mib:.0%} of them)."
        )
    if small is not None and grew:
        key = max(grew, key=lambda k: grew[k])
        label = next(c.label for c in checked if c.key == key)
        text += (
            f" From {small.customers:,} to {large.customers:,} customers the order lines grow "
            f"by {added:,.0f} MiB, what Python holds by at most {grew[key]:,.0f} MiB ({label})."
        )
    return [text]


def _cell(step: tuple[float, float] | None) -> str:
    return "" if step is None else f"{step[0]:,.1f} s · {step[1]:,.0f} MiB"


def _ratio(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.1f}×"


def _mib(n: float) -> str:
    return f"{n / MIB:,.0f} MiB"


_SHOWN = {"customers", "orders", "order_items", "events"}
DATA_ROWS: tuple[tuple[str, Callable[[SizeRun], str]], ...] = (
    ("customer records", lambda r: f"{r.rows.get('customers', 0):,}"),
    ("orders", lambda r: f"{r.rows.get('orders', 0):,}"),
    ("order lines", lambda r: f"{r.rows.get('order_items', 0):,}"),
    ("web and app events", lambda r: f"{r.rows.get('events', 0):,}"),
    (
        "other rows (survey answers, consents, campaign contacts, feedback, leads, accounts, "
        "products, campaigns)",
        lambda r: f"{sum(n for k, n in r.rows.items() if k not in _SHOWN):,}",
    ),
    ("order lines as Arrow columns", lambda r: _mib(r.order_lines_bytes)),
    ("files brought (CSV and Parquet)", lambda r: _mib(r.files_bytes)),
    ("rows the imports quarantined", lambda r: f"{r.quarantined:,}"),
    (
        "writing them (demo generator): time · peak memory",
        lambda r: _cell((r.build.seconds, r.build.peak_mib) if r.build else None),
    ),
    ("workspace after the pipeline", lambda r: _mib(r.workspace_bytes)),
    ("personas written", lambda r: f"{r.personas}"),
)

INTRO = (
    "Target: the whole pipeline at 1,000,000 customers (about 10 million order lines) on DuckDB "
    "completes on a 2-core, 24 GB machine, with every stage's time and peak memory recorded, "
    "and no stage holds the order lines in Python memory. The files a business brings are "
    f"written from the demo generator (seed {SEED}): customers as a shop's CSV export "
    "(Vietnamese headers, dates dd/mm/yyyy), orders, order lines and every other kind as "
    "Parquet. Each stage then runs as its own process on a fresh workspace, in the order a "
    "user runs them; the end-to-end time is the sum of the chain. Identity resolution runs "
    "inside the customer import and again as the first step of `analyze`: `customers "
    "resolve` runs it alone to show its cost, and is not counted in the end-to-end time. "
    "Peak memory includes DuckDB's buffers (at most `warehouse.duckdb_memory_limit`, 2 GB by "
    "default); the memory check at the end measures what Python holds apart from them."
)


def _table(head: str, runs: list[SizeRun], rows: Iterable[tuple[str, list[str]]]) -> list[str]:
    return [
        f"| {head} | " + " | ".join(f"{r.customers:,}" for r in runs) + " |",
        "|---|" + "---:|" * len(runs),
        *(f"| {label} | " + " | ".join(cells) + " |" for label, cells in rows),
    ]


def _check_cell(run: SizeRun, key: str) -> str:
    for c in run.checks:
        if c.key == key:
            if not c.ok:
                return "failed"
            return f"{c.seconds:,.1f} s · {c.peak_mib:,.0f} MiB ({c.process_mib:,.0f} MiB)"
    return ""


def _growth_lines(found: list[Growth], labels: dict[str, str]) -> list[str]:
    if not found:
        return []
    pairs = sorted({(g.small, g.large) for g in found})
    table = {(g.key, g.small, g.large): g for g in found}
    lines = [
        "",
        "Growth for ten times the data (time ratio, ⚠ when faster than linear · peak memory "
        "ratio). Every process first needs about as long as `init` to start and open the "
        "workspace, so a stage that takes little more than that grows less than linearly; the "
        "larger sizes show how the work itself grows.",
        "",
        "| stage | " + " | ".join(f"{a:,} → {b:,}" for a, b in pairs) + " |",
        "|---|" + "---:|" * len(pairs),
    ]
    for key, label in labels.items():
        cells = []
        for a, b in pairs:
            g = table.get((key, a, b))
            if g is None:
                cells.append("")
            else:
                mark = " ⚠" if g.superlinear else ""
                cells.append(f"{_ratio(g.time_ratio)}{mark} · {_ratio(g.memory_ratio)}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return [*lines, "", *callouts(found)]


def _check_lines(runs: list[SizeRun]) -> list[str]:
    if not any(r.checks for r in runs):
        return []
    checks: dict[str, str] = {}
    for r in runs:
        checks.update({c.key: c.label for c in r.checks})
    rows = [(label, [_check_cell(r, key) for r in runs]) for key, label in checks.items()]
    rows.append(("order lines as Arrow columns", [_mib(r.order_lines_bytes) for r in runs]))
    return [
        "",
        "Memory check: the stages that read the order lines run again, each in a process "
        "whose memory held by Python is sampled every 50 ms: glibc's bytes in use (every "
        "Python object, NumPy and pandas array and Arrow result DuckDB hands over; with "
        "`PYTHONMALLOC=malloc` so that Python's own allocations go there too) plus pyarrow's "
        "pool. DuckDB's buffers and working memory come from its own allocator and are left "
        "out. These are bytes allocated, counted before they are touched, so they can exceed "
        "the process's resident peak, in brackets.",
        "",
        *_table("stage: time · peak held by Python (whole process)", runs, rows),
        "",
        *memory_text(runs),
    ]


def render(runs: list[SizeRun], command: str, machine_text: str, today: date) -> str:
    """The section of docs/benchmarks.md, markers included."""
    runs = sorted(runs, key=lambda r: r.customers)
    lines = [
        BEGIN,
        "## End-to-end pipeline (`benchmarks/pipeline.py`)",
        "",
        INTRO,
        "",
        f"Measured {today.isoformat()} on {machine_text}, with `{command}`.",
        "",
        *_table("data", runs, ((name, [get(r) for r in runs]) for name, get in DATA_ROWS)),
        "",
    ]
    by_size = [{key: (s, m) for key, _, s, m in rows_of(r)} for r in runs]
    labels: dict[str, str] = {}
    for r in runs:
        labels.update({key: label for key, label, _, _ in rows_of(r)})
    stage_rows = []
    for key, label in labels.items():
        cells = [_cell(found.get(key)) for found in by_size]
        if key == "total":
            cells, label = [f"**{c}**" for c in cells], f"**{label}**"
        stage_rows.append((label, cells))
    lines += _table("stage: time · peak memory", runs, stage_rows)
    lines += _growth_lines(growths(runs), labels)
    lines += _check_lines(runs)
    lines.append(END)
    return "\n".join(lines)


def replace_section(text: str, block: str) -> str:
    """``text`` with the section between the markers replaced, or the section appended."""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return text.rstrip() + "\n\n" + block + "\n"


# --- the files a business brings (built in a process of their own) ------------------------


def customers_export(customers: pa.Table) -> pa.Table:
    """The customer file a shop exports: its usual columns under Vietnamese headers, the id
    its order export refers to, and the other attributes under the field's own name."""
    from imports import CUSTOMER_HEADERS, shop_customers

    table = shop_customers(customers)
    table = table.add_column(0, "customer_id", customers.column("customer_id"))
    mapped = {"customer_id", *DERIVED, *DERIVED_CUSTOMER, *CUSTOMER_HEADERS}
    for name in customers.column_names:
        if name not in mapped:
            table = table.append_column(name, customers.column(name))
    return table


def order_lines_export(items: pa.Table) -> pa.Table:
    """Order lines under a shop's headers, with the product category."""
    from imports import shop_order_lines

    return shop_order_lines(items).append_column("category", items.column("category"))


def canonical_export(table: pa.Table) -> pa.Table:
    """A canonical table without the columns the import fills itself."""
    return table.drop_columns([c for c in table.column_names if c in DERIVED])


def build_files(customers: int, folder: Path) -> dict[str, Any]:
    """Write the files of ``customers`` demo customers, one generated chunk at a time.

    Returns each kind's file, the row counts, and the bytes of the order lines as Arrow
    columns and of the files.
    """
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from chandung.datasets.demo import DemoSettings, generate

    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    writers: dict[str, Any] = {}
    rows = dict.fromkeys(KINDS, 0)
    order_lines_bytes = 0
    exports = {"customers": customers_export, "order_items": order_lines_export}
    try:
        for chunk in generate(DemoSettings(customers=customers, seed=SEED)):
            for kind in KINDS:
                table = chunk.tables[kind]
                rows[kind] += table.num_rows
                if kind == "order_items":
                    order_lines_bytes += table.nbytes
                if table.num_rows == 0:
                    continue
                table = exports.get(kind, canonical_export)(table)
                if kind not in writers:
                    if kind == "customers":
                        paths[kind] = folder / "khach_hang.csv"
                        writers[kind] = pacsv.CSVWriter(paths[kind], table.schema)
                    else:
                        paths[kind] = folder / f"{kind}.parquet"
                        writers[kind] = pq.ParquetWriter(paths[kind], table.schema)
                writers[kind].write_table(table)
    finally:
        for writer in writers.values():
            writer.close()
    return {
        "paths": {kind: str(path) for kind, path in paths.items()},
        "rows": rows,
        "order_lines_bytes": order_lines_bytes,
        "files_bytes": sum(p.stat().st_size for p in paths.values()),
    }


# --- measuring ---------------------------------------------------------------------------


def _size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _say(customers: int, step: Step) -> None:
    if not step.ok:
        state = "failed"
    elif math.isnan(step.process_mib):
        state = f"{step.seconds:,.1f} s, {step.peak_mib:,.0f} MiB"
    else:
        state = (
            f"{step.seconds:,.1f} s, {step.peak_mib:,.0f} MiB held by Python "
            f"(process {step.process_mib:,.0f} MiB)"
        )
    print(f"[{customers:,}] {step.label}: {state}", flush=True)


def _attempt(cmd: list[str]) -> tuple[float, float, str] | None:
    """``timed(cmd)``, or None when the process fails (its error is on stderr)."""
    try:
        return timed(cmd)
    except SystemExit:
        return None


def run_chain(files: dict[str, Path], run: SizeRun, home: Path) -> None:
    """Every stage in its own process, on the fresh workspace ``home``."""
    cli = [sys.executable, "-m", "chandung", "--home", str(home)]

    def stage(key: str, label: str, args: list[str], in_chain: bool = True) -> str:
        seconds, peak, out = timed([*cli, *args])
        run.steps.append(Step(key, label, seconds, peak, in_chain))
        _say(run.customers, run.steps[-1])
        return out

    stage("init", "`init`", ["init", "--json"])
    for kind in KINDS:
        if kind in files:
            fmt = "CSV" if files[kind].suffix == ".csv" else "Parquet"
            label = f"`import {kind}` ({fmt})"
            out = stage(f"import:{kind}", label, ["import", kind, str(files[kind]), "--json"])
            run.quarantined += int(json.loads(out)["rows_quarantined"])
    stage("resolve", "`customers resolve` (alone)", ["customers", "resolve", "--json"], False)
    stage("analyze", "`analyze`", ["analyze", "--json"])
    stage("segment", "`segment auto`", ["segment", "auto", "--json"])
    out = stage("personas", "`personas generate`", ["personas", "generate", "--json"])
    personas = [p["id"] for p in json.loads(out)["personas"]]
    run.personas = len(personas)
    cards = home.parent / "cards"
    cards.mkdir(exist_ok=True)
    seconds = peak = 0.0
    for persona in personas:
        for fmt in ("pdf", "png"):
            target = str(cards / f"{persona}.{fmt}")
            s, m, _ = timed([*cli, "personas", "card", persona, "--format", fmt, "-o", target])
            seconds, peak = seconds + s, max(peak, m)
    run.steps.append(Step("cards", "`personas card` (PDF and PNG of each)", seconds, peak))
    _say(run.customers, run.steps[-1])
    stage("deck", "`personas deck`", ["personas", "deck", "-o", str(cards / "deck.pdf")])


#: Runs a ``chandung`` command (``argv[2:]``) while a thread samples the memory Python holds:
#: glibc's bytes in use (every Python object, NumPy and pandas array, and the Arrow results
#: DuckDB hands over, when ``PYTHONMALLOC=malloc`` sends Python's own allocations there too)
#: plus pyarrow's pool. DuckDB's buffers and working memory come from its own allocator and
#: are left out. Writes the peak, in bytes, to the file ``argv[1]``.
PROBE = """
import ctypes, json, runpy, sys, threading

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2
peak = 0

def held():
    info = libc.mallinfo2()
    pool = getattr(sys.modules.get("pyarrow"), "total_allocated_bytes", None)
    return info.uordblks + info.hblkhd + (pool() if pool else 0)

def sample(stop):
    global peak
    while not stop.wait(0.05):
        peak = max(peak, held())

out, sys.argv = sys.argv[1], ["chandung", *sys.argv[2:]]
stop = threading.Event()
sampler = threading.Thread(target=sample, args=(stop,), daemon=True)
sampler.start()
try:
    runpy.run_module("chandung", run_name="__main__", alter_sys=True)
finally:
    stop.set()
    sampler.join()
    peak = max(peak, held())
    with open(out, "w") as f:
        json.dump({"python_bytes": peak}, f)
"""


def probe(home: Path, args: list[str], out: Path) -> tuple[float, float, float] | None:
    """Time, peak RSS and peak Python memory (MiB) of a command, or None if it fails."""
    before = os.environ.get("PYTHONMALLOC")
    os.environ["PYTHONMALLOC"] = "malloc"
    try:
        result = _attempt([sys.executable, "-c", PROBE, str(out), "--home", str(home), *args])
    finally:
        if before is None:
            del os.environ["PYTHONMALLOC"]
        else:
            os.environ["PYTHONMALLOC"] = before
    if result is None:
        return None
    held = json.loads(out.read_text("utf-8"))["python_bytes"] / MIB
    return result[0], result[1], held


def run_checks(files: dict[str, Path], run: SizeRun, home: Path) -> None:
    """The stages that read the order lines again, with the memory Python holds sampled.

    The import runs on a workspace of its own (importing the same file again is a no-op);
    the others on the pipeline's workspace, whose results they replace with equal ones.
    """
    alone = home.parent / "check-import"
    out = home.parent / "probe.json"
    path = str(files["order_items"])
    for key, label, where, args in (
        ("init", "`init` (starts, opens the stores)", alone, ["init"]),
        ("import:order_items", "`import order_items`", alone, ["import", "order_items", path]),
        ("analyze", "`analyze`", home, ["analyze"]),
        ("segment", "`segment auto`", home, ["segment", "auto"]),
        ("personas", "`personas generate`", home, ["personas", "generate"]),
    ):
        result = probe(where, [*args, "--json"], out)
        seconds, process, held = result or (math.nan, math.nan, math.nan)
        step = Step(key, label, seconds, held, ok=result is not None, process_mib=process)
        run.checks.append(step)
        _say(run.customers, run.checks[-1])
    shutil.rmtree(alone, ignore_errors=True)
    out.unlink(missing_ok=True)


def measure(customers: int, work: Path, keep: bool, check: bool) -> SizeRun:
    """Build the files of one size, run the chain on them, then the memory check."""
    folder = work / f"{customers}"
    run = SizeRun(customers)
    seconds, peak, out = timed(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--build-files",
            str(customers),
            str(folder / "files"),
        ]
    )
    built = json.loads(out)
    files = {kind: Path(p) for kind, p in built["paths"].items()}
    run.rows, run.order_lines_bytes = built["rows"], built["order_lines_bytes"]
    run.files_bytes = built["files_bytes"]
    run.build = Step("build", "files written", seconds, peak)
    print(
        f"[{customers:,}] files written in {seconds:,.1f} s ({peak:,.0f} MiB): "
        f"{run.rows['customers']:,} customers, {run.rows['order_items']:,} order lines "
        f"({run.order_lines_bytes / MIB:,.0f} MiB as Arrow), {run.files_bytes / MIB:,.0f} MiB "
        "of files",
        flush=True,
    )
    home = folder / "workspace"
    try:
        run_chain(files, run, home)
        run.workspace_bytes = _size_of(home)
        print(
            f"[{customers:,}] end-to-end {run.total_seconds:,.1f} s, peak {run.peak_mib:,.0f} "
            f"MiB, workspace {run.workspace_bytes / MIB:,.0f} MiB",
            flush=True,
        )
        if check:
            run_checks(files, run, home)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    return run


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"sizes are whole numbers: {text}") from exc
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError(f"sizes are numbers of customers: {text}")
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(SIZES),
        help="customer counts, comma-separated (default: 10000,100000,1000000)",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", type=Path, help="keep the files and workspaces in this folder")
    parser.add_argument(
        "--no-memory-check", action="store_true", help="skip the check of Python's memory"
    )
    parser.add_argument("--build-files", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_files:
        customers, folder = args.build_files
        print(json.dumps(build_files(int(customers), Path(folder))))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="chandung-pipeline-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        check = not args.no_memory_check
        runs = [measure(n, work, args.keep is not None, check) for n in args.sizes]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    command = "python benchmarks/pipeline.py"
    if args.sizes != list(SIZES):
        command += " --sizes " + ",".join(str(n) for n in args.sizes)
    if args.no_memory_check:
        command += " --no-memory-check"
    if command == "python benchmarks/pipeline.py":
        command = "make benchmark-pipeline"
    block = render(runs, command, machine(), date.today())
    if args.no_write:
        print(block)
        return
    DOC.write_text(replace_section(DOC.read_text("utf-8"), block), encoding="utf-8")


if __name__ == "__main__":
    main()
