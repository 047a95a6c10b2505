"""Marketing campaigns over the period, and who each direct campaign reached.

Direct campaigns (e-mail, SMS, Zalo) have contact lists: customers who had given marketing
consent and fit the campaign's audience, and some Zalo OA followers among the leads. Opens,
clicks and replies depend on the channel and the group; a contact converts when the customer
ordered within a week, and the order is then attributed to the campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from chandung.schema import vocab

from . import _arrow as A
from ._arrow import DAY_US, HOUR_US, MINUTE_US, BoolArray, FloatArray, IntArray
from ._calendar import TET_DATES, Calendar, at_usual_hour
from ._context import Chunk
from ._crm import Leads, MarketingConsent
from ._groups import B2B_GROUP
from ._orders import Orders
from ._people import People

_DIRECT = ("email", "sms", "zalo")
_MID_AUTUMN = {2022: (9, 10), 2023: (9, 29), 2024: (9, 17), 2025: (10, 6), 2026: (9, 25),
               2027: (9, 15), 2028: (10, 3)}  # fmt: skip
#: Chance a contact opens, and clicks once opened, by channel (SMS opens are not tracked).
_OPEN = {"email": 0.22, "zalo": 0.6, "sms": 0.0}
_CLICK = {"email": 0.25, "zalo": 0.2, "sms": 0.05}
_REPLY = {"email": 0.015, "zalo": 0.08, "sms": 0.01}
#: Seconds per customer in the (customer, time) key of orders: room for 136 years.
_SPAN = 1 << 32


@dataclass(frozen=True)
class Campaigns:
    """The campaigns of the whole period, sorted by start."""

    names: tuple[str, ...]
    channel: tuple[str, ...]
    objective: tuple[str, ...]
    audience: tuple[str, ...]
    start: IntArray
    end: IntArray
    budget: IntArray

    @property
    def size(self) -> int:
        """Number of campaigns."""
        return len(self.names)

    def ids(self) -> pa.Array:
        """Campaign ids."""
        return A.ids("CMP", 1, self.size, 3)

    def table(self, import_batch: str) -> pa.Table:
        """The canonical ``campaigns`` table."""
        return A.canonical_table(
            "campaigns",
            {
                "campaign_id": self.ids(),
                "name": pa.array(self.names, pa.string()),
                "channel": pa.array(self.channel, pa.string()),
                "objective": pa.array(self.objective, pa.string()),
                "started_at": A.timestamps(self.start),
                "ended_at": A.timestamps(self.end),
                "budget_vnd": A.ints(self.budget),
            },
            self.size,
            import_batch,
        )

    def running(self, calendar: Calendar, channels: tuple[str, ...]) -> IntArray:
        """For each day, the latest-started campaign on one of ``channels`` running (-1)."""
        active = np.full(calendar.days, -1, dtype=np.int64)
        for c in range(self.size):
            if self.channel[c] in channels:
                first = max(calendar.day_of(np.array([self.start[c]]))[0], 0)
                last = calendar.day_of(np.array([self.end[c]]))[0]
                active[first : last + 1] = c
        return active


def build_campaigns(calendar: Calendar) -> Campaigns:
    """The campaigns run over the calendar's period."""
    rows: list[tuple[str, str, str, str, dt.date, dt.date, int]] = []
    first, last = calendar.start, calendar.date(calendar.days - 1)
    tets = {t.year: t for t in TET_DATES}
    for y in range(first.year, last.year + 2):
        d = dt.date
        if y in tets:
            tet = tets[y]
            rows += [
                (
                    f"Sắm Tết {y} - Zalo OA",
                    "zalo",
                    "tet_promotion",
                    "all",
                    tet - dt.timedelta(30),
                    tet - dt.timedelta(2),
                    150,
                ),
                (
                    f"Tết {y} - Quảng cáo Facebook",
                    "facebook_ads",
                    "tet_promotion",
                    "none",
                    tet - dt.timedelta(35),
                    tet - dt.timedelta(3),
                    400,
                ),
                (
                    f"Quà Tết doanh nghiệp {y}",
                    "email",
                    "tet_promotion",
                    "b2b",
                    tet - dt.timedelta(60),
                    tet - dt.timedelta(10),
                    80,
                ),
            ]
        rows += [
            (f"Mừng 8/3 {y}", "sms", "gift_day", "women", d(y, 3, 1), d(y, 3, 8), 60),
            (
                f"Khách hàng quay lại - Quý 2/{y}",
                "email",
                "reactivation",
                "lapsed",
                d(y, 4, 10),
                d(y, 4, 30),
                30,
            ),
            (
                f"Ra mắt bộ sưu tập hè {y}",
                "tiktok_ads",
                "new_product_launch",
                "none",
                d(y, 5, 5),
                d(y, 5, 31),
                250,
            ),
            (
                f"Back to school {y}",
                "google_ads",
                "acquisition",
                "none",
                d(y, 8, 1),
                d(y, 8, 31),
                200,
            ),
            (f"Siêu sale 9.9 {y}", "zalo", "sale_event", "all", d(y, 9, 7), d(y, 9, 10), 50),
            (
                f"Khách hàng quay lại - Quý 4/{y}",
                "sms",
                "reactivation",
                "lapsed",
                d(y, 10, 1),
                d(y, 10, 20),
                30,
            ),
            (
                f"Phụ nữ Việt Nam 20/10 {y}",
                "zalo",
                "gift_day",
                "women",
                d(y, 10, 14),
                d(y, 10, 20),
                60,
            ),
            (
                f"Siêu sale 11.11 {y}",
                "email",
                "sale_event",
                "marketplace",
                d(y, 11, 8),
                d(y, 11, 12),
                120,
            ),
        ]
        if y in _MID_AUTUMN:
            moon = d(y, *_MID_AUTUMN[y])
            rows.append(
                (f"Trung thu {y}", "zalo", "seasonal", "parents", moon - dt.timedelta(14), moon, 40)
            )
    rows = sorted((r for r in rows if first <= r[4] <= last), key=lambda r: (r[4], r[0]))
    epoch = dt.date(1970, 1, 1)
    return Campaigns(
        names=tuple(r[0] for r in rows),
        channel=tuple(r[1] for r in rows),
        objective=tuple(r[2] for r in rows),
        audience=tuple(r[3] for r in rows),
        start=np.array([(r[4] - epoch).days * DAY_US + 8 * HOUR_US for r in rows], np.int64),
        end=np.array([(r[5] - epoch).days * DAY_US + 23 * HOUR_US for r in rows], np.int64),
        budget=np.array([r[6] * 1_000_000 for r in rows], dtype=np.int64),
    )


