"""The consent ledger at a glance, per purpose and channel, counted in the warehouse.

Two counts, both per purpose × channel × status (an entry without a channel covers every
channel and is counted under ``channel`` ``None``); only counts leave the warehouse:

* the entries of the ledger (every decision ever recorded): one cheap aggregate;
* people, each counted once by their latest decision there (a withdrawal wins a tie, as in
  :mod:`chandung.services.consents`): this ranks every entry, so it takes seconds on a
  ledger of millions of entries and is computed only when asked for.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from ..privacy.context import require
from ..schema.vocab import CONSENT_PURPOSES, CONTACT_CHANNELS
from .consents import LEDGER
from .identity import person_links
from .stores import Stores


@dataclass(frozen=True)
class ConsentCount:
    purpose: str
    channel: str | None
    given: int
    withdrawn: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ConsentSummary:
    """Counts per purpose and channel (of people when ``per_person``, else of entries), and
    the size of the ledger (``people`` is counted only ``per_person``)."""

    per_person: bool
    entries: int
    people: int | None
    latest: str | None
    counts: list[ConsentCount] = field(default_factory=list)

    def of(self, purpose: str) -> list[ConsentCount]:
        """The counts of one purpose: every channel first, then the channels."""
        return [c for c in self.counts if c.purpose == purpose]

    def as_dict(self) -> dict[str, Any]:
        return {
            "per_person": self.per_person,
            "entries": self.entries,
            "people": self.people,
            "latest": self.latest,
            "counts": [c.as_dict() for c in self.counts],
        }


_PURPOSES = {p: i for i, p in enumerate(CONSENT_PURPOSES)}
_CHANNELS = {c: i for i, c in enumerate((None, *CONTACT_CHANNELS))}


def _order(purpose: str, channel: str | None) -> tuple[int, str, int, str]:
    """Purposes and channels in the vocabulary's order (every channel first)."""
    return (
        _PURPOSES.get(purpose, len(_PURPOSES)), purpose,
        _CHANNELS.get(channel, len(_CHANNELS)), channel or "",
    )  # fmt: skip


def consent_summary(stores: Stores, *, per_person: bool = False) -> ConsentSummary:
    """Ledger entries (or, ``per_person``, people by their latest decision) counted per
    purpose × channel × status."""
    require("consents.manage")
    wh = stores.warehouse
    if not wh.has_table(LEDGER):
        return ConsentSummary(per_person, 0, 0 if per_person else None, None)
    ledger = wh.table(LEDGER)
    totals = (
        ledger.aggregate(entries=ledger.count(), latest=ledger.recorded_at.max())
        .to_pyarrow()
        .to_pylist()[0]
    )
    people = None
    if per_person:
        counted, people = _latest_decisions(stores, ledger)
    else:
        rows = ledger.mutate(channel=ledger.channel.nullif("").fill_null("*"))
        grouped = rows.group_by(["purpose", "channel", "status"]).aggregate(n=rows.count())
        counted = grouped.to_pyarrow().to_pylist()
    cells: dict[tuple[str, str | None], dict[str, int]] = {}
    for row in counted:
        channel = None if row["channel"] == "*" else str(row["channel"])
        cell = cells.setdefault((str(row["purpose"]), channel), {"given": 0, "withdrawn": 0})
        if row["status"] in cell:
            cell[str(row["status"])] += int(row["n"])
    counts = [
        ConsentCount(purpose, channel, cell["given"], cell["withdrawn"])
        for (purpose, channel), cell in sorted(cells.items(), key=lambda item: _order(*item[0]))
    ]
    latest_at = totals["latest"]
    return ConsentSummary(
        per_person,
        int(totals["entries"] or 0),
        people,
        latest_at.isoformat() if latest_at is not None else None,
        counts,
    )


def _latest_decisions(stores: Stores, ledger: ir.Table) -> tuple[list[dict[str, Any]], int]:
    """Latest decision of each person per purpose and channel, counted; and the number of
    people with any decision."""
    links = person_links(stores).select(link_id="customer_id", link_person="person_id")
    joined = ledger.left_join(links, ledger.customer_id == links.link_id)
    entries = joined.select(
        person=joined.link_person.fill_null(joined.customer_id),
        purpose=joined.purpose,
        channel=joined.channel.nullif("").fill_null("*"),
        status=joined.status,
        recorded_at=joined.recorded_at,
        withdrawn=(joined.status == "withdrawn").ifelse(1, 0),
    )
    # The latest entry wins, a withdrawal on a tie: the largest (time, withdrawn) pair.
    latest = entries.group_by(["person", "purpose", "channel"]).aggregate(
        status=entries.status.argmax(
            ibis.struct({"at": entries.recorded_at, "withdrawn": entries.withdrawn})
        )
    )
    with latest.cache() as kept:  # computed once, read twice
        people = int(kept.person.nunique().to_pyarrow().as_py() or 0)
        counted = kept.group_by(["purpose", "channel", "status"]).aggregate(n=kept.count())
        return counted.to_pyarrow().to_pylist(), people


__all__ = ["ConsentCount", "ConsentSummary", "consent_summary"]
