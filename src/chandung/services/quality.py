"""The quality report of a workspace's customer file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..metrics.quality import consent_coverage, field_quality, stale_people
from .identity import PEOPLE_TABLE, person_links, resolve_identities
from .stores import Stores, warehouse_step


@dataclass(frozen=True)
class QualityReport:
    """Completeness and validity per field, duplicates, stale people and consent coverage."""

    records: int
    people: int
    duplicate_records_merged: int
    links_by_rule: dict[str, int]
    stale_after_months: int
    stale_people: int
    marketing_consent_people: int
    fields: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Key of the quality report in an analysis run's summary.
QUALITY_KEY = "quality"


@dataclass(frozen=True)
class StoredQuality:
    """The quality report as the latest analysis stored it, or as measured now."""

    report: QualityReport
    #: When the analysis measured it (``None``: measured now, no analysis stored one).
    measured_at: datetime | None = None
    #: The customer file changed after it was measured (an import, a merge, a purge...).
    stale: bool = False


def stored_quality(stores: Stores) -> StoredQuality:
    """The report of the latest analysis run (pages read this: measuring is a scan of every
    record), or measured now when no run stored one."""
    from .dashboard import changed_since, latest_run

    run = latest_run(stores)
    data = run.summary.get(QUALITY_KEY) if run is not None and run.summary else None
    if run is None or not isinstance(data, dict):
        return StoredQuality(quality_report(stores))
    return StoredQuality(
        QualityReport(**data), run.finished_at, changed_since(stores, run.started_at)
    )


@warehouse_step("quality")
def quality_report(stores: Stores, today: date | None = None) -> QualityReport:
    """Measure the customer file (identities are resolved first if they never were)."""
    wh = stores.warehouse
    if not wh.has_table(PEOPLE_TABLE):
        resolve_identities(stores)
    today = today or date.today()
    customers = wh.table("customers")
    links = person_links(stores)
    records = int(customers.count().to_pyarrow().as_py())
    people = int(links.person_id.nunique().to_pyarrow().as_py())
    linked = links.filter(links.rule.notnull())
    rules = linked.group_by("rule").aggregate(n=linked.count())
    months = stores.workspace.settings.quality.stale_after_months
    cutoff = datetime.combine(today, datetime.min.time()) - timedelta(days=round(months * 30.44))
    fields = [
        {"field": q.field, "filled": q.filled, "valid": q.valid, "invalid": q.invalid,
         "completeness": q.filled / records if records else 0.0,
         "validity": q.valid / q.filled if q.filled else None}
        for q in field_quality(customers, today)
    ]  # fmt: skip
    return QualityReport(
        records=records,
        people=people,
        duplicate_records_merged=records - people,
        links_by_rule={r["rule"]: int(r["n"]) for r in rules.to_pyarrow().to_pylist()},
        stale_after_months=months,
        stale_people=stale_people(links, customers, wh.table("orders"), cutoff),
        marketing_consent_people=consent_coverage(links, wh.table("consents")),
        fields=fields,
    )
