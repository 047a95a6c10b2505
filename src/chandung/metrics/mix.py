"""Where and how people buy: channel mix, device mix, and the conversion of leads and sessions.

Every figure is an Ibis aggregate computed in the warehouse; only one row per channel, device,
platform or lead source comes into Python.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir

from ..schema import vocab
from .overview import completed_orders

UNKNOWN = "unknown"
#: Channel groups where the order is placed on a screen.
ONLINE_CHANNEL_GROUPS = ("own_online", "marketplace", "social")
#: Channel groups where the order is placed with a person: a store or a sales representative.
OFFLINE_CHANNEL_GROUPS = ("modern_trade", "general_trade", "b2b")
#: The GA4 event that ends a session in a purchase.
PURCHASE_EVENT = "purchase"


@dataclass(frozen=True)
class MixRow:
    """Completed orders and revenue of one channel, channel group, mode or device."""

    key: str
    orders: int
    revenue_vnd: int
    order_share: float
    revenue_share: float


@dataclass(frozen=True)
class ChannelMix:
    """Completed orders and revenue by channel, channel group and mode (online, offline)."""

    orders: int
    revenue_vnd: int
    by_channel: list[MixRow] = field(default_factory=list)
    by_channel_group: list[MixRow] = field(default_factory=list)
    by_mode: list[MixRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SessionGroup:
    """Sessions of one device category or platform, and how many ended in a purchase."""

    key: str
    sessions: int
    share: float
    purchase_sessions: int
    conversion_rate: float


@dataclass(frozen=True)
class DeviceMix:
    """Online orders by device, and web/app sessions by device category and platform."""

    online_orders: int
    sessions: int
    orders_by_device: list[MixRow] = field(default_factory=list)
    sessions_by_device: list[SessionGroup] = field(default_factory=list)
    sessions_by_platform: list[SessionGroup] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SessionConversion:
    """Share of sessions with at least one ``purchase`` event."""

    sessions: int
    purchase_sessions: int
    conversion_rate: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LeadSource:
    """Leads of one source channel and how many became customers and buyers."""

    key: str
    leads: int
    converted: int
    buyers: int
    buyer_rate: float


@dataclass(frozen=True)
class LeadConversion:
    """How many leads became customers (linked to a record) and buyers (then bought)."""

    leads: int
    converted: int
    buyers: int
    conversion_rate: float
    buyer_rate: float
    by_source: list[LeadSource] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def channel_group_of(orders: ir.Table) -> ir.Value:
    """The order's channel group, derived from its channel where the source left it empty."""
    derived = orders.channel.substitute(vocab.CHANNEL_GROUPS, else_=ibis.null("string"))
    return orders.channel_group.coalesce(derived).fill_null(UNKNOWN)


def mode_of(group: ir.Value) -> ir.Value:
    """``online``, ``offline`` or ``unknown`` for a channel-group expression."""
    return ibis.cases(
        (group.isin(ONLINE_CHANNEL_GROUPS), "online"),
        (group.isin(OFFLINE_CHANNEL_GROUPS), "offline"),
        else_=UNKNOWN,
    )


def _mix(sales: ir.Table, key: ir.Value, orders: int, revenue: int) -> list[MixRow]:
    rows = (
        sales.group_by(key=key)
        .aggregate(orders=sales.count(), revenue=sales.total_vnd.sum())
        .order_by(ibis.desc("orders"), ibis.desc("revenue"), "key")
    )
    return [
        MixRow(
            key=str(r["key"]),
            orders=int(r["orders"]),
            revenue_vnd=int(r["revenue"] or 0),
            order_share=_ratio(int(r["orders"]), orders),
            revenue_share=_ratio(int(r["revenue"] or 0), revenue),
        )
        for r in rows.to_pyarrow().to_pylist()
    ]


def _totals(sales: ir.Table) -> tuple[int, int]:
    row = sales.aggregate(n=sales.count(), revenue=sales.total_vnd.sum()).to_pyarrow()
    first = row.to_pylist()[0]
    return int(first["n"] or 0), int(first["revenue"] or 0)


def channel_mix(orders: ir.Table) -> ChannelMix:
    """Completed orders and revenue by channel, channel group and mode.

    A missing ``channel_group`` is derived from the channel (``vocab.CHANNEL_GROUPS``); what
    still has none is ``unknown``. Rows are sorted by orders, most first.
    """
    sales = completed_orders(orders)
    sales = sales.mutate(_group=channel_group_of(sales))
    n, revenue = _totals(sales)
    return ChannelMix(
        orders=n,
        revenue_vnd=revenue,
        by_channel=_mix(sales, sales.channel.fill_null(UNKNOWN), n, revenue),
        by_channel_group=_mix(sales, sales._group, n, revenue),
        by_mode=_mix(sales, mode_of(sales._group), n, revenue),
    )