def _reach(
    audience: str, people: People, lapsed: BoolArray, parents: int, b2b: int, marketplace: BoolArray
) -> FloatArray:
    p = {
        "all": np.full(people.size, 0.3),
        "women": np.where(people.female, 0.5, 0.05),
        "parents": np.where(
            people.group == parents, 0.7, np.where(people.children > 0, 0.15, 0.02)
        ),
        "lapsed": np.where(lapsed, 0.8, 0.0),
        "b2b": np.where(people.group == b2b, 0.9, 0.0),
        "marketplace": np.where(marketplace, 0.5, 0.15),
    }[audience]
    result: FloatArray = p
    return result


def _order_key(orders: Orders, start_us: int) -> IntArray:
    seconds = (orders.time - start_us) // 1_000_000
    result: IntArray = orders.customer * _SPAN + seconds
    return result


@dataclass(frozen=True)
class Contacts:
    """The campaign contacts of a chunk, and the campaign each order is attributed to."""

    table: pa.Table
    order_campaign: IntArray


@dataclass(frozen=True)
class _Steps:
    """Contacts as arrays: record (-1: none) and time of each step (-1: did not happen)."""

    campaign: IntArray
    customer: IntArray
    lead: IntArray
    sent: IntArray
    opened: IntArray
    clicked: IntArray
    responded: IntArray
    converted: IntArray
    order: IntArray

    @classmethod
    def concat(cls, parts: list[_Steps]) -> _Steps:
        names = [f.name for f in fields(cls)]
        if not parts:
            return cls(*(np.zeros(0, dtype=np.int64) for _ in names))
        return cls(*(np.concatenate([getattr(p, k) for p in parts]) for k in names))


