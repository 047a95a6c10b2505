"""Customer value at scale: our CLV models against lifetimes and PyMC-Marketing, side by side.

On a generated demo warehouse (``chandung demo generate``, fixed seed) this measures, each step
in a fresh process, its time and the process's peak memory (maximum resident set size, from
wait4):

1. the per-customer summary (``summary_table``, materialised) in the warehouse;
2. the fits of BG/NBD, Pareto/NBD and Gamma-Gamma (repeat buyers only) on the same numbers,
   the summary exported once to a Parquet file (frequency, recency and T in weeks, monetary
   value): ours, lifetimes 0.11.3 (``penalizer_coef=0``) and PyMC-Marketing (``fit(method=
   "map")`` with flat priors, so that the maximum a posteriori is the maximum-likelihood
   estimate); and ours on the service path (``fit_model``: patterns counted in the warehouse);
3. scoring every customer (P(alive), expected purchases in 90 days, CLV over 12 months with
   Gamma-Gamma): ours against lifetimes' equivalents on the same parameters, and the whole
   service path ``score_customers`` (warehouse, batches, table ``customer_value``).

The time of a step is measured inside its process around the work itself (imports and reading
the Parquet file excluded; for PyMC-Marketing it includes building and compiling the model,
which ``fit`` does). A competitor whose process runs longer than ``--timeout`` (imports
included) is stopped and reported as "> timeout"; one that fails is reported with its error.
Writes the tables to docs/benchmarks.md unless ``--no-write``.

    make benchmark-clv                                     # installs the [bench] extra, runs it
    python benchmarks/clv.py                               # 1,000,000 customers
    python benchmarks/clv.py --smoke                       # 20,000 customers, nothing written
    python benchmarks/clv.py --customers 100000 --no-write --skip-competitors
    python benchmarks/clv.py --home /tmp/clv-ws            # keep the warehouse, reuse it next time
    python benchmarks/clv.py --home /tmp/clv-ws --reuse-competitors --no-write
                                                           # rerun ours only (see below)

Every run keeps its measurements in the workspace (``clv-benchmark-results.json``). With
``--reuse-competitors`` the competitors' fits and scoring are not run again but taken from
there, labelled with the date they were measured: for iterating on our side only. The table
in docs/benchmarks.md should come from a full run, where both sides are measured together.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skeleton import machine

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- clv:begin -->", "<!-- clv:end -->"
SEED = 7
#: Our fits must be at least this many times faster than the faster competitor.
TARGET_SPEEDUP = 10.0
#: Estimates count as the same when no parameter differs from ours by more than this.
SAME_ESTIMATES = 1e-3
#: Scores count as the same when none differs from ours by more than this (relative).
SAME_SCORES = 1e-6
#: The prediction period of the expected purchases, in weeks (the models' time unit).
PURCHASE_WEEKS = 90 / 7
HORIZON_MONTHS = 12
ANNUAL_DISCOUNT_RATE = 0.10
#: lifetimes' ``customer_lifetime_value(freq="W")`` counts a month as 4.345 weeks; ours is given
#: the same period so that both compute the same quantity.
WEEKS_PER_MONTH = 4.345
MODELS = ("bgnbd", "paretonbd", "gammagamma")
MODEL_TITLES = {"bgnbd": "BG/NBD", "paretonbd": "Pareto/NBD", "gammagamma": "Gamma-Gamma"}
PARAMETERS = {
    "bgnbd": ("r", "alpha", "a", "b"),
    "paretonbd": ("r", "alpha", "s", "beta"),
    "gammagamma": ("p", "q", "v"),
}
LIBRARIES = ("ours", "lifetimes", "pymc")
LIBRARY_TITLES = {
    "ours": "chandung",
    "lifetimes": "lifetimes",
    "pymc": "PyMC-Marketing (MAP)",
    "service": "chandung, service path",
}
PACKAGES = {"lifetimes": "lifetimes", "pymc": "pymc-marketing"}
FloatArray = npt.NDArray[np.float64]
#: The last run's measurements, kept in the workspace for ``--reuse-competitors``.
SAVED = "clv-benchmark-results.json"


# --- The measured work, run inside a fresh process (``--worker``) ----------------------------


def _load(parquet: str) -> dict[str, FloatArray]:
    import pyarrow.parquet as pq

    table = pq.read_table(parquet, columns=["frequency", "recency", "T", "monetary_value"])
    return {
        name: np.asarray(table.column(name).to_numpy(), dtype=np.float64)
        for name in table.column_names
    }


def _repeat(data: dict[str, FloatArray]) -> tuple[FloatArray, FloatArray]:
    keep = (data["frequency"] > 0) & (data["monetary_value"] > 0)
    return data["frequency"][keep], data["monetary_value"][keep]


def _monthly_rate() -> float:
    return float((1 + ANNUAL_DISCOUNT_RATE) ** (1 / 12) - 1)


def work_summary(spec: dict[str, Any]) -> dict[str, Any]:
    from chandung.services.stores import open_stores
    from chandung.services.value import summary_table
    from chandung.workspace import Workspace

    with open_stores(Workspace.open(Path(spec["home"]))) as stores:
        started = time.perf_counter()
        rows = summary_table(stores).to_pyarrow().num_rows
        seconds = time.perf_counter() - started
        warehouse = stores.warehouse
        orders = int(warehouse.table("orders").count().to_pyarrow().as_py())
        lines = int(warehouse.table("order_items").count().to_pyarrow().as_py())
    return {"seconds": seconds, "rows": rows, "orders": orders, "order_lines": lines}


def work_export(spec: dict[str, Any]) -> dict[str, Any]:
    from chandung.services.stores import open_stores
    from chandung.services.value import summary_table
    from chandung.workspace import Workspace

    with open_stores(Workspace.open(Path(spec["home"]))) as stores:
        summary = summary_table(stores)
        columns = summary.select("customer_id", "frequency", "recency", "T", "monetary_value")
        # Ordered, so that every run (and every library) sees the rows in the same order.
        table = columns.order_by("customer_id").to_pyarrow()
    import pyarrow.parquet as pq

    pq.write_table(table, spec["parquet"])
    frequency = np.asarray(table.column("frequency").to_numpy(), dtype=np.float64)
    money = np.asarray(table.column("monetary_value").to_numpy(), dtype=np.float64)
    return {
        "seconds": 0.0,
        "customers": table.num_rows,
        "repeat_buyers": int(np.sum((frequency > 0) & (money > 0))),
    }


def _fit_ours(model: str, data: dict[str, FloatArray]) -> dict[str, float]:
    from chandung.models.clv import BetaGeo, GammaGamma, ParetoNBD

    if model == "gammagamma":
        x, m = _repeat(data)
        return GammaGamma().fit(x, m).params_
    estimator = BetaGeo() if model == "bgnbd" else ParetoNBD()
    return estimator.fit(data["frequency"], data["recency"], data["T"]).params_


def _fit_lifetimes(model: str, data: dict[str, FloatArray]) -> dict[str, float]:
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

    if model == "gammagamma":
        x, m = _repeat(data)
        spend = GammaGammaFitter(penalizer_coef=0.0).fit(x, m)
        return {k: float(v) for k, v in spend.params_.items()}
    fitter = BetaGeoFitter(penalizer_coef=0.0) if model == "bgnbd" else ParetoNBDFitter(0.0)
    fitter.fit(data["frequency"], data["recency"], data["T"])
    return {k: float(v) for k, v in fitter.params_.items()}


def _fit_pymc(model: str, data: dict[str, FloatArray]) -> dict[str, float]:
    import pandas as pd
    from pymc_extras.prior import Prior
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel, ParetoNBDModel

    names = PARAMETERS[model]
    # Flat priors on the positive parameters: the MAP is then the maximum-likelihood estimate.
    config = {name: Prior("HalfFlat") for name in names}
    if model == "gammagamma":
        x, m = _repeat(data)
        frame = pd.DataFrame(
            {"customer_id": np.arange(len(x)), "frequency": x, "monetary_value": m}
        )
        estimator: Any = GammaGammaModel(model_config=config)
    else:
        frame = pd.DataFrame(
            {
                "customer_id": np.arange(len(data["frequency"])),
                "frequency": data["frequency"],
                "recency": data["recency"],
                "T": data["T"],
            }
        )
        estimator = (BetaGeoModel if model == "bgnbd" else ParetoNBDModel)(model_config=config)
    idata = estimator.fit(frame, method="map", progressbar=False)
    return {name: float(np.asarray(idata.posterior[name]).squeeze()) for name in names}


def work_fit(spec: dict[str, Any]) -> dict[str, Any]:
    model, library = spec["model"], spec["library"]
    if library == "service":
        from chandung.services.stores import open_stores
        from chandung.services.value import fit_model
        from chandung.workspace import Workspace

        with open_stores(Workspace.open(Path(spec["home"]))) as stores:
            started = time.perf_counter()
            report = fit_model(stores, model)
            seconds = time.perf_counter() - started
        return {"seconds": seconds, "params": report.params, "patterns": report.patterns}
    data = _load(spec["parquet"])
    fit = {"ours": _fit_ours, "lifetimes": _fit_lifetimes, "pymc": _fit_pymc}[library]
    # Import the library before the clock starts: the fit is timed, not the import.
    module = {"ours": "chandung.models.clv", "lifetimes": "lifetimes", "pymc": "pymc_marketing.clv"}
    importlib.import_module(module[library])
    started = time.perf_counter()
    params = fit(model, data)
    return {"seconds": time.perf_counter() - started, "params": params}


def work_score(spec: dict[str, Any]) -> dict[str, Any]:
    library = spec["library"]
    if library == "service":
        from chandung.services.stores import open_stores
        from chandung.services.value import score_customers
        from chandung.workspace import Workspace

        with open_stores(Workspace.open(Path(spec["home"]))) as stores:
            started = time.perf_counter()
            report = score_customers(stores)
            seconds = time.perf_counter() - started
        fits = report.transaction_model.seconds + report.spend_model.seconds
        return {"seconds": seconds, "fit_seconds": fits, "customers": report.customers}
    data = _load(spec["parquet"])
    x, t_x, age, money = (data[k] for k in ("frequency", "recency", "T", "monetary_value"))
    transaction, spend = spec["params"]["bgnbd"], spec["params"]["gammagamma"]
    if library == "ours":
        from chandung.models.clv import BetaGeo, GammaGamma, customer_lifetime_value

        bg, gg = BetaGeo(), GammaGamma()
        bg.params_, gg.params_ = dict(transaction), dict(spend)
        started = time.perf_counter()
        alive = bg.probability_alive(x, t_x, age)
        purchases = bg.expected_purchases(PURCHASE_WEEKS, x, t_x, age)
        value = customer_lifetime_value(
            bg, gg, x, t_x, age, money,
            horizon=HORIZON_MONTHS, discount_rate=_monthly_rate(), period_length=WEEKS_PER_MONTH,
        )  # fmt: skip
        seconds = time.perf_counter() - started
    else:
        import pandas as pd
        from lifetimes import BetaGeoFitter, GammaGammaFitter

        bgf, ggf = BetaGeoFitter(), GammaGammaFitter()
        bgf.params_ = pd.Series(transaction)[list(PARAMETERS["bgnbd"])]
        ggf.params_ = pd.Series(spend)[list(PARAMETERS["gammagamma"])]
        bgf.predict = bgf.conditional_expected_number_of_purchases_up_to_time
        series = [pd.Series(v) for v in (x, t_x, age, money)]
        started = time.perf_counter()
        alive = np.asarray(bgf.conditional_probability_alive(x, t_x, age), dtype=np.float64)
        purchases = np.asarray(
            bgf.conditional_expected_number_of_purchases_up_to_time(PURCHASE_WEEKS, x, t_x, age),
            dtype=np.float64,
        )
        value = np.asarray(
            ggf.customer_lifetime_value(
                bgf, *series, time=HORIZON_MONTHS, discount_rate=_monthly_rate(), freq="W"
            ),
            dtype=np.float64,
        )
        seconds = time.perf_counter() - started
    np.savez(spec["scores"], alive=alive, purchases=purchases, value=value)
    return {"seconds": seconds}


WORK = {"summary": work_summary, "export": work_export, "fit": work_fit, "score": work_score}


def worker(spec_path: str) -> None:
    import warnings

    warnings.simplefilter("ignore")  # the competitors' deprecation chatter
    spec = json.loads(Path(spec_path).read_text("utf-8"))
    try:
        result = WORK[spec["step"]](spec)
    except Exception as error:  # noqa: BLE001 (any failure is reported, in one line)
        traceback.print_exc()
        message = " ".join(f"{type(error).__name__}: {error}".split())
        result = {"error": message[:300]}
    Path(spec["result"]).write_text(json.dumps(result), encoding="utf-8")


# --- The runner ------------------------------------------------------------------------------


@dataclass
class Measured:
    """One step run in its own process."""

    seconds: float | None = None  # the work itself, measured inside the process
    wall: float = 0.0  # the whole process
    peak_mib: float = 0.0
    timed_out: bool = False
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)
    #: Set when taken from an earlier run (``--reuse-competitors``): the date it was measured.
    measured_on: str | None = None

    @property
    def ok(self) -> bool:
        return self.seconds is not None

    def reused(self) -> str:
        return f" (measured {self.measured_on}, reused)" if self.measured_on else ""


class Runner:
    def __init__(self, work: Path, timeout: float) -> None:
        self.work = work
        self.timeout = timeout
        self.count = 0

    def run(self, spec: dict[str, Any], *, timeout: float | None = None) -> Measured:
        self.count += 1
        stem = self.work / f"step-{self.count:02d}"
        spec = {**spec, "result": f"{stem}.json"}
        Path(f"{stem}.spec.json").write_text(json.dumps(spec), encoding="utf-8")
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", f"{stem}.spec.json"]
        limit = timeout if timeout is not None else math.inf
        with open(f"{stem}.log", "wb") as log:
            started = time.perf_counter()
            # A session of its own, so that a timed-out step is stopped with its children.
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() - started > limit:
                    os.killpg(proc.pid, signal.SIGKILL)
                    _, status, usage = os.wait4(proc.pid, 0)
                    wall = time.perf_counter() - started
                    return Measured(wall=wall, peak_mib=usage.ru_maxrss / 1024, timed_out=True)
                time.sleep(0.1)
            wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        measured = Measured(wall=wall, peak_mib=usage.ru_maxrss / 1024)
        result_path = Path(spec["result"])
        if not result_path.exists():
            tail = Path(f"{stem}.log").read_text("utf-8", errors="replace").strip().splitlines()
            measured.error = tail[-1] if tail else f"exit status {proc.returncode}"
            return measured
        measured.result = json.loads(result_path.read_text("utf-8"))
        measured.error = measured.result.get("error")
        if measured.error is None:
            measured.seconds = float(measured.result["seconds"])
        return measured


def save_results(
    home: Path,
    customers: int,
    fits: dict[tuple[str, str], Measured],
    scores: dict[str, Measured],
    agreement: float | None,
) -> None:
    """The measurements of this run, kept in the workspace for ``--reuse-competitors``."""
    today = date.today().isoformat()

    def entry(m: Measured) -> dict[str, Any]:
        return {**asdict(m), "measured_on": m.measured_on or today}

    saved = {
        "customers": customers,
        "seed": SEED,
        "fits": {f"{model}/{library}": entry(m) for (model, library), m in fits.items()},
        "scores": {key: entry(m) for key, m in scores.items()},
        "score_agreement": agreement,
    }
    (home / SAVED).write_text(json.dumps(saved, indent=1), "utf-8")


def load_competitors(
    home: Path, customers: int
) -> tuple[dict[tuple[str, str], Measured], dict[str, Measured], float | None]:
    """The competitors' fits and scoring of the last run on this warehouse."""
    path = home / SAVED
    if not path.exists():
        raise SystemExit(f"--reuse-competitors: no earlier results in {path}")
    saved: dict[str, Any] = json.loads(path.read_text("utf-8"))
    if saved.get("customers") != customers or saved.get("seed") != SEED:
        raise SystemExit(f"--reuse-competitors: {path} is for another warehouse")
    fits: dict[tuple[str, str], Measured] = {}
    for key, value in saved["fits"].items():
        model, library = key.split("/")
        if library in PACKAGES:
            fits[model, library] = Measured(**value)
    scores = {k: Measured(**v) for k, v in saved["scores"].items() if k in PACKAGES}
    missing = [f"{m}/{lib}" for m in MODELS for lib in PACKAGES if (m, lib) not in fits]
    if missing:
        raise SystemExit(f"--reuse-competitors: {path} lacks {', '.join(missing)}")
    return fits, scores, saved.get("score_agreement")


