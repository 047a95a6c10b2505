"""The whole pipeline on every engine gives DuckDB's results.

Each engine generates the same small demo business (fixed seed), analyses it, segments it
and writes its personas; every figure is then compared with DuckDB's: row counts exactly,
metrics to 1e-9 relative, CLV parameters to 1e-6, segment assignments identically (given the
same centres) and persona content identically. Spark neither generates nor imports (its
canonical tables are read only): it reads DuckDB's canonical tables, written to Parquet by
``chandung warehouse export`` once DuckDB has loaded them, and runs everything after.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pytest
from sqlalchemy import text

from chandung.segments.auto import AutoSegmenter, draw_sample
from chandung.segments.features import DEFAULT_KINDS, build_features
from chandung.services.analysis import last_run, run_analysis
from chandung.services.auto_segments import ASSIGNMENTS_TABLE, FEATURE_TABLES, auto_segment
from chandung.services.demo import generate_demo
from chandung.services.identity import MEMBERS_TABLE, MERGED_TABLE
from chandung.services.imports import import_file
from chandung.services.metrics_report import metrics_report
from chandung.services.personas import generate_personas, report_dict
from chandung.services.ready_segments import ready_segmentation
from chandung.services.stores import Stores, open_stores
from chandung.services.value import MODELS, fit_model
from chandung.services.warehouse_export import export_canonical_tables

from .conftest import engine_workspace

CUSTOMERS = 1_500
SEED = 11
METRICS_TOLERANCE = 1e-9
CLV_TOLERANCE = 1e-6
#: Segments of the fixed-centre assignment (fitted once, on DuckDB).
FIXED_K = 4
#: Keys and columns that differ between any two runs (times, run ids, batch names).
VOLATILE = {
    "seconds", "run_id", "segmentation_id", "import_batch", "created_at", "generated_at",
    "started_at", "finished_at",
}  # fmt: skip
#: Tables compared row by row, with the key they are sorted by.
TABLE_KEYS = {
    "customers": "customer_id",
    "orders": "order_id",
    "customer_links": "customer_id",
    "people": "person_id",
    "customer_value": "customer_id",
    "segment_base": "customer_id",
}
READY = ("rfm", "value", "buying_power")
#: How an engine stores a table rather than tables of their own: DuckDB keeps the golden
#: records of people with several records, and their records, apart (``people`` is a view
#: over them).
STORAGE_TABLES = {MERGED_TABLE, MEMBERS_TABLE}
#: Files imported after the demo: new people, a repeat inside the file, a record already
#: there, unreadable values and a missing date, which each engine must load or quarantine
#: alike.
IMPORTS = {
    "customers": (
        "customer_id,full_name,phone,email,gender,birth_date,province\n"
        "N001,Nguyễn Thị Lan,0912 345 678,lan.nguyen@example.vn,nữ,1990-04-12,Hà Nội\n"
        "N002,Trần Văn Minh,01662345678,minh@example.vn,nam,1985-11-02,TP. Hồ Chí Minh\n"
        "N003,Lê Hoàng Anh,+84 903 111 222,,nam,2001-01-30,Đà Nẵng\n"
        "N003,Lê Hoàng Anh,+84 903 111 222,,nam,2001-01-30,Đà Nẵng\n"
        'N004,"Phạm ""Bé"" Hoa",0987654321x,hoa@@example,nữ,,Cần Thơ\n'
        "C0000001,Someone Already,0900000000,,,,\n"
    ),
    "orders": (
        "order_id,customer_id,ordered_at,channel,status,total_vnd\n"
        "NO1,N001,2026-01-05 10:00:00,shopee,completed,250000\n"
        "NO2,N001,2026-03-10 11:30:00,website,completed,1200000\n"
        "NO3,N002,2026-02-01 09:00:00,store_gt,cancelled,90000\n"
        "NO3,N002,2026-02-01 09:00:00,store_gt,cancelled,90000\n"
        "NO4,N003,not a date,shopee,completed,100000\n"
        "NO5,N004,2026-04-01 20:00:00,lazada,completed,-5\n"
    ),
}


@dataclass
class PipelineRun:
    """Everything one engine produced, read back into Python for comparison."""

    engine: str
    demo_rows: dict[str, int]
    imports: dict[str, dict[str, Any]]
    counts: dict[str, int]
    analysis: dict[str, Any]
    stored_summary: dict[str, Any]
    metrics: dict[str, Any]
    models: dict[str, dict[str, Any]]
    tables: dict[str, list[dict[str, Any]]]
    features: list[dict[str, Any]]
    fixed_assignments: dict[str, int]
    predicted_assignments: dict[str, int]
    segmentation: dict[str, Any]
    assignments: dict[str, int]
    ready: dict[str, dict[str, Any]]
    personas: dict[str, Any]
    #: The ``personas.data`` column as stored, read past the field cipher.
    stored_persona_data: list[str]
    segmenter: AutoSegmenter | None = field(default=None, repr=False)
    #: DuckDB's canonical tables as Parquet (what Spark reads), once loaded.
    tables_dir: Path | None = None


class Runs:
    """The pipeline run of each engine, made once per session when first asked for."""

    def __init__(self, request: pytest.FixtureRequest, tmp: pytest.TempPathFactory):
        self._request = request
        self._tmp = tmp
        self._runs: dict[str, PipelineRun] = {}
        # One folder of files for every engine, so that their reports name the same files.
        folder = Path(tmp.mktemp("engine-imports"))
        self.import_files: dict[str, Path] = {}
        for kind, content in IMPORTS.items():
            self.import_files[kind] = folder / f"{kind}.csv"
            self.import_files[kind].write_text(content, encoding="utf-8")

    def get(self, engine: str) -> PipelineRun:
        if engine not in self._runs:
            # DuckDB runs first: it is the reference, fits the centres the others reuse and
            # writes the tables Spark reads.
            reference = None if engine == "duckdb" else self.get("duckdb")
            home = Path(self._tmp.mktemp(f"engine-{engine}")) / "ws"
            self._runs[engine] = _run_pipeline(
                engine, home, self._request, reference, self.import_files
            )
        return self._runs[engine]


@pytest.fixture(scope="session")
def runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return Runs(request, tmp_path_factory)


@pytest.fixture(scope="session")
def run(engine: str, runs: Runs) -> PipelineRun:
    return runs.get(engine)


@pytest.fixture(scope="session")
def reference(runs: Runs) -> PipelineRun:
    return runs.get("duckdb")


def _run_pipeline(
    engine: str,
    home: Path,
    request: pytest.FixtureRequest,
    reference: PipelineRun | None,
    files: Mapping[str, Path],
) -> PipelineRun:
    tables_dir = None if reference is None else reference.tables_dir
    workspace = engine_workspace(engine, home, request, tables=tables_dir)
    centres = None if reference is None else reference.segmenter
    with open_stores(workspace) as stores:
        demo_rows: dict[str, int] = {}
        imports: dict[str, dict[str, Any]] = {}
        if engine != "spark":
            demo_rows = dict(generate_demo(stores, CUSTOMERS, SEED).rows)
            imports = {kind: import_file(stores, kind, p).as_dict() for kind, p in files.items()}
        if engine == "duckdb":
            tables_dir = home.parent / "tables"
            export_canonical_tables(stores, tables_dir)
        analysis = run_analysis(stores)
        stored = last_run(stores)
        assert stored is not None
        metrics = metrics_report(stores)
        models = {name: fit_model(stores, name).as_dict() for name in MODELS}
        features, segmenter, fixed, predicted = _fixed_centres(stores, centres)
        segmentation = auto_segment(stores, seed=0, language="en")
        assignments = _assignments(stores, segmentation.segmentation_id)
        ready = {name: ready_segmentation(stores, name, language="en") for name in READY}
        personas = report_dict(generate_personas(stores), stores, "en")
        with stores.app_db.engine.connect() as con:
            stored_data = [str(r[0]) for r in con.execute(text("SELECT data FROM personas"))]
        tables = {
            name: _rows(stores.warehouse.table(name), key) for name, key in TABLE_KEYS.items()
        }
        backend = stores.warehouse.backend
        counts = {
            name: int(backend.table(name).count().to_pyarrow().as_py())
            for name in backend.list_tables()
            if not name.startswith("_") and name not in STORAGE_TABLES
        }
    return PipelineRun(
        engine=engine,
        demo_rows=demo_rows,
        imports=imports,
        counts=counts,
        analysis=analysis.as_dict(),
        stored_summary=stored.summary,
        metrics=metrics,
        models=models,
        tables=tables,
        features=features,
        fixed_assignments=fixed,
        predicted_assignments=predicted,
        segmentation=segmentation.as_dict(),
        assignments=assignments,
        ready=ready,
        personas=personas,
        stored_persona_data=stored_data,
        segmenter=segmenter,
        tables_dir=tables_dir,
    )


def _rows(table: ir.Table, key: str) -> list[dict[str, Any]]:
    rows = table.drop(*(c for c in table.columns if c in VOLATILE)).order_by(key).to_pyarrow()
    return rows.to_pylist()


def _assignments(stores: Stores, segmentation_id: str) -> dict[str, int]:
    table = stores.warehouse.table(ASSIGNMENTS_TABLE)
    rows = table.filter(table.segmentation_id == segmentation_id).to_pyarrow().to_pylist()
    return {r["customer_id"]: int(r["segment_id"]) for r in rows}


@dataclass
class _WorkTables:
    """Temporary tables of one test step, dropped at the end."""

    stores: Stores
    names: list[str] = field(default_factory=list)

    def __call__(self, expr: ir.Table, name: str) -> ir.Table:
        table_name = f"_test_{name}_{uuid.uuid4().hex[:8]}"
        self.stores.warehouse.backend.create_table(table_name, expr, temp=True)
        self.names.append(table_name)
        return self.stores.warehouse.backend.table(table_name)

    def drop(self) -> None:
        for name in self.names:
            self.stores.warehouse.backend.drop_table(name, force=True)


def _fixed_centres(
    stores: Stores, centres: AutoSegmenter | None
) -> tuple[list[dict[str, Any]], AutoSegmenter, dict[str, int], dict[str, int]]:
    """The features, and every person assigned to the same centres on this engine (fitted
    here when ``centres`` is None), in the warehouse and by the in-memory oracle."""
    wh = stores.warehouse
    tables = {name: wh.table(name) for name in FEATURE_TABLES if wh.has_table(name)}
    expression, spec = build_features(tables, list(DEFAULT_KINDS))
    work = _WorkTables(stores)
    try:
        features = work(expression, "features")
        if centres is None:
            centres = AutoSegmenter(k=FIXED_K, seed=0)
            centres.fit(draw_sample(features, centres.sample_size, seed=0), spec)
        assigned = centres.assignment_expression(features, work).to_pyarrow()
        rows = features.order_by("customer_id").to_pyarrow()
    finally:
        work.drop()
    fixed = dict(
        zip(assigned["customer_id"].to_pylist(), assigned["segment_id"].to_pylist(), strict=True)
    )
    predicted = dict(
        zip(rows["customer_id"].to_pylist(), centres.predict(rows).tolist(), strict=True)
    )
    return rows.to_pylist(), centres, fixed, predicted


def _without(value: Any, volatile: set[str] = VOLATILE) -> Any:
    if isinstance(value, Mapping):
        return {k: _without(v, volatile) for k, v in value.items() if k not in volatile}
    if isinstance(value, list | tuple):
        return [_without(v, volatile) for v in value]
    return value


def differences(actual: Any, expected: Any, rel: float, path: str = "") -> Iterator[str]:
    """Where ``actual`` differs from ``expected``: numbers beyond ``rel``, anything else at
    all (lists in order, mappings by key)."""
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual or key not in expected:
                yield f"{path}/{key}: only in {'DuckDB' if key in expected else 'this engine'}"
            else:
                yield from differences(actual[key], expected[key], rel, f"{path}/{key}")
    elif isinstance(expected, list | tuple) and isinstance(actual, list | tuple):
        if len(actual) != len(expected):
            yield f"{path}: {len(actual)} items, DuckDB {len(expected)}"
            return
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            yield from differences(a, e, rel, f"{path}[{i}]")
    elif isinstance(expected, float) or isinstance(actual, float):
        if not _close(actual, expected, rel):
            yield f"{path}: {actual!r}, DuckDB {expected!r}"
    elif actual != expected:
        yield f"{path}: {actual!r}, DuckDB {expected!r}"


def _close(actual: Any, expected: Any, rel: float) -> bool:
    if not isinstance(actual, int | float) or not isinstance(expected, int | float):
        return False
    if math.isnan(actual) or math.isnan(expected):
        return math.isnan(actual) and math.isnan(expected)
    return math.isclose(actual, expected, rel_tol=rel, abs_tol=1e-12)


def assert_same(actual: Any, expected: Any, rel: float = METRICS_TOLERANCE) -> None:
    found = list(differences(_without(actual), _without(expected), rel))
    assert not found, f"{len(found)} differences from DuckDB:\n" + "\n".join(found[:20])


def _loads(run: PipelineRun) -> None:
    if run.engine == "spark":
        pytest.skip("Spark reads its canonical tables from DuckDB's export: it loads nothing")


def test_the_demo_loads_the_same_rows(run: PipelineRun, reference: PipelineRun) -> None:
    _loads(run)
    assert run.demo_rows == reference.demo_rows
    assert run.demo_rows["customers"] == CUSTOMERS


def test_imports_load_and_quarantine_the_same_rows(
    run: PipelineRun, reference: PipelineRun
) -> None:
    _loads(run)
    assert run.imports["customers"]["rows_new"] > 0
    assert run.imports["customers"]["rows_quarantined"] > 0
    assert_same(run.imports, reference.imports)


def test_every_table_has_the_same_row_count(run: PipelineRun, reference: PipelineRun) -> None:
    assert run.counts == reference.counts
    for derived in ("customer_links", "people", "customer_value", "segment_base"):
        assert run.counts[derived] > 0, derived


@pytest.mark.parametrize("name", list(TABLE_KEYS))
def test_tables_hold_the_same_rows(run: PipelineRun, reference: PipelineRun, name: str) -> None:
    assert_same(run.tables[name], reference.tables[name])


def test_analysis_gives_the_same_figures(run: PipelineRun, reference: PipelineRun) -> None:
    # Identities, overview and customer value as reported, then the dashboard and quality
    # figures kept with the run.
    assert_same(run.analysis, reference.analysis)
    assert_same(run.stored_summary, reference.stored_summary)


def test_metrics_are_the_same(run: PipelineRun, reference: PipelineRun) -> None:
    assert_same(run.metrics, reference.metrics)


@pytest.mark.parametrize("model", MODELS)
def test_clv_models_fit_the_same_parameters(
    run: PipelineRun, reference: PipelineRun, model: str
) -> None:
    assert run.models[model]["params"], model
    assert_same(run.models[model], reference.models[model], rel=CLV_TOLERANCE)


def test_features_are_the_same(run: PipelineRun, reference: PipelineRun) -> None:
    assert_same(run.features, reference.features)


def test_the_same_centres_give_the_same_segments(run: PipelineRun, reference: PipelineRun) -> None:
    assert len(run.fixed_assignments) == len(reference.features)
    assert run.fixed_assignments == reference.fixed_assignments
    # The warehouse assigns as the in-memory model does.
    assert run.fixed_assignments == run.predicted_assignments
    assert set(run.fixed_assignments.values()) == set(range(1, FIXED_K + 1))


def test_automatic_segmentation_is_the_same(run: PipelineRun, reference: PipelineRun) -> None:
    assert run.assignments == reference.assignments
    assert_same(run.segmentation, reference.segmentation)


@pytest.mark.parametrize("name", READY)
def test_ready_segmentations_are_the_same(
    run: PipelineRun, reference: PipelineRun, name: str
) -> None:
    assert_same(run.ready[name], reference.ready[name])


def test_personas_are_the_same(run: PipelineRun, reference: PipelineRun) -> None:
    assert run.personas["personas"], "no persona was written"
    assert_same(run.personas, reference.personas)


def test_personas_are_encrypted_in_the_app_database(run: PipelineRun) -> None:
    names = [p["name"] for p in run.personas["personas"]]
    assert len(run.stored_persona_data) == len(names)
    for stored in run.stored_persona_data:
        assert not any(name in stored for name in names)


def test_arrow_tables_compare_by_value() -> None:
    # The comparison itself: a relative difference beyond the tolerance is reported.
    rows = pa.table({"x": [1.0, 2.0]}).to_pylist()
    assert not list(differences(rows, [{"x": 1.0}, {"x": 2.0 * (1 + 1e-12)}], 1e-9))
    assert list(differences(rows, [{"x": 1.0}, {"x": 2.0 * (1 + 1e-6)}], 1e-9))
