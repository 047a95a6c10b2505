"""Reviewing identity decisions: the records linked into one person (with the rule and score
that linked them), the merges and splits people made, and making or undoing one.

Merging and splitting check ``customers.merge`` and are recorded in the audit log (the ids
of the records only).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import InputError
from ..privacy.context import require
from ..store.app_models import IdentityOverride
from . import audit
from .identity import ResolveReport, merge_records, person_links, split_record
from .stores import Stores


def manual_decisions(stores: Stores, limit: int = 50) -> list[dict[str, Any]]:
    """The merges and splits people made, newest first."""
    query = select(IdentityOverride).order_by(IdentityOverride.id.desc()).limit(limit)
    with stores.app_db.session() as session:
        return [
            {
                "id": o.id, "kind": o.kind, "customer_id": o.customer_id,
                "other_customer_id": o.other_customer_id, "created_at": o.created_at,
                "active": o.active,
            }
            for o in session.scalars(query)
        ]  # fmt: skip


def linked_records(
    stores: Stores, limit: int = 50
) -> tuple[int, dict[str, int], list[dict[str, Any]]]:
    """Records linked to another record of the same person: how many, how many per rule, and
    the ``limit`` least certain links (lowest score first) with their rule and score."""
    links = person_links(stores)
    linked = links.filter(links.rule.notnull())
    total = int(linked.count().to_pyarrow().as_py())
    by_rule = linked.group_by("rule").aggregate(n=linked.count()).to_pyarrow().to_pylist()
    rows = (
        linked.order_by([linked.score, linked.person_id, linked.customer_id])
        .limit(limit)
        .to_pyarrow()
        .to_pylist()
    )
    return total, {r["rule"]: int(r["n"]) for r in by_rule}, rows


def merge(stores: Stores, customer_id: str, other_id: str) -> ResolveReport:
    """Make two records one person (see :func:`~chandung.services.identity.merge_records`)."""
    require("customers.merge")
    if customer_id == other_id:
        raise InputError("web_data.same_record")
    report = merge_records(stores, customer_id, other_id)
    audit.record(stores, "merge", target=f"{customer_id},{other_id}", rows=2)
    return report


def split(stores: Stores, customer_id: str) -> ResolveReport:
    """Take a record out of its person (see :func:`~chandung.services.identity.split_record`)."""
    require("customers.merge")
    report = split_record(stores, customer_id)
    audit.record(stores, "unmerge", target=customer_id, rows=1)
    return report


__all__ = ["linked_records", "manual_decisions", "merge", "split"]
