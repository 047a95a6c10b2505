"""The figures the overview and value pages draw: computed once per analysis and kept.

:func:`compute_dashboard` runs at the end of the analysis. Every figure is an aggregate
computed in the warehouse with the metric functions of :mod:`chandung.metrics` (the Pareto
curve, RFM segments, cohort retention) and the scored ``customer_value`` table (the CLV
histogram, value by segment, customers at risk); only those aggregates come into Python. The
holdout check of the CLV model (:func:`~chandung.services.clv_validation.validate_clv`) runs
then too, so no page ever refits a model. The result is kept in the run's summary, under
:data:`DASHBOARD_KEY`, in the app database.

:func:`load_dashboard` reads the figures of the latest analysis run: a page reads the app
database only (the run's row, and whether an import, merge, purge or erasure came after it).
Before any analysis it computes what it can from the data as it is (no customer value: that
needs the fitted models).

:func:`value_customers` lists customers by predicted value or by risk of leaving: a bounded
``ORDER BY ... LIMIT`` over ``customer_value``, with names masked unless the principal may
see personal data (an unmasked view is audited).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
from ibis.common.exceptions import TableNotFound
from sqlalchemy import select

from ..errors import ChandungError
from ..metrics.overview import MonthFigures, Overview, overview
from ..metrics.retention import cohort_retention
from ..metrics.rfm import rfm_segment_counts
from ..metrics.value import concentration
from ..privacy.context import current_principal, require
from ..privacy.masking import mask_record
from ..store.app_models import (
    AnalysisRun,
    Erasure,
    IdentityOverride,
    ImportBatch,
    RetentionPurge,
)
from .clv_validation import validate_clv
from .identity import PEOPLE_TABLE
from .stores import Stores, warehouse_step
from .value import VALUE_TABLE, _links, observation_end, summary_table

#: Key of the run summary that holds the figures.
DASHBOARD_KEY = "dashboard"
#: Points of the Pareto curve (every 2% of customers).
PARETO_POINTS = 51
#: The share of best customers the Pareto reading names ("the top 20% bring X%").
TOP_FRACTION = 0.2
#: Most recent acquisition cohorts kept, and months after acquisition kept for each.
COHORT_ROWS = 24
COHORT_MONTHS = 24
#: Bars of the CLV histogram; the last one holds every value above :data:`CLV_CLIP`.
CLV_BINS = 20
#: Quantile of predicted CLV where the histogram stops (the long tail goes in the last bar).
CLV_CLIP = 0.99
#: A customer is of high value when their revenue so far is at least this quantile's ...
HIGH_VALUE_QUANTILE = 0.8
#: ... and at risk when the model gives them less than this probability of being alive.
AT_RISK_ALIVE = 0.5
#: Most customers one list may hold.
MAX_LIST = 500
#: Columns of ``customer_value`` a customer list shows.
LIST_COLUMNS = (
    "customer_id", "rfm_segment", "orders", "total_revenue", "last_purchase",
    "probability_alive", "expected_purchases_90d", "predicted_clv_vnd",
)  # fmt: skip

ListKind = Literal["top", "churn_risk"]


@dataclass(frozen=True)
class Dashboard:
    """The figures of the pages: headline figures and the JSON of every chart.

    ``figures`` holds ``observation_end``, ``pareto``, ``rfm``, ``cohorts``, ``clv`` and
    ``value`` (each ``None`` when there is nothing to draw). ``run_id`` is ``None`` when no
    analysis stored them and they were computed just now; ``value`` and ``value_error`` are
    the run's model report, or why value is missing; ``stale`` tells that the customer file
    changed after the run.
    """

    overview: Overview
    figures: dict[str, Any]
    run_id: int | None = None
    analysed_at: datetime | None = None
    value: dict[str, Any] | None = None
    value_error: dict[str, Any] | None = None
    stale: bool = False

    @property
    def stored(self) -> bool:
        """Whether the figures are those an analysis stored."""
        return self.run_id is not None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = finite(
            {
                "run_id": self.run_id,
                "analysed_at": self.analysed_at.isoformat() if self.analysed_at else None,
                "stored": self.stored,
                "stale": self.stale,
                "overview": self.overview.as_dict(),
                **self.figures,
                "model": self.value,
                "value_error": self.value_error,
            }
        )
        return out


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by ``None`` (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


@warehouse_step("dashboard")
def compute_dashboard(stores: Stores, figures: Overview, *, scored: bool) -> dict[str, Any]:
    """The JSON of every chart (see :class:`Dashboard`); ``scored`` when ``customer_value``
    holds this analysis' scores (else the value figures are left out)."""
    wh = stores.warehouse
    out: dict[str, Any] = {
        "observation_end": None, "pareto": None, "rfm": None, "cohorts": None,
        "clv": None, "value": None,
    }  # fmt: skip
    if not figures.orders:
        return out
    end = observation_end(stores)
    base = wh.table(VALUE_TABLE) if scored else summary_table(stores, end=end, time_unit="days")
    out["observation_end"] = end.isoformat()
    out["pareto"] = _pareto(base)
    out["rfm"] = [s.as_dict() for s in rfm_segment_counts(base)]
    out["cohorts"] = _cohorts(stores)
    if scored:
        out["clv"] = _clv_histogram(base)
        out["value"] = _value_figures(stores, base)
    kept: dict[str, Any] = finite(out)
    return kept


