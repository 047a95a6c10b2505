"""The consent ledger: recording consents, and who may be contacted for what.

Consents are never changed or deleted (except by an erasure): each decision of a person is a
new entry of the ``consents`` table, and the latest entry wins. An entry without a channel
covers every channel.

Two readings of the ledger:

* :func:`current_consents`: the latest entry per purpose and channel of one person, across
  all of their records, as recorded;
* :func:`consented_people`: who may be contacted on one channel for one purpose now. Here
  the latest entry *that applies to the channel* wins, whether it names the channel or
  covers every channel: a blanket withdrawal after a consent for Zalo ends the Zalo consent,
  and a Zalo withdrawal after a blanket consent ends it for Zalo only. On a tie the
  withdrawal wins.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ..errors import InputError, NotFoundError, Where
from ..privacy.context import require
from ..schema import table as canonical_table
from ..schema.vocab import CONSENT_PURPOSES, CONSENT_STATUSES, CONTACT_CHANNELS
from . import audit
from .identity import person_links
from .stores import Stores
from .subjects import find_subject

LEDGER = "consents"
#: Times in the warehouse are local, without time zone (see docs/data-model.md).
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
#: ``source`` of the entries recorded through this module.
SOURCE = "manual"


def check_purpose(purpose: str) -> str:
    if purpose not in CONSENT_PURPOSES:
        raise InputError(
            "consent.purpose",
            where=Where(field="--purpose"),
            value=purpose,
            allowed=", ".join(CONSENT_PURPOSES),
        )
    return purpose


def check_channel(channel: str | None, *, required: bool = False) -> str | None:
    """``channel`` when it is a contact channel; ``None`` for an empty one (all channels)."""
    channel = (channel or "").strip() or None
    if channel is None and not required:
        return None
    if channel not in CONTACT_CHANNELS:
        raise InputError(
            "consent.channel",
            where=Where(field="--channel"),
            value=channel or "",
            allowed=", ".join(CONTACT_CHANNELS),
        )
    return channel


def _check_status(status: str) -> str:
    if status not in CONSENT_STATUSES:
        raise InputError(
            "consent.status",
            where=Where(field="--status"),
            value=status,
            allowed=", ".join(CONSENT_STATUSES),
        )
    return status


def _local(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(LOCAL_TIME).replace(tzinfo=None)
    if at.tzinfo is not None:
        return at.astimezone(LOCAL_TIME).replace(tzinfo=None)
    return at


def record_consent(
    stores: Stores,
    customer_id: str,
    purpose: str,
    channel: str | None,
    status: str,
    *,
    method: str,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Add an entry to the consent ledger of the record ``customer_id``; returns the entry.

    ``channel`` empty or ``None`` covers every channel; ``at`` (default: now) is when the
    person gave or withdrew it, kept as local time.
    """
    require("consents.manage")
    check_purpose(purpose)
    channel = check_channel(channel)
    _check_status(status)
    method = method.strip()
    if not method:
        raise InputError("consent.method", where=Where(field="--method"))
    wh = stores.warehouse
    customers = wh.table("customers")
    known = customers.filter(customers.customer_id == customer_id).count().to_pyarrow().as_py()
    if not known:
        raise NotFoundError("customer.not_found", customer_id=customer_id)
    entry: dict[str, Any] = {
        "consent_id": f"K-{uuid.uuid4().hex}",
        "customer_id": customer_id,
        "purpose": purpose,
        "channel": channel,
        "status": status,
        "recorded_at": _local(at),
        "method": method,
        "extra_attributes": None,
        "source": SOURCE,
        "import_batch": SOURCE,
    }
    spec = canonical_table(LEDGER)
    wh.append(LEDGER, pa.Table.from_pylist([entry], schema=spec.arrow_schema()))
    audit.record(
        stores,
        "consent.record",
        target=entry["consent_id"],
        rows=1,
        details={"purpose": purpose, "channel": channel or "", "status": status, "method": method},
    )
    return _plain_entry(entry)


def _plain_entry(entry: dict[str, Any]) -> dict[str, Any]:
    recorded = entry["recorded_at"]
    return {
        "consent_id": entry["consent_id"],
        "customer_id": entry["customer_id"],
        "purpose": entry["purpose"],
        "channel": entry["channel"] or None,
        "status": entry["status"],
        "recorded_at": recorded.isoformat() if recorded is not None else None,
        "method": entry["method"],
    }


def _latest_key(entry: dict[str, Any]) -> tuple[datetime, int]:
    # Later wins; on a tie the withdrawal wins (the careful reading).
    return (entry["recorded_at"] or datetime.min, entry["status"] == "withdrawn")


def current_consents(stores: Stores, person_or_record_id: str) -> list[dict[str, Any]]:
    """The latest ledger entry per purpose and channel of a person, across their records.

    The person is found by any of their record ids or by their person id. Entries are
    ordered by purpose, then channel (the entry for every channel, ``channel`` ``None``,
    first).
    """
    require("customers.read")
    subject = find_subject(stores, person_or_record_id)
    ledger = stores.warehouse.table(LEDGER)
    rows = ledger.filter(ledger.customer_id.isin(list(subject.record_ids))).to_pyarrow()
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in rows.to_pylist():
        key = (str(entry["purpose"]), str(entry["channel"] or ""))
        if key not in latest or _latest_key(entry) > _latest_key(latest[key]):
            latest[key] = entry
    return [_plain_entry(latest[k]) for k in sorted(latest)]


def consented_people(stores: Stores, purpose: str, channel: str) -> ir.Table:
    """Person ids (column ``person_id``) who may be contacted on ``channel`` for
    ``purpose`` now: the latest entry that applies to the channel is ``given``."""
    check_purpose(purpose)
    checked = check_channel(channel, required=True)
    ledger = stores.warehouse.table(LEDGER)
    links = person_links(stores).select(link_id="customer_id", link_person="person_id")
    joined = ledger.left_join(links, ledger.customer_id == links.link_id)
    entry_channel = joined.channel.nullif("")
    applying = joined.filter(
        (joined.purpose == purpose) & (entry_channel.isnull() | (entry_channel == checked))
    )
    entries = applying.select(
        person_id=applying.link_person.fill_null(applying.customer_id),
        status=applying.status,
        recorded_at=applying.recorded_at,
        withdrawn=(applying.status == "withdrawn").ifelse(1, 0),
    )
    ranked = entries.mutate(
        _rank=ibis.row_number().over(
            group_by=entries.person_id,
            order_by=[ibis.desc(entries.recorded_at), ibis.desc(entries.withdrawn)],
        )
    )
    latest = ranked.filter((ranked._rank == 0) & (ranked.status == "given"))
    return latest.select("person_id").distinct()


__all__ = [
    "check_channel",
    "check_purpose",
    "consented_people",
    "current_consents",
    "record_consent",
]