def _lapsed(chunk: Chunk, key: IntArray, start: int) -> BoolArray:
    """Customers who bought before ``start`` but not in the 120 days before it."""
    orders, n = chunk.orders, chunk.people.size
    everyone = np.arange(n)
    before = np.searchsorted(key, everyone * _SPAN + (start - chunk.calendar.start_us) // 10**6)
    before -= 1
    bought = before >= 0
    bought[bought] = orders.customer[before[bought]] == everyone[bought]
    result: BoolArray = bought & (orders.time[np.maximum(before, 0)] < start - 120 * DAY_US)
    return result


def _sent(rng: np.random.Generator, campaigns: Campaigns, c: int, size: int) -> IntArray:
    """Send times: office hours of the campaign's first two days."""
    start, end = int(campaigns.start[c]), int(campaigns.end[c])
    window = max(min(2 * DAY_US, end - start), 1)
    sent = at_usual_hour(rng, start + rng.integers(0, window, size), "b2b")
    result: IntArray = np.clip(sent, start, end)
    return result


def _reached(chunk: Chunk, c: int, who: IntArray, key: IntArray, sent: IntArray) -> _Steps:
    """What the customers ``who`` did after campaign ``c`` reached them."""
    rng, orders = chunk.rng, chunk.orders
    channel = chunk.campaigns.channel[c]
    mult = np.array([x.response_multiplier for x in chunk.groups])[chunk.people.group[who]]
    k = len(who)
    opened = rng.random(k) < np.minimum(_OPEN[channel] * mult, 0.95)
    clicked = rng.random(k) < np.minimum(_CLICK[channel] * mult, 0.9)
    clicked &= opened | (channel == "sms")
    replied = opened & (rng.random(k) < _REPLY[channel] * mult)
    # Round up to the second, so that the order found is never before the message.
    probe = who * _SPAN - (chunk.calendar.start_us - sent) // 1_000_000
    nxt = np.minimum(np.searchsorted(key, probe), max(orders.size - 1, 0))
    bought = (orders.size > 0) & (orders.customer[nxt] == who)
    bought &= (orders.time[nxt] >= sent) & (orders.time[nxt] <= sent + 7 * DAY_US)
    credit = np.where(clicked, 0.9, np.where(opened, 0.4, 0.15))
    converted = bought & (rng.random(k) < credit)
    open_at = sent + rng.exponential(2 * HOUR_US, k).astype(np.int64)
    click_at = open_at + rng.exponential(10 * MINUTE_US, k).astype(np.int64)
    reply_at = open_at + rng.exponential(HOUR_US, k).astype(np.int64)
    return _Steps(
        campaign=np.full(k, c, dtype=np.int64),
        customer=who,
        lead=np.full(k, -1, dtype=np.int64),
        sent=sent,
        opened=np.where(opened, open_at, -1),
        clicked=np.where(clicked, click_at, -1),
        responded=np.where(replied, reply_at, -1),
        converted=np.where(converted, orders.time[nxt], -1),
        order=np.where(converted, nxt, -1),
    )


def _followers(chunk: Chunk, c: int, leads: Leads) -> _Steps:
    """Zalo OA followers among the leads who received campaign ``c``."""
    rng = chunk.rng
    start = int(chunk.campaigns.start[c])
    who = np.flatnonzero(leads.zalo & (leads.created < start))
    who = who[rng.random(len(who)) < 0.5]
    k = len(who)
    sent = _sent(rng, chunk.campaigns, c, k)
    opened = rng.random(k) < _OPEN["zalo"] * 0.6
    open_at = sent + rng.exponential(3 * HOUR_US, k).astype(np.int64)
    none = np.full(k, -1, dtype=np.int64)
    return _Steps(
        campaign=np.full(k, c, dtype=np.int64), customer=none, lead=who, sent=sent,
        opened=np.where(opened, open_at, -1), clicked=none, responded=none, converted=none,
        order=none,
    )  # fmt: skip


def draw_contacts(
    chunk: Chunk, has_email: BoolArray, consent: MarketingConsent, leads: Leads, first_number: int
) -> Contacts:
    """Contacts of every direct campaign among a chunk's customers and leads."""
    rng, campaigns, people = chunk.rng, chunk.campaigns, chunk.people
    key = _order_key(chunk.orders, chunk.calendar.start_us)
    markets = [vocab.SALES_CHANNELS.index(c) for c in ("shopee", "lazada", "tiki", "tiktok_shop")]
    main_market = np.isin(people.main_channel, markets)
    parents = next(i for i, g in enumerate(chunk.groups) if g.group_id == "young_parents")
    parts: list[_Steps] = []
    for c in range(campaigns.size):
        channel = campaigns.channel[c]
        if channel not in _DIRECT:
            continue
        start = int(campaigns.start[c])
        # Only people who had agreed to marketing by then, and can be reached on the channel.
        eligible = (chunk.seen < start) & (consent.given >= 0) & (consent.given < start)
        eligible &= consent.withdrawn > start
        if channel == "email":
            eligible &= has_email
        lapsed = _lapsed(chunk, key, start)
        reach = _reach(campaigns.audience[c], people, lapsed, parents, B2B_GROUP, main_market)
        who = np.flatnonzero(eligible & (rng.random(people.size) < reach))
        parts.append(_reached(chunk, c, who, key, _sent(rng, campaigns, c, len(who))))
        if channel == "zalo":
            parts.append(_followers(chunk, c, leads))
    steps = _Steps.concat(parts)
    order_campaign = _attribute(
        rng, campaigns, chunk.calendar, chunk.orders, steps.order, steps.campaign
    )
    k = len(steps.campaign)

    def ids(values: pa.Array, index: IntArray) -> pa.Array:
        return values.take(pa.array(np.maximum(index, 0), mask=index < 0))

    lead_ids = leads.table.column("lead_id").combine_chunks()
    columns = {
        "campaign_id": campaigns.ids().take(pa.array(steps.campaign)),
        "contact_id": A.ids("CC", first_number, k, 9),
        "customer_id": ids(chunk.customer_ids, steps.customer),
        "lead_id": ids(lead_ids, steps.lead),
        "sent_at": A.timestamps(steps.sent),
        "opened_at": A.timestamps(steps.opened, steps.opened < 0),
        "clicked_at": A.timestamps(steps.clicked, steps.clicked < 0),
        "responded_at": A.timestamps(steps.responded, steps.responded < 0),
        "converted_at": A.timestamps(steps.converted, steps.converted < 0),
        "order_id": ids(chunk.order_ids, steps.order),
    }
    table = A.canonical_table("campaign_contacts", columns, k, chunk.import_batch)
    return Contacts(table, order_campaign)


def _attribute(
    rng: np.random.Generator,
    campaigns: Campaigns,
    calendar: Calendar,
    orders: Orders,
    converted_order: IntArray,
    converted_campaign: IntArray,
) -> IntArray:
    """Campaign of each order: conversions first, then sale days and ad campaigns."""
    campaign = np.full(orders.size, -1, dtype=np.int64)
    day = calendar.day_of(orders.time)
    sale = campaigns.running(calendar, ("email", "zalo", "sms"))
    ads = campaigns.running(calendar, ("facebook_ads", "tiktok_ads", "google_ads"))
    channel_group = np.array([vocab.CHANNEL_GROUPS[c] for c in vocab.SALES_CHANNELS])
    online = np.isin(channel_group[orders.channel], ("own_online", "marketplace", "social"))
    on_sale = (sale[day] >= 0) & calendar.sale_day[day] & online
    on_sale &= rng.random(orders.size) < 0.5
    campaign = np.where(on_sale, sale[day], campaign)
    by_ad = (campaign < 0) & (ads[day] >= 0) & online & (rng.random(orders.size) < 0.12)
    campaign = np.where(by_ad, ads[day], campaign)
    hit = converted_order >= 0
    campaign[converted_order[hit]] = converted_campaign[hit]
    return campaign
