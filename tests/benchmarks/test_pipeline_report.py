"""The end-to-end benchmark's report: growth per tenfold data, the call-out rule, the markdown.

Only the pure parts of ``benchmarks/pipeline.py`` run here, on made-up measurements; the
pipeline itself is run by ``make benchmark-pipeline``.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from chandung.datasets.demo import DemoSettings, generate
from chandung.ingest.mapping import map_columns
from chandung.ingest.pipeline import derivable_fields
from chandung.schema import TABLES_BY_NAME

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "benchmark_pipeline", ROOT / "benchmarks" / "pipeline.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bp = _load()


def size_run(
    customers: int,
    seconds: dict[str, float],
    peaks: dict[str, float],
    checks: dict[str, float] | None = None,
) -> object:
    run = bp.SizeRun(customers, rows={"order_items": customers * 10})
    run.order_lines_bytes = customers * 1000
    for key, s in seconds.items():
        run.steps.append(bp.Step(key, f"`{key}`", s, peaks.get(key, 300.0), key != "resolve"))
    for key, held in (checks or {}).items():
        ok = not math.isnan(held)
        run.checks.append(bp.Step(key, f"`{key}`", 1.0, held, ok=ok, process_mib=held + 1000))
    return run


def test_growth_is_the_ratio_for_ten_times_the_data() -> None:
    assert bp.per_tenfold(2.0, 20.0, 10_000, 100_000) == pytest.approx(10.0)
    assert bp.per_tenfold(2.0, 200.0, 10_000, 100_000) == pytest.approx(100.0)
    # Five times the customers in five times the time is linear: 10 for ten times the data.
    assert bp.per_tenfold(3.0, 15.0, 20_000, 100_000) == pytest.approx(10.0)
    # Twice the data in four times the time is quadratic: 100 for ten times the data.
    assert bp.per_tenfold(1.0, 4.0, 50_000, 100_000) == pytest.approx(100.0)
    assert math.isnan(bp.per_tenfold(0.0, 5.0, 10_000, 100_000))


def test_a_stage_growing_faster_than_linearly_is_called_out_with_its_ratio() -> None:
    small = size_run(10_000, {"import": 4.0, "segment": 2.0, "deck": 0.05}, {})
    large = size_run(100_000, {"import": 30.0, "segment": 60.0, "deck": 0.9}, {})
    found = {(g.key, g.small, g.large): g for g in bp.growths([large, small])}
    assert found["import", 10_000, 100_000].time_ratio == pytest.approx(7.5)
    assert not found["import", 10_000, 100_000].superlinear
    assert found["segment", 10_000, 100_000].superlinear
    # Under a second at the larger size, a large ratio is noise, not growth.
    assert not found["deck", 10_000, 100_000].superlinear
    lines = bp.callouts(found.values())
    assert len(lines) == 1
    assert "`segment`" in lines[0] and "30.0×" in lines[0]
    assert "10,000 → 100,000" in lines[0]


def test_linear_stages_give_the_all_clear() -> None:
    small = size_run(10_000, {"import": 4.0, "analyze": 10.0}, {})
    large = size_run(100_000, {"import": 40.0, "analyze": 100.0}, {})
    lines = bp.callouts(bp.growths([small, large]))
    assert lines == [bp.callouts([])[0]]
    assert "No stage grows faster than linearly" in lines[0]


def test_the_end_to_end_total_leaves_out_the_standalone_resolution() -> None:
    run = size_run(10_000, {"init": 1.0, "resolve": 5.0, "analyze": 10.0}, {"resolve": 900.0})
    assert run.total_seconds == pytest.approx(11.0)
    assert run.peak_mib == pytest.approx(300.0)


def three_sizes(large_checks: dict[str, float]) -> list[object]:
    sizes = (10_000, 100_000, 1_000_000)
    times = ({"init": 2.0, "import": 4.0, "analyze": 6.0},
             {"init": 2.0, "import": 30.0, "analyze": 70.0},
             {"init": 2.0, "import": 300.0, "analyze": 1400.0})  # fmt: skip
    peaks = ({"init": 200.0, "import": 400.0, "analyze": 500.0},
             {"init": 200.0, "import": 800.0, "analyze": 900.0},
             {"init": 200.0, "import": 1200.0, "analyze": 2100.0})  # fmt: skip
    checks = ({"init": 120.0, "import": 150.0, "analyze": 200.0},
              {"init": 120.0, "import": 160.0, "analyze": 250.0},
              {"init": 120.0, **large_checks})  # fmt: skip
    return [size_run(*args) for args in zip(sizes, times, peaks, checks, strict=True)]


def test_the_section_has_every_stage_size_and_growth() -> None:
    runs = three_sizes({"import": 170.0, "analyze": 500.0})
    text = bp.render(runs, "python benchmarks/pipeline.py", "2 cores", date(2026, 1, 2))
    assert text.startswith(bp.BEGIN) and text.endswith(bp.END)
    assert "## End-to-end pipeline (`benchmarks/pipeline.py`)" in text
    assert "Measured 2026-01-02 on 2 cores, with `python benchmarks/pipeline.py`." in text
    assert "| `analyze` | 6.0 s · 500 MiB | 70.0 s · 900 MiB | 1,400.0 s · 2,100 MiB |" in text
    assert "| **end-to-end** | **12.0 s · 500 MiB** |" in text
    assert "| stage | 10,000 → 100,000 | 100,000 → 1,000,000 |" in text
    # analyze: 11.7× then 20.0× (called out); import stays linear.
    assert "| `analyze` | 11.7× · 1.8× | 20.0× ⚠ · 2.3× |" in text
    assert "| `import` | 7.5× · 2.0× | 10.0× · 1.5× |" in text
    assert "**`analyze`** grows 20.0× for ten times the data (100,000 → 1,000,000" in text
    # The memory check: what Python held, and the whole process in brackets.
    assert (
        "| `analyze` | 1.0 s · 200 MiB (1,200 MiB) | 1.0 s · 250 MiB (1,250 MiB) "
        "| 1.0 s · 500 MiB (1,500 MiB) |"
    ) in text
    assert "| order lines as Arrow columns | 10 MiB | 95 MiB | 954 MiB |" in text


def test_python_below_the_bytes_of_the_order_lines_clears_every_stage() -> None:
    text = "\n".join(bp.memory_text(three_sizes({"import": 170.0, "analyze": 500.0})))
    assert "1,000,000 customers the 10,000,000 order lines take 954 MiB" in text
    assert "a process that only starts holds 120 MiB" in text
    assert "No stage holds the order lines in Python memory: every stage holds less" in text
    assert "(the most, `analyze`, 52% of them)" in text
    # From 100,000 to 1,000,000 the order lines grow by 858 MiB, analyze's peak by 250 MiB.
    assert "grow by 858 MiB, what Python holds by at most 250 MiB (`analyze`)" in text


def test_python_holding_more_than_the_order_lines_and_growing_with_them_is_flagged() -> None:
    # analyze: 250 MiB at 100,000 customers, 1,200 at 1,000,000: more than the order lines'
    # 954 MiB, and grown by more than their 858.
    text = "\n".join(bp.memory_text(three_sizes({"import": 170.0, "analyze": 1200.0})))
    assert "⚠ `analyze` holds more than the bytes of the order lines and grows with them" in text
    assert "No stage holds" not in text


def test_python_holding_as_much_at_the_smaller_size_is_not_the_order_lines() -> None:
    # A fixed working set (a sample of people, say) above the order lines' bytes at both
    # sizes: it grows by 100 MiB where the order lines grow by 858.
    runs = three_sizes({"import": 170.0, "analyze": 1100.0})
    runs[1].checks[-1] = bp.Step("analyze", "`analyze`", 1.0, 1000.0, process_mib=2000.0)
    text = "\n".join(bp.memory_text(runs))
    assert "No stage holds the order lines in Python memory: `analyze` holds more" in text
    assert "(+100 MiB while the order lines grow by 858 MiB)" in text
    assert "⚠" not in text


def test_a_stage_failing_during_the_check_is_named_and_shown_failed() -> None:
    runs = three_sizes({"import": 170.0, "analyze": math.nan})
    text = bp.render(runs, "python benchmarks/pipeline.py", "2 cores", date(2026, 1, 2))
    assert "| 1.0 s · 250 MiB (1,250 MiB) | failed |" in text
    assert "Failed during the check: `analyze`." in text


def test_small_order_lines_are_not_taken_as_proof() -> None:
    run = size_run(10_000, {"init": 2.0}, {"init": 200.0}, {"init": 120.0, "analyze": 130.0})
    text = "\n".join(bp.memory_text([run]))
    assert "the comparison shows nothing" in text
    assert "No stage holds" not in text and "⚠" not in text


def test_the_section_replaces_only_its_own_markers() -> None:
    block = f"{bp.BEGIN}\nnew\n{bp.END}"
    doc = f"# Benchmarks\n\nbefore\n\n{bp.BEGIN}\nold\n{bp.END}\n\nafter\n"
    assert bp.replace_section(doc, block) == f"# Benchmarks\n\nbefore\n\n{block}\n\nafter\n"
    assert bp.replace_section("# Benchmarks\n\nother\n", block) == (
        f"# Benchmarks\n\nother\n\n{block}\n"
    )


def test_the_files_it_writes_map_to_the_import_without_a_mapping_file() -> None:
    chunk = next(generate(DemoSettings(customers=200, chunk_size=200, seed=bp.SEED)))
    files = {
        "customers": bp.customers_export(chunk.tables["customers"]),
        "order_items": bp.order_lines_export(chunk.tables["order_items"]),
        "orders": bp.canonical_export(chunk.tables["orders"]),
        "events": bp.canonical_export(chunk.tables["events"]),
    }
    for kind, table in files.items():
        spec = TABLES_BY_NAME[kind]
        mapping = map_columns(table.column_names, spec, {}, derivable_fields(spec))
        assert mapping.missing_required == [], kind
        assert mapping.unmapped == [], kind
    # Orders refer to customers by the id the customer file carries.
    assert files["customers"].column("customer_id").to_pylist()[0] == "C0000001"
    assert "Họ và tên" in files["customers"].column_names
    assert "phone_e164" not in files["customers"].column_names