def generate(home: Path, customers: int) -> dict[str, int]:
    """The demo warehouse in ``home``, generated once per size and seed (kept for reruns)."""
    stamp = home / "clv-benchmark.json"
    if stamp.exists():
        saved: dict[str, Any] = json.loads(stamp.read_text("utf-8"))
        if saved.get("customers") == customers and saved.get("seed") == SEED:
            return dict(saved["rows"])
    shutil.rmtree(home, ignore_errors=True)
    print(f"generating the demo warehouse: {customers:,} customers, seed {SEED} ...", flush=True)
    args = ["demo", "generate", "--customers", str(customers), "--seed", str(SEED), "--json"]
    out = subprocess.run(
        [sys.executable, "-m", "chandung", "--home", str(home), *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    rows = {str(k): int(v) for k, v in json.loads(out)["rows"].items()}
    stamp.write_text(json.dumps({"customers": customers, "seed": SEED, "rows": rows}), "utf-8")
    return rows


def version(library: str) -> str:
    if library not in PACKAGES:
        return ""
    try:
        return metadata.version(PACKAGES[library])
    except metadata.PackageNotFoundError:
        return "not installed"


def max_relative_difference(ours: dict[str, float], theirs: dict[str, float]) -> float:
    return max(abs(theirs[k] - v) / abs(v) for k, v in ours.items())


def log_likelihoods(
    parquet: Path, fits: dict[tuple[str, str], Measured]
) -> dict[tuple[str, str], float]:
    """Our log-likelihood, summed over customers, at every library's estimates."""
    from chandung.models.clv import BetaGeo, ParetoNBD
    from chandung.models.clv.gamma_gamma import gamma_gamma_log_likelihood

    data = _load(str(parquet))
    x, m = _repeat(data)
    out = {}
    for (model, library), measured in fits.items():
        if not measured.ok:
            continue
        params = measured.result["params"]
        values = np.array([params[k] for k in PARAMETERS[model]])
        if model == "gammagamma":
            out[model, library] = gamma_gamma_log_likelihood(values, x, m, np.ones(len(x)))[0]
            continue
        estimator = BetaGeo() if model == "bgnbd" else ParetoNBD()
        estimator.params_ = dict(params)
        ll = estimator.log_likelihood(data["frequency"], data["recency"], data["T"])
        out[model, library] = float(np.sum(ll))
    return out


def score_difference(ours: Path, theirs: Path) -> float:
    a, b = np.load(ours), np.load(theirs)
    worst = 0.0
    for name in ("alive", "purchases", "value"):
        x, y = a[name], b[name]
        scale = np.maximum(np.abs(x), 1e-12)
        worst = max(worst, float(np.max(np.abs(y - x) / scale)))
    return worst


# --- The report -------------------------------------------------------------------------------


def _limit(timeout: float) -> str:
    return f"{timeout / 60:.0f} min" if timeout >= 120 else f"{timeout:.0f} s"


def _seconds(m: Measured, timeout: float) -> str:
    if m.timed_out:
        return f"> {_limit(timeout)} (timeout)"
    if m.seconds is None:
        return "failed"
    return f"{m.seconds:.2f} s" if m.seconds < 10 else f"{m.seconds:,.1f} s"


def _estimates(params: dict[str, float]) -> str:
    greek = {"alpha": "α", "beta": "β"}
    return ", ".join(f"{greek.get(k, k)} = {v:.4g}" for k, v in params.items())


@dataclass
class Report:
    customers: int
    timeout: float
    rows: dict[str, int]
    summary: Measured
    repeat_buyers: int
    fits: dict[tuple[str, str], Measured]
    lls: dict[tuple[str, str], float]
    scores: dict[str, Measured]
    score_agreement: float | None
    verdicts: dict[str, str]
    command: str = ""

    def fit_rows(self) -> list[str]:
        rows = []
        for model in MODELS:
            ours = self.fits[model, "ours"]
            for library in (*LIBRARIES, "service"):
                m = self.fits.get((model, library))
                if m is None:
                    continue
                title = LIBRARY_TITLES[library]
                if library in PACKAGES:
                    title += f" {version(library)}"
                title += m.reused()
                if m.error is not None:
                    error = m.error.replace("|", "\\|")
                    rows.append(
                        f"| {MODEL_TITLES[model]} | {title} | failed: {error} | | | | "
                        f"{_seconds(m, self.timeout)} | | {m.peak_mib:,.0f} MiB |"
                    )
                    continue
                estimates = _estimates(m.result["params"]) if m.ok else ""
                same = ll = ratio = ""
                if m.ok and ours.ok and library != "ours":
                    diff = max_relative_difference(ours.result["params"], m.result["params"])
                    same = f"{diff:.1e}"
                    if (model, library) in self.lls and (model, "ours") in self.lls:
                        delta = self.lls[model, library] - self.lls[model, "ours"]
                        ll = f"{delta:+.1e}"
                if ours.ok and (m.ok or m.timed_out):
                    assert ours.seconds is not None
                    seconds = m.seconds if m.seconds is not None else self.timeout
                    ratio = f"{'> ' if m.timed_out else ''}{seconds / ours.seconds:,.1f}×"
                rows.append(
                    f"| {MODEL_TITLES[model]} | {title} | {estimates} | {same} | {ll} | "
                    f"{_seconds(m, self.timeout)} | {ratio} | {m.peak_mib:,.0f} MiB |"
                )
        return rows

    def lines(self) -> list[str]:
        lines_count = self.rows.get("order_items", self.summary.result.get("order_lines", 0))
        orders = self.summary.result.get("orders", self.rows.get("orders", 0))
        people = int(self.summary.result.get("rows", 0))
        command = self.command or f"python benchmarks/clv.py --customers {self.customers}"
        reused = sorted(
            {m.measured_on for m in [*self.fits.values(), *self.scores.values()] if m.measured_on}
        )
        out = [
            BEGIN,
            f"Measured {date.today().isoformat()} on {machine()}, with "
            f"`{command}` (`make benchmark-clv`), "
            f"timeout {_limit(self.timeout)} per competitor step."
            + (
                f' Rows marked "reused" were not measured in this run but taken from the run '
                f"of {', '.join(reused)} (`--reuse-competitors`): their ratios compare times "
                "measured at different moments, under different load."
                if reused
                else ""
            ),
            "",
            f"Data: the demo business, seed {SEED}: {self.customers:,} customers, "
            f"{orders:,} orders, {lines_count:,} order lines. The summary has one row per "
            f"person with a completed order, {people:,}; every fit and every scoring sees "
            f"those rows, Gamma-Gamma the {self.repeat_buyers:,} repeat buyers among them.",
            "",
            "| step | time | peak memory |",
            "|---|---:|---:|",
            f"| summary: `summary_table(...)` materialised, {people:,} rows | "
            f"{_seconds(self.summary, self.timeout)} | {self.summary.peak_mib:,.0f} MiB |",
            "",
            "| model | library | estimates | max. rel. difference | log-lik. vs ours "
            "| fit time | vs ours | peak memory |",
            "|---|---|---|---:|---:|---:|---:|---:|",
            *self.fit_rows(),
            "",
            f"| scoring {people:,} people | time | vs ours | peak memory | max. rel. difference |",
            "|---|---:|---:|---:|---:|",
        ]
        ours = self.scores.get("ours")
        for key, title in (
            ("ours", "chandung: P(alive), 90-day purchases, 12-month CLV"),
            ("lifetimes", f"lifetimes {version('lifetimes')}: the same three"),
            ("service", "chandung `score_customers`: warehouse → batches → `customer_value`"),
        ):
            m = self.scores.get(key)
            if m is None:
                continue
            title += m.reused()
            ratio = diff = ""
            if key == "lifetimes" and ours is not None and ours.ok and m.ok:
                assert ours.seconds is not None and m.seconds is not None
                ratio = f"{m.seconds / ours.seconds:,.1f}×"
                if self.score_agreement is not None:
                    diff = f"{self.score_agreement:.1e}"
            time_text = _seconds(m, self.timeout) if m.error is None else f"failed: {m.error}"
            if key == "service" and m.ok:
                time_text += f" (fits {m.result['fit_seconds']:.1f} s)"
            out.append(f"| {title} | {time_text} | {ratio} | {m.peak_mib:,.0f} MiB | {diff} |")
        out += ["", *[f"- {MODEL_TITLES[k]}: {v}" for k, v in self.verdicts.items()], END]
        return out


def verdicts(
    fits: dict[tuple[str, str], Measured], timeout: float, with_competitors: bool
) -> dict[str, str]:
    out = {}
    for model in MODELS:
        ours = fits[model, "ours"]
        if not ours.ok or ours.seconds is None:
            out[model] = f"our fit failed ({ours.error}); target not met."
            continue
        if not with_competitors:
            out[model] = "competitors skipped; target not checked."
            continue
        best: float | None = None
        same = True
        timed_out: list[str] = []
        for library in ("lifetimes", "pymc"):
            m = fits[model, library]
            if m.ok and m.seconds is not None:
                best = m.seconds if best is None else min(best, m.seconds)
                diff = max_relative_difference(ours.result["params"], m.result["params"])
                same = same and diff <= SAME_ESTIMATES
            elif m.timed_out:
                timed_out.append(LIBRARY_TITLES[library])
        if best is None:
            bound = f"> {timeout / ours.seconds:,.0f}× (both stopped or failed)"
            met = bool(timed_out) and timeout / ours.seconds >= TARGET_SPEEDUP
            out[model] = f"{bound}; target {'met' if met else 'not checked'}."
            continue
        ratio = best / ours.seconds
        met = ratio >= TARGET_SPEEDUP and same
        agreement = "same estimates" if same else "estimates differ"
        speed = f"{ratio:,.1f}× faster" if ratio >= 1 else f"{1 / ratio:,.1f}× slower"
        dates = sorted({d for lib in LIBRARIES if (d := fits[model, lib].measured_on) is not None})
        out[model] = (
            f"{speed} than the faster competitor, {agreement} "
            f"(≤ {SAME_ESTIMATES:g} relative): target of {TARGET_SPEEDUP:.0f}× "
            f"{'met' if met else 'not met'}"
            + (f" (competitor times reused from {', '.join(dates)})." if dates else ".")
        )
    return out


def write(report: Report) -> None:
    block = "\n".join(report.lines())
    text = DOC.read_text("utf-8")
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--timeout", type=float, default=20 * 60, help="seconds per competitor step"
    )
    parser.add_argument("--skip-competitors", action="store_true")
    parser.add_argument(
        "--reuse-competitors",
        action="store_true",
        help="take the competitors' fits and scoring from the last run in --home "
        "(labelled with their date) and run ours only",
    )
    parser.add_argument("--smoke", action="store_true", help="20,000 customers, nothing written")
    parser.add_argument(
        "--home", type=Path, help="keep the demo workspace here and reuse it on the next run"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    if args.smoke:
        args.customers, args.no_write = 20_000, True
    if args.reuse_competitors and (args.home is None or args.skip_competitors):
        parser.error("--reuse-competitors needs --home and excludes --skip-competitors")

    work = Path(tempfile.mkdtemp(prefix="chandung-clv-"))
    home = args.home or work / "workspace"
    try:
        rows = generate(home, args.customers)
        runner = Runner(work, args.timeout)
        parquet = work / "summary.parquet"
        base = {"home": str(home), "parquet": str(parquet)}

        summary = runner.run({**base, "step": "summary"})
        if not summary.ok:
            raise SystemExit(f"summary failed: {summary.error}")
        print(
            f"summary: {summary.result['rows']:,} customers from {summary.result['orders']:,} "
            f"orders, {summary.result['order_lines']:,} order lines: {summary.seconds:.1f} s, "
            f"{summary.peak_mib:,.0f} MiB",
            flush=True,
        )
        export = runner.run({**base, "step": "export"})
        if not export.ok:
            raise SystemExit(f"export failed: {export.error}")

        rerun = not (args.skip_competitors or args.reuse_competitors)
        libraries = list(LIBRARIES) if rerun else ["ours"]
        fits: dict[tuple[str, str], Measured] = {}
        scores: dict[str, Measured] = {}
        agreement: float | None = None
        if args.reuse_competitors:
            earlier_fits, scores, agreement = load_competitors(home, args.customers)
        for model in MODELS:
            if args.reuse_competitors:
                fits[model, "ours"] = Measured()  # keeps the order of the rows
                fits.update({k: v for k, v in earlier_fits.items() if k[0] == model})
            for library in [*libraries, "service"]:
                limit = None if library in ("ours", "service") else args.timeout
                m = runner.run(
                    {**base, "step": "fit", "model": model, "library": library}, timeout=limit
                )
                fits[model, library] = m
                state = m.error or ("> timeout" if m.timed_out else f"{m.seconds:.2f} s")
                shown = _estimates(m.result["params"]) if m.ok else ""
                print(f"fit {model} {library}: {state}, {m.peak_mib:,.0f} MiB  {shown}", flush=True)

        if fits["bgnbd", "ours"].ok and fits["gammagamma", "ours"].ok:
            fitted = {k: fits[k, "ours"].result["params"] for k in ("bgnbd", "gammagamma")}
            for library in ["ours", *(["lifetimes"] if rerun else [])]:
                spec = {**base, "step": "score", "library": library, "params": fitted}
                spec["scores"] = str(work / f"scores-{library}.npz")
                limit = None if library == "ours" else args.timeout
                scores[library] = runner.run(spec, timeout=limit)
            if rerun and scores["lifetimes"].ok and scores["ours"].ok:
                agreement = score_difference(
                    work / "scores-ours.npz", work / "scores-lifetimes.npz"
                )
        scores["service"] = runner.run({**base, "step": "score", "library": "service"})
        scores = {k: scores[k] for k in ("ours", "lifetimes", "service") if k in scores}
        for key, m in scores.items():
            state = m.error or ("> timeout" if m.timed_out else f"{m.seconds:.2f} s")
            print(f"score {key}: {state}, {m.peak_mib:,.0f} MiB", flush=True)
        if agreement is not None:
            print(f"scores: max relative difference lifetimes vs ours {agreement:.1e}")

        report = Report(
            customers=args.customers,
            timeout=args.timeout,
            rows=rows,
            summary=summary,
            repeat_buyers=int(export.result["repeat_buyers"]),
            fits=fits,
            lls=log_likelihoods(parquet, fits),
            scores=scores,
            score_agreement=agreement,
            verdicts=verdicts(fits, args.timeout, not args.skip_competitors),
            command=" ".join(
                ["python benchmarks/clv.py", f"--customers {args.customers}"]
                + (["--reuse-competitors"] if args.reuse_competitors else [])
            ),
        )
        save_results(home, args.customers, fits, scores, agreement)
        print("\n".join(report.lines()))
        if not args.no_write:
            write(report)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