def sessions(events: ir.Table) -> ir.Table:
    """One row per session: its device category, platform, and whether it ended in a purchase.

    A session keeps the largest device category and platform its events name (a session runs
    on one device, so they agree unless the export is inconsistent); ``unknown`` when none.
    """
    grouped = events.group_by("session_id").aggregate(
        device=events.device_category.max(),
        platform=events.platform.max(),
        purchased=(events.event_name == PURCHASE_EVENT).any(),
    )
    return grouped.mutate(
        device=grouped.device.fill_null(UNKNOWN),
        platform=grouped.platform.fill_null(UNKNOWN),
        purchased=grouped.purchased.fill_null(False),
    )


def _session_groups(per_session: ir.Table, column: str, total: int) -> list[SessionGroup]:
    rows = (
        per_session.group_by(key=per_session[column])
        .aggregate(
            sessions=per_session.count(),
            purchase_sessions=per_session.purchased.cast("int64").sum(),
        )
        .order_by(ibis.desc("sessions"), "key")
    )
    out = []
    for r in rows.to_pyarrow().to_pylist():
        n, bought = int(r["sessions"]), int(r["purchase_sessions"] or 0)
        out.append(SessionGroup(str(r["key"]), n, _ratio(n, total), bought, _ratio(bought, n)))
    return out


def session_conversion(events: ir.Table) -> SessionConversion:
    """Share of sessions (distinct ``session_id``) with at least one ``purchase`` event."""
    per_session = sessions(events)
    row = (
        per_session.aggregate(
            n=per_session.count(), bought=per_session.purchased.cast("int64").sum()
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n, bought = int(row["n"] or 0), int(row["bought"] or 0)
    return SessionConversion(n, bought, _ratio(bought, n))


def device_mix(orders: ir.Table, events: ir.Table) -> DeviceMix:
    """Online orders by device, and sessions by device category and by platform.

    Only online orders (channel groups in :data:`ONLINE_CHANNEL_GROUPS`) have a device, so the
    order mix is theirs; an online order without a device is ``unknown``. Each session group
    carries its conversion rate (share of its sessions with a purchase).
    """
    sales = completed_orders(orders)
    online = sales.filter(mode_of(channel_group_of(sales)) == "online")
    n, revenue = _totals(online)
    per_session = sessions(events)
    total = int(per_session.count().to_pyarrow().as_py() or 0)
    return DeviceMix(
        online_orders=n,
        sessions=total,
        orders_by_device=_mix(online, online.device.fill_null(UNKNOWN), n, revenue),
        sessions_by_device=_session_groups(per_session, "device", total),
        sessions_by_platform=_session_groups(per_session, "platform", total),
    )


def lead_buyers(leads: ir.Table, orders: ir.Table) -> ir.Table:
    """The leads with two flags: ``converted`` (linked to a customer record) and ``bought``.

    A lead *bought* when its customer has a completed order on or after the day the lead was
    captured: a purchase before the lead existed was not won through it.
    """
    sales = completed_orders(orders)
    linked = leads.select(
        "lead_id",
        "source_channel",
        "converted_customer_id",
        lead_day=leads.created_at.date(),
    )
    buys = sales.select(buyer_id=sales.customer_id, order_day=sales.ordered_at.date())
    matches = linked.join(
        buys,
        (linked.converted_customer_id == buys.buyer_id) & (buys.order_day >= linked.lead_day),
    )
    bought = matches.select("lead_id").distinct().mutate(bought=ibis.literal(True))
    flagged = linked.left_join(bought, "lead_id")
    return flagged.select(
        lead_id=flagged.lead_id,
        source_channel=flagged.source_channel.fill_null(UNKNOWN),
        converted=flagged.converted_customer_id.notnull(),
        bought=flagged.bought.fill_null(False),
    )


def lead_conversion(leads: ir.Table, orders: ir.Table) -> LeadConversion:
    """Share of leads that became customers, and of leads that became buyers.

    The link is ``leads.converted_customer_id``: a lead whose status says ``converted`` but
    that names no customer cannot be followed, so it does not count.
    """
    flagged = lead_buyers(leads, orders)
    measures = {
        "leads": flagged.count(),
        "converted": flagged.converted.cast("int64").sum(),
        "buyers": flagged.bought.cast("int64").sum(),
    }
    row = flagged.aggregate(**measures).to_pyarrow().to_pylist()[0]
    by_source = (
        flagged.group_by(key=flagged.source_channel)
        .aggregate(**measures)
        .order_by(ibis.desc("leads"), "key")
    )
    n, converted, buyers = (int(row[k] or 0) for k in ("leads", "converted", "buyers"))
    return LeadConversion(
        leads=n,
        converted=converted,
        buyers=buyers,
        conversion_rate=_ratio(converted, n),
        buyer_rate=_ratio(buyers, n),
        by_source=[
            LeadSource(
                key=str(r["key"]),
                leads=int(r["leads"]),
                converted=int(r["converted"] or 0),
                buyers=int(r["buyers"] or 0),
                buyer_rate=_ratio(int(r["buyers"] or 0), int(r["leads"])),
            )
            for r in by_source.to_pyarrow().to_pylist()
        ],
    )
