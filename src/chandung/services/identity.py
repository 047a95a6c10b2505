"""Resolving identities over the whole customer file, and keeping the result current.

The result is two derived tables in the warehouse, replaced all at once by each run:
``customer_links`` (each record, its person and how it was linked) and ``people`` (one golden
record per person). Records of the customer file are never changed.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
from sqlalchemy import select

from ..errors import NotFoundError
from ..identity import MatchSettings, connected_components, golden_records, match_pairs
from ..store.app_models import IdentityOverride
from .stores import Stores, warehouse_step

LINKS_TABLE = "customer_links"
PEOPLE_TABLE = "people"
_WORK_PREFIX = "_identity_"


@dataclass(frozen=True)
class ResolveReport:
    """What a resolution run found."""

    records: int
    people: int
    merged_records: int
    pairs_by_rule: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@warehouse_step("identities")
def resolve_identities(stores: Stores, settings: MatchSettings | None = None) -> ResolveReport:
    """Link every customer record to a person and rebuild the golden records."""
    settings = settings or _settings(stores)
    wh = stores.warehouse
    backend = wh.backend
    run = uuid.uuid4().hex[:8]
    created: list[str] = []

    def materialise(expr: ir.Table, name: str, temp: bool = True) -> ir.Table:
        table_name = f"{_WORK_PREFIX}{run}_{name}"
        backend.create_table(table_name, expr, temp=temp, overwrite=True)
        created.append(table_name)
        return backend.table(table_name)

    try:
        customers = wh.table("customers")
        merged, split = _overrides(stores)
        pairs = materialise(match_pairs(customers, settings, merged, split), "pairs")
        labels = connected_components(customers, pairs, materialise)
        # The first rule in name order is its minimum; ``min`` runs on every engine, where an
        # ordered ``first`` does not (PostgreSQL has no FIRST aggregate).
        reasons = pairs.group_by("left_id").aggregate(
            rule=pairs.rule.min(), score=pairs.score.max()
        )
        by_right = pairs.group_by("right_id").aggregate(
            rule=pairs.rule.min(), score=pairs.score.max()
        )
        links = labels.left_join(reasons, labels.customer_id == reasons.left_id).select(
            "customer_id", "person_id", "rule", "score"
        )
        links = links.left_join(by_right, links.customer_id == by_right.right_id).select(
            customer_id=links.customer_id,
            person_id=links.person_id,
            rule=links.rule.fill_null(by_right.rule),
            score=links.score.fill_null(by_right.score),
        )
        # The two results are kept, so they are real tables; the steps before are temporary.
        links_work = materialise(links, "links", temp=False)
        people_work = materialise(golden_records(customers, links_work), "people", temp=False)
        pair_counts = {
            r["rule"]: int(r["n"])
            for r in pairs.group_by("rule").aggregate(n=pairs.count()).to_pyarrow().to_pylist()
        }
        totals = people_work.aggregate(
            people=people_work.count(), records=people_work.records.sum(),
            merged=(people_work.records > 1).ifelse(people_work.records, 0).sum(),
        ).to_pyarrow().to_pylist()[0]  # fmt: skip
        wh.swap_in({LINKS_TABLE: links_work.get_name(), PEOPLE_TABLE: people_work.get_name()})
        created = [c for c in created if c not in (links_work.get_name(), people_work.get_name())]
    finally:
        for name in created:
            backend.drop_table(name, force=True)
    return ResolveReport(
        int(totals["records"] or 0),
        int(totals["people"] or 0),
        int(totals["merged"] or 0),
        pair_counts,
    )


def person_links(stores: Stores) -> ir.Table:
    """The ``customer_links`` table (empty links when identities were never resolved)."""
    if not stores.warehouse.has_table(LINKS_TABLE):
        customers = stores.warehouse.table("customers")
        return customers.select(
            "customer_id", person_id=customers.customer_id, rule=ibis.null(str),
            score=ibis.null(float),
        )  # fmt: skip
    return stores.warehouse.table(LINKS_TABLE)


def merge_records(stores: Stores, customer_id: str, other_id: str) -> ResolveReport:
    """Record that two customer records are one person, and resolve again.

    A manual merge holds even for a record split off earlier: the split only stops the
    automatic rules from linking it.
    """
    _require_records(stores, [customer_id, other_id])
    now = datetime.now(UTC)
    with stores.app_db.session() as session:
        session.add(
            IdentityOverride(
                kind="merge",
                customer_id=customer_id,
                other_customer_id=other_id,
                created_at=now,
                active=True,
            )
        )
    return resolve_identities(stores)


def split_record(stores: Stores, customer_id: str) -> ResolveReport:
    """Undo the links of a record: its manual merges end and automatic rules skip it."""
    _require_records(stores, [customer_id])
    now = datetime.now(UTC)
    with stores.app_db.session() as session:
        for override in session.scalars(select(IdentityOverride).where(
            IdentityOverride.active, IdentityOverride.kind == "merge",
            (IdentityOverride.customer_id == customer_id)
            | (IdentityOverride.other_customer_id == customer_id),
        )):  # fmt: skip
            override.active = False
        session.add(
            IdentityOverride(kind="split", customer_id=customer_id, created_at=now, active=True)
        )
    return resolve_identities(stores)


def _require_records(stores: Stores, ids: list[str]) -> None:
    customers = stores.warehouse.table("customers")
    found = set(
        customers.filter(customers.customer_id.isin(ids)).customer_id.to_pyarrow().to_pylist()
    )
    for cid in ids:
        if cid not in found:
            raise NotFoundError("customer.not_found", customer_id=cid)


def _overrides(stores: Stores) -> tuple[list[tuple[str, str]], list[str]]:
    with stores.app_db.session() as session:
        active = list(session.scalars(select(IdentityOverride).where(IdentityOverride.active)))
    merged = [
        (o.customer_id, o.other_customer_id)
        for o in active
        if o.kind == "merge" and o.other_customer_id
    ]
    split = [o.customer_id for o in active if o.kind == "split"]
    return merged, split


def _settings(stores: Stores) -> MatchSettings:
    s = stores.workspace.settings.identity
    return MatchSettings(threshold=s.threshold, max_shared=s.max_shared_identifier)
