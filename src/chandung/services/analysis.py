"""Running the analysis over a workspace's warehouse and recording the run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from ..errors import ChandungError
from ..metrics.overview import Overview, overview
from ..store.app_models import AnalysisRun
from .dashboard import DASHBOARD_KEY, compute_dashboard
from .identity import ResolveReport, resolve_identities
from .quality import QUALITY_KEY, quality_report
from .segment_base import refresh_segment_base
from .stores import Stores, warehouse_step
from .value import ScoreReport, score_customers


@dataclass(frozen=True)
class AnalysisReport:
    """The result of one analysis run."""

    run_id: int
    overview: Overview
    seconds: float
    identity: ResolveReport | None = None
    value: ScoreReport | None = None
    #: Why customer value could not be computed (e.g. too few repeat buyers), if it could not.
    value_error: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "seconds": self.seconds,
            "identity": self.identity.as_dict() if self.identity else None,
            "value": self.value.as_dict() if self.value else None,
            "value_error": self.value_error,
            "overview": self.overview.as_dict(),
        }


@warehouse_step("overview")
def load_overview(stores: Stores) -> Overview:
    """Headline figures of the workspace, computed in the warehouse."""
    wh = stores.warehouse
    return overview(wh.table("customers"), wh.table("orders"))


def run_analysis(stores: Stores) -> AnalysisReport:
    """Run every analysis step and record the run with its summary in the app database.

    Steps: identity resolution, headline figures, then the value of every customer (summary,
    RFM, CLV models fitted and every customer scored into ``customer_value``). When the data
    cannot support the models (no orders, too few repeat buyers), the run still finishes and
    records why value is missing.
    """
    started = datetime.now(UTC)
    identity = resolve_identities(stores)
    figures = load_overview(stores)
    value: ScoreReport | None = None
    value_error: dict[str, Any] | None = None
    try:
        value = score_customers(stores)
    except ChandungError as exc:
        value_error = exc.as_dict(stores.workspace.settings.workspace.language)
    refresh_segment_base(stores)
    # The figures the overview and value pages draw, so that no page recomputes them.
    dashboard = compute_dashboard(stores, figures, scored=value is not None)
    quality = quality_report(stores)
    finished = datetime.now(UTC)
    summary = {
        "identity": identity.as_dict(),
        "overview": figures.as_dict(),
        "value": value.as_dict() if value else None,
        "value_error": value_error,
        DASHBOARD_KEY: dashboard,
        QUALITY_KEY: quality.as_dict(),
    }
    with stores.app_db.session() as session:
        run = AnalysisRun(
            started_at=started, finished_at=finished, status="finished", summary=summary
        )
        session.add(run)
        session.flush()
        run_id = run.id
    return AnalysisReport(
        run_id, figures, (finished - started).total_seconds(), identity, value, value_error
    )


def last_run(stores: Stores) -> AnalysisRun | None:
    """The latest finished analysis run, if any."""
    with stores.app_db.session() as session:
        return session.scalars(
            select(AnalysisRun)
            .where(AnalysisRun.status == "finished")
            .order_by(AnalysisRun.id.desc())
            .limit(1)
        ).first()