def _pareto(base: ir.Table) -> dict[str, Any] | None:
    c = concentration(base, top_fraction=TOP_FRACTION, points=PARETO_POINTS)
    if not c.lorenz:
        return None
    lorenz = [p.revenue_share for p in c.lorenz]
    # The best customers first: the share p of them brings 1 - L(1 - p) of the revenue.
    curve = [
        {"customer_share": p.customer_share, "revenue_share": 1.0 - lorenz[len(lorenz) - 1 - i]}
        for i, p in enumerate(c.lorenz)
    ]
    return {
        "customers": c.customers,
        "revenue": c.revenue,
        "top_fraction": c.top_fraction,
        "top_share": c.top_share,
        "gini": c.gini,
        "curve": curve,
    }


def _cohorts(stores: Stores) -> dict[str, Any] | None:
    matrix = cohort_retention(stores.warehouse.table("orders"), links=_links(stores))
    if not matrix.cohorts:
        return None
    rows: list[dict[str, Any]] = [
        {
            "month": c.month.isoformat(),
            "customers": c.customers,
            "active": c.active[:COHORT_MONTHS],
            "shares": c.shares[:COHORT_MONTHS],
        }
        for c in matrix.cohorts[-COHORT_ROWS:]
    ]
    return {"months": max(len(r["active"]) for r in rows), "cohorts": rows}


