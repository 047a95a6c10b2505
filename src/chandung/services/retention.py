"""Retention: deleting the people who have done nothing for longer than the stated policy.

A person's last activity is their latest order or the latest time a source recorded them.
A purge lists first (the default) and deletes only when asked; deleting rewrites each table
without the person's rows and swaps all of them in at once, then records what was deleted
(counts, never the data).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ..errors import InputError, Where
from ..schema import table as canonical_table
from ..store.app_models import RetentionPurge
from . import audit
from .identity import person_links, resolve_identities
from .stores import Stores

#: Tables whose rows belong to a customer, and the column that says which.
CUSTOMER_TABLES = {
    "customers": "customer_id", "orders": "customer_id", "events": "customer_id",
    "feedback": "customer_id", "survey_responses": "customer_id", "consents": "customer_id",
    "campaign_contacts": "customer_id",
}  # fmt: skip
_DURATION = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_DAYS = {"d": 1, "w": 7, "m": 30.44, "y": 365.25}


def parse_duration(text: str) -> timedelta:
    """``36m``, ``3y``, ``12w``, ``90d`` as a length of time (a month is 30.44 days)."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise InputError("input.duration", where=Where(field="--older-than"), value=text)
    return timedelta(days=round(int(match.group(1)) * _DAYS[match.group(2).lower()]))


@dataclass(frozen=True)
class PurgeReport:
    older_than: str
    cutoff: str
    applied: bool
    people: int
    rows: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _expired_records(stores: Stores, cutoff: datetime) -> ir.Table:
    """Record ids of the people whose last activity is before ``cutoff``."""
    wh = stores.warehouse
    links = person_links(stores).select("customer_id", "person_id")
    customers = wh.table("customers").select("customer_id", "first_seen_at")
    orders = wh.table("orders")
    last_order = orders.group_by("customer_id").aggregate(last=orders.ordered_at.max())
    activity = (
        links.left_join(customers, "customer_id")
        .select("customer_id", "person_id", "first_seen_at")
        .left_join(last_order, "customer_id")
        .select("person_id", "first_seen_at", "last")
    )
    latest = activity.group_by("person_id").aggregate(
        last=ibis.greatest(activity.last.max(), activity.first_seen_at.max())
    )
    expired = latest.filter(latest.last.notnull() & (latest.last < ibis.literal(cutoff)))
    return links.inner_join(expired.select("person_id"), "person_id").select("customer_id")


def purge(
    stores: Stores, older_than: str, *, apply: bool = False, now: datetime | None = None
) -> PurgeReport:
    """List (or, with ``apply``, delete) what the retention policy ``older_than`` removes."""
    cutoff = (now or datetime.now(UTC).replace(tzinfo=None)) - parse_duration(older_than)
    wh = stores.warehouse
    if not wh.has_table("people"):
        resolve_identities(stores)
    expired = _expired_records(stores, cutoff)
    ids = wh.backend.create_table("_retention_expired", expired, temp=True, overwrite=True)
    try:
        people = int(
            person_links(stores).inner_join(ids, "customer_id").person_id.nunique()
            .to_pyarrow().as_py()
        )  # fmt: skip
        rows: dict[str, int] = {}
        keep: dict[str, ir.Table] = {}
        for name, column in CUSTOMER_TABLES.items():
            t = wh.table(name)
            doomed = t.semi_join(ids, t[column] == ids.customer_id)
            rows[name] = int(doomed.count().to_pyarrow().as_py())
            keep[name] = t.anti_join(ids, t[column] == ids.customer_id)
        items = wh.table("order_items")
        gone_orders = wh.table("orders").semi_join(ids, "customer_id").select("order_id")
        rows["order_items"] = int(
            items.semi_join(gone_orders, "order_id").count().to_pyarrow().as_py()
        )
        keep["order_items"] = items.anti_join(gone_orders, "order_id")
        if apply and people:
            work = {}
            for name, expr in keep.items():
                # The rewritten table keeps the canonical schema, constraints included.
                spec = canonical_table(name)
                work[name] = f"_retention_{name}"
                wh.backend.create_table(
                    work[name], schema=ibis.schema(spec.ibis_schema()), overwrite=True
                )
                wh.backend.insert(work[name], expr.select(*spec.column_names))
            wh.swap_in(work)
            resolve_identities(stores)
            _forget_in_derived_tables(stores)
            with stores.app_db.session() as session:
                session.add(
                    RetentionPurge(
                        purged_at=datetime.now(UTC),
                        older_than=older_than,
                        cutoff=cutoff,
                        counts={"people": people, **rows},
                    )
                )
            audit.record(stores, "retention.purge", target=older_than, rows=people,
                         details={"cutoff": cutoff.isoformat(), **rows})  # fmt: skip
    finally:
        wh.backend.drop_table("_retention_expired", force=True)
    return PurgeReport(older_than, cutoff.isoformat(sep=" "), apply and people > 0, people, rows)


#: Tables computed from the customer file that keep rows per person.
_RECOMPUTED = ("customer_value", "segment_base")
_PER_PERSON = ("segment_assignments", "segment_snapshot_members")


def _forget_in_derived_tables(stores: Stores) -> None:
    """Purged people leave the derived tables too: value and the segment base go (the next
    analysis computes them again), assignments and snapshots keep only people still here."""
    wh = stores.warehouse
    for name in _RECOMPUTED:
        wh.backend.drop_table(name, force=True)
    people = wh.table("people").select(person=wh.table("people").person_id)
    for name in _PER_PERSON:
        if not wh.has_table(name):
            continue
        rows = wh.table(name)
        kept = rows.semi_join(people, rows.customer_id == people.person)
        work = f"_retention_{name}"
        wh.backend.create_table(work, kept, overwrite=True)
        wh.swap_in({name: work})
