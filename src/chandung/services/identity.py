"""Resolving identities over the whole customer file, and keeping the result current.

The result, replaced all at once by each run: ``customer_links`` (each record, its person and
how it was linked) and ``people`` (one golden record per person), views on DuckDB over the
customer file and the two tables of people with several records (see :func:`_publish`).
Records of the customer file are never changed.
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
from ..identity import (
    MatchSettings,
    connected_components,
    golden_records,
    match_pairs,
    merged_people,
)
from ..store.app_models import IdentityOverride
from ..store.warehouse import Warehouse
from .stores import Stores, warehouse_step

LINKS_TABLE = "customer_links"
PEOPLE_TABLE = "people"
#: Golden records of people with several records (DuckDB; see :func:`_publish`).
MERGED_TABLE = "people_merged"
#: Records of people with several records: ``customer_id``, ``person_id``, ``rule``, ``score``
#: (DuckDB; the small side of the ``customer_links`` and ``people`` views).
MEMBERS_TABLE = "people_members"
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
        found = match_pairs(customers, settings, merged, split, materialise=materialise)
        pairs = materialise(found, "pairs")
        labels = connected_components(pairs, materialise)
        # The first rule in name order is its minimum; ``min`` runs on every engine, where an
        # ordered ``first`` does not (PostgreSQL has no FIRST aggregate).
        reasons = pairs.group_by("left_id").aggregate(
            rule=pairs.rule.min(), score=pairs.score.max()
        )
        by_right = pairs.group_by("right_id").aggregate(
            rule=pairs.rule.min(), score=pairs.score.max()
        )
        linked = labels.left_join(reasons, labels.customer_id == reasons.left_id).select(
            "customer_id", "person_id", "rule", "score"
        )
        linked = linked.left_join(by_right, linked.customer_id == by_right.right_id).select(
            customer_id=linked.customer_id,
            person_id=linked.person_id,
            rule=linked.rule.fill_null(by_right.rule),
            score=linked.score.fill_null(by_right.score),
        )
        # Records of people with several records; every other record is a person alone.
        # The results are kept, so they are real tables; the steps before are temporary.
        members_work = materialise(linked, "members", temp=False)
        merged_work = materialise(merged_people(customers, members_work), "people", temp=False)
        pair_counts = {
            r["rule"]: int(r["n"])
            for r in pairs.group_by("rule").aggregate(n=pairs.count()).to_pyarrow().to_pylist()
        }
        records = int(customers.count().to_pyarrow().as_py())
        several = merged_work.aggregate(
            people=merged_work.count(), records=merged_work.records.sum()
        ).to_pyarrow().to_pylist()[0]  # fmt: skip
        merged_records = int(several["records"] or 0)
        people = records - merged_records + int(several["people"] or 0)
        kept = [t.get_name() for t in (merged_work, members_work)]
        _publish(wh, *kept)
        created = [c for c in created if c not in kept]
    finally:
        for name in created:
            backend.drop_table(name, force=True)
    return ResolveReport(records, people, merged_records, pair_counts)


def _publish(wh: Warehouse, merged_work: str, members_work: str) -> None:
    """Swap in the new links and golden records, at once.

    Only people with several records are written (``people_merged``, and their records with
    the person each belongs to and why in ``people_members``). On DuckDB ``customer_links``
    and ``people`` are views adding everyone else as a person alone, which spares writing
    two copies of the whole customer file. Engines whose views would tie the customer file
    to them (PostgreSQL refuses to drop a table a view reads) get both as tables.
    """
    if wh.engine == "duckdb":
        with wh.transaction():
            wh.swap_in({MERGED_TABLE: merged_work, MEMBERS_TABLE: members_work})
            wh.replace_with_view(LINKS_TABLE, links_view(wh))
            wh.replace_with_view(PEOPLE_TABLE, people_view(wh))
        return
    backend = wh.backend
    links_work, everyone = f"{merged_work}_links", f"{merged_work}_all"
    customers, members = wh.table("customers"), backend.table(members_work)
    golden = golden_records(customers, members, backend.table(merged_work))
    try:
        backend.create_table(links_work, every_link(customers, members))
        backend.create_table(everyone, golden)
        wh.swap_in({LINKS_TABLE: links_work, PEOPLE_TABLE: everyone})
    finally:
        for name in (links_work, everyone, merged_work, members_work):
            backend.drop_table(name, force=True)


def every_link(customers: ir.Table, members: ir.Table) -> ir.Table:
    """Each customer record, its person and how it was linked: records that are not members
    of a person with several records are people of their own (no rule, no score)."""
    ids = customers.select(customer_id=customers.customer_id.cast("string"))
    return ids.left_join(members, ids.customer_id == members.customer_id).select(
        customer_id=ids.customer_id,
        person_id=members.person_id.fill_null(ids.customer_id),
        rule=members.rule,
        score=members.score,
    )


def people_view(wh: Warehouse) -> ir.Table:
    """Every person's golden record, from the live customer file and merged people: records
    not among the members of a merged person are people alone."""
    return golden_records(wh.table("customers"), wh.table(MEMBERS_TABLE), wh.table(MERGED_TABLE))


def links_view(wh: Warehouse) -> ir.Table:
    """Every record's link, from the live customer file and the members of merged people."""
    return every_link(wh.table("customers"), wh.table(MEMBERS_TABLE))


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