def _clv_histogram(cv: ir.Table) -> dict[str, Any] | None:
    value = cv.predicted_clv_vnd.fill_null(0)
    stats = (
        cv.aggregate(
            customers=cv.count(),
            total=value.sum(),
            median=value.quantile(0.5),
            top=value.quantile(CLV_CLIP),
            max=value.max(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    customers = int(stats["customers"] or 0)
    if not customers:
        return None
    top = float(stats["top"] or 0.0)
    width = top / CLV_BINS if top > 0 else 1.0
    index = ibis.least((value / width).floor().cast("int64"), CLV_BINS - 1)
    counts = (
        cv.select(bin=index, value=value)
        .group_by("bin")
        .aggregate(customers=ibis._.count(), value=ibis._.value.sum())
        .to_pyarrow()
        .to_pylist()
    )
    by_bin = {int(r["bin"]): r for r in counts}
    bins = [
        {
            "low": b * width,
            "high": (b + 1) * width if b < CLV_BINS - 1 else float(stats["max"] or 0.0),
            "customers": int(by_bin[b]["customers"]) if b in by_bin else 0,
            "value": float(by_bin[b]["value"] or 0.0) if b in by_bin else 0.0,
        }
        for b in range(CLV_BINS)
    ]
    total = float(stats["total"] or 0.0)
    return {
        "customers": customers,
        "total": total,
        "mean": total / customers,
        "median": float(stats["median"] or 0.0),
        "clipped_at": top,
        "bins": bins,
    }


def _value_figures(stores: Stores, cv: ir.Table) -> dict[str, Any]:
    threshold = float(cv.total_revenue.quantile(HIGH_VALUE_QUANTILE).to_pyarrow().as_py() or 0.0)
    risky = cv.filter(_at_risk(cv, threshold))
    risk = risky.aggregate(n=risky.count(), revenue=risky.total_revenue.sum()).to_pyarrow()
    risk_row = risk.to_pylist()[0]
    segments = (
        cv.group_by("rfm_segment")
        .aggregate(
            customers=cv.count(),
            predicted_clv=cv.predicted_clv_vnd.sum(),
            mean_alive=cv.probability_alive.mean(),
            purchases_90d=cv.expected_purchases_90d.sum(),
        )
        .order_by([ibis.desc("predicted_clv"), "rfm_segment"])
        .to_pyarrow()
        .to_pylist()
    )
    settings = stores.workspace.settings.value
    validation: dict[str, Any] | None = None
    validation_error: dict[str, Any] | None = None
    try:
        validation = validate_clv(stores, settings.transaction_model).as_dict()
    except ChandungError as exc:
        validation_error = {"code": exc.code, "params": {k: str(v) for k, v in exc.params.items()}}
    return {
        "churn": {
            "min_revenue": threshold,
            "alive_below": AT_RISK_ALIVE,
            "customers": int(risk_row["n"] or 0),
            "revenue": float(risk_row["revenue"] or 0.0),
        },
        "by_segment": [
            {
                "segment": r["rfm_segment"],
                "customers": int(r["customers"]),
                "predicted_clv": float(r["predicted_clv"] or 0.0),
                "mean_alive": float(r["mean_alive"] or 0.0),
                "purchases_90d": float(r["purchases_90d"] or 0.0),
            }
            for r in segments
        ],
        "validation": validation,
        "validation_error": validation_error,
    }


def _at_risk(cv: ir.Table, min_revenue: float) -> ir.BooleanValue:
    return (
        (cv.total_revenue >= min_revenue)
        & (cv.total_revenue > 0)
        & (cv.probability_alive < AT_RISK_ALIVE)
    )


def latest_run(stores: Stores) -> AnalysisRun | None:
    with stores.app_db.session() as session:
        return session.scalars(
            select(AnalysisRun)
            .where(AnalysisRun.status == "finished")
            .order_by(AnalysisRun.id.desc())
            .limit(1)
        ).first()


def stored_figures(stores: Stores) -> tuple[AnalysisRun, dict[str, Any]] | None:
    """The latest finished analysis run and the figures it stored, if it stored any."""
    run = latest_run(stores)
    if run is None or not isinstance(run.summary, dict):
        return None
    figures = run.summary.get(DASHBOARD_KEY)
    overview_dict = run.summary.get("overview")
    if not isinstance(figures, dict) or not isinstance(overview_dict, dict):
        return None
    return run, figures


def load_dashboard(stores: Stores) -> Dashboard:
    """The figures of the latest analysis run; computed now when no run stored them."""
    found = stored_figures(stores)
    if found is None:
        wh = stores.warehouse
        figures = overview(wh.table("customers"), wh.table("orders"))
        return Dashboard(figures, compute_dashboard(stores, figures, scored=False))
    run, stored = found
    summary: dict[str, Any] = run.summary
    return Dashboard(
        overview=overview_from_dict(summary["overview"]),
        figures=stored,
        run_id=run.id,
        analysed_at=run.finished_at,
        value=summary.get("value"),
        value_error=summary.get("value_error"),
        stale=changed_since(stores, run.started_at),
    )


def changed_since(stores: Stores, since: datetime) -> bool:
    """Whether the customer file changed after ``since``: an import, a merge or split of
    records, a retention purge or an erasure (read from the app database, not the data)."""
    checks = (
        select(ImportBatch.id).where(ImportBatch.finished_at > since),
        select(IdentityOverride.id).where(IdentityOverride.created_at > since),
        select(RetentionPurge.id).where(RetentionPurge.purged_at > since),
        select(Erasure.id).where(Erasure.erased_at > since),
    )
    with stores.app_db.session() as session:
        return any(session.execute(query.limit(1)).first() is not None for query in checks)


def overview_from_dict(data: dict[str, Any]) -> Overview:
    """The :class:`Overview` back from its :meth:`~Overview.as_dict` form."""

    def when(value: Any) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Overview(
        customer_records=int(data["customer_records"]),
        buyers=int(data["buyers"]),
        orders=int(data["orders"]),
        revenue_vnd=int(data["revenue_vnd"]),
        average_order_value_vnd=float(data["average_order_value_vnd"]),
        active_customers=int(data["active_customers"]),
        repeat_rate=float(data["repeat_rate"]),
        first_order=when(data.get("first_order")),
        last_order=when(data.get("last_order")),
        months=[
            MonthFigures(
                month=date.fromisoformat(m["month"]),
                orders=int(m["orders"]),
                revenue_vnd=int(m["revenue_vnd"]),
                new_customers=int(m["new_customers"]),
            )
            for m in data.get("months", [])
        ],
        revenue_by_channel_group=dict(data.get("revenue_by_channel_group", {})),
        orders_by_device=dict(data.get("orders_by_device", {})),
    )


def value_customers(stores: Stores, kind: ListKind, limit: int = 20) -> list[dict[str, Any]]:
    """One list of :func:`value_lists`."""
    return value_lists(stores, (kind,), limit)[kind]


def value_lists(
    stores: Stores,
    kinds: Sequence[ListKind],
    limit: int = 20,
    *,
    min_revenue: float | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Customers with the highest predicted value (``top``), and customers of high value
    unlikely to be still buying (``churn_risk``: revenue so far at least ``min_revenue``, by
    default the threshold the latest analysis stored, and P(alive) below
    :data:`AT_RISK_ALIVE`), best or most at risk first: a top-``limit`` query per list.

    Needs ``customers.read``; names are masked unless the principal holds
    ``personal_data.read``, and an unmasked list is recorded in the audit log.
    """
    require("customers.read")
    limit = max(1, min(limit, MAX_LIST))
    backend = stores.warehouse.backend
    try:
        cv = backend.table(VALUE_TABLE)
    except TableNotFound:  # never analysed, or dropped by a retention purge
        return {kind: [] for kind in kinds}
    if min_revenue is None and "churn_risk" in kinds:
        found = stored_figures(stores)
        churn = ((found[1].get("value") or {}).get("churn") or {}) if found else {}
        min_revenue = churn.get("min_revenue")
    rows = {kind: _list_rows(cv, kind, limit, min_revenue) for kind in kinds}
    names = _names(stores, {str(r["customer_id"]) for found in rows.values() for r in found})
    shown: dict[str, list[dict[str, Any]]] = {
        kind: [_shown_row(r, names) for r in found] for kind, found in rows.items()
    }
    if not current_principal().can("personal_data.read"):
        return {kind: [mask_record(r) for r in found] for kind, found in shown.items()}
    ids = [str(r["customer_id"]) for found in shown.values() for r in found]
    if ids:
        from .audit import record

        record(
            stores, "personal_data.view", target="customer_value", rows=len(ids),
            details={"ids": ids, "lists": list(kinds)},
        )  # fmt: skip
    return shown


def _list_rows(
    cv: ir.Table, kind: ListKind, limit: int, min_revenue: float | None
) -> list[dict[str, Any]]:
    if kind == "top":
        ordered = cv.order_by([ibis.desc("predicted_clv_vnd"), "customer_id"])
    elif min_revenue is None:
        return []
    else:
        chosen = cv.filter(_at_risk(cv, float(min_revenue)))
        risk = chosen.total_revenue * (1 - chosen.probability_alive)
        ordered = chosen.order_by([ibis.desc(risk), "customer_id"])
    found: list[dict[str, Any]] = (
        ordered.select(*LIST_COLUMNS).limit(limit).to_pyarrow().to_pylist()
    )
    return found


def _names(stores: Stores, ids: set[str]) -> dict[str, dict[str, Any]]:
    """Name and province of each person of ``ids`` (one query for every list)."""
    if not ids:
        return {}
    try:
        people = stores.warehouse.backend.table(PEOPLE_TABLE)
    except TableNotFound:
        return {}
    found = people.filter(people.person_id.isin(sorted(ids))).select(
        "person_id", "full_name", "province"
    )
    return {str(p["person_id"]): p for p in found.to_pyarrow().to_pylist()}


def _shown_row(row: dict[str, Any], names: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    person = names.get(str(row["customer_id"]), {})
    last = row.get("last_purchase")
    shown: dict[str, Any] = finite(
        {
            **row,
            "last_purchase": last.isoformat() if last else None,
            "full_name": person.get("full_name"),
            "province": person.get("province"),
        }
    )
    return shown


__all__ = [
    "DASHBOARD_KEY",
    "Dashboard",
    "compute_dashboard",
    "finite",
    "load_dashboard",
    "overview_from_dict",
    "stored_figures",
    "value_customers",
    "value_lists",
]
