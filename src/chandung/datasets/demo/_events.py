"""Web and app events in the shape of a Google Analytics 4 export.

Sessions come from three places: every website or app order (a full funnel ending in the
``purchase`` event of that order), browsing sessions of known customers that stop somewhere
along the funnel (abandoned carts among them), and anonymous visitors who never log in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from chandung.schema import vocab

from . import _arrow as A
from ._arrow import DAY_US, HOUR_US, BoolArray, IntArray
from ._calendar import Calendar, at_usual_hour
from ._catalogue import Catalogue
from ._context import Chunk
from ._geo import REGIONS, draw_places
from ._groups import PlantedGroup
from ._marketing import Campaigns
from ._orders import Items, Orders
from ._people import People
from ._random import categorical, normalised_rows, weight_matrix
from ._text import slug

EVENTS = vocab.EVENT_NAMES  # session_start, page_view, view_item, add_to_cart, begin_checkout,
#                             purchase: the funnel, in order
WEB, ANDROID, IOS = range(3)
# fmt: off
TRAFFIC = (("google", "organic"), ("google", "cpc"), ("facebook", "paid_social"),
           ("facebook", "social"), ("zalo", "social"), ("(direct)", "(none)"),
           ("newsletter", "email"), ("tiktok", "paid_social"), ("tiktok", "social"))
#: Traffic mix of each group's sessions (same order as TRAFFIC); visitors use the last row.
TRAFFIC_WEIGHTS: dict[str, tuple[float, ...]] = {
    "urban_beauty": (15, 8, 15, 8, 5, 12, 5, 20, 12),
    "young_parents": (15, 8, 15, 12, 25, 12, 8, 3, 2),
    "affluent_premium": (25, 15, 5, 3, 5, 30, 15, 1, 1),
    "bargain_provincial": (10, 5, 20, 25, 25, 10, 1, 2, 2),
    "students_tech": (25, 12, 8, 5, 3, 15, 2, 15, 15),
    "b2b_buyers": (35, 20, 3, 2, 10, 25, 5, 0, 0),
    "visitor": (30, 15, 15, 5, 5, 15, 0, 10, 5),
}
#: Campaign channel behind each paid traffic source.
_PAID = {1: "google_ads", 2: "facebook_ads", 6: "email", 7: "tiktok_ads"}
_NO_CAMPAIGN = {0: "(organic)", 3: "(referral)", 4: "(referral)", 5: "(direct)", 8: "(referral)"}
BROWSERS = ("Chrome", "Safari", "Cốc Cốc", "Edge", "Firefox", "Samsung Internet")
#: Browser weights by operating system (android, ios, windows, macos, linux, other).
_BROWSER_BY_OS = ((75, 0, 12, 0, 0, 13), (20, 75, 5, 0, 0, 0), (62, 0, 22, 12, 4, 0),
                  (25, 70, 5, 0, 0, 0), (70, 0, 0, 0, 30, 0), (80, 0, 0, 0, 20, 0))
# fmt: on


@dataclass(frozen=True)
class _Sessions:
    owner: IntArray  # customer record, -1 for an anonymous visitor
    kind: IntArray  # 0 purchase, 1 browse, 2 anonymous
    group: IntArray
    order: IntArray  # -1 unless a purchase session
    start: IntArray  # µs; for purchase sessions, the time of the order
    platform: IntArray
    device: IntArray
    os: IntArray
    logged_in: BoolArray


def _sessions(
    rng: np.random.Generator,
    groups: tuple[PlantedGroup, ...],
    people: People,
    orders: Orders,
    seen: IntArray,
    calendar: Calendar,
) -> _Sessions:
    ch = vocab.SALES_CHANNELS
    own = np.isin(orders.channel, (ch.index("website"), ch.index("app")))
    po = np.flatnonzero(own)
    own_orders = np.bincount(orders.customer[po], minlength=people.size)
    any_orders = np.bincount(orders.customer, minlength=people.size) > 0
    probs = weight_matrix([x.channels for x in groups], ch)
    affinity = probs[:, ch.index("website")] + probs[:, ch.index("app")] + 0.15
    rate = 0.9 * own_orders + 2.0 * affinity[people.group] * (0.5 + 0.5 * any_orders)
    browser_owner = np.repeat(np.arange(people.size), rng.poisson(rate))
    b = len(browser_owner)
    lo = np.maximum(seen[browser_owner] - 30 * DAY_US, calendar.start_us)
    browse_start = lo + (rng.random(b) * (calendar.end_us - lo)).astype(np.int64)
    browse_start = at_usual_hour(rng, browse_start)
    browse_start = np.minimum(browse_start, calendar.end_us - HOUR_US)
    v = int(rng.poisson(0.6 * people.size))
    shares = np.array([x.share for x in groups])
    visitor_group = rng.choice(len(groups), size=v, p=shares / shares.sum())
    visit_start = at_usual_hour(rng, rng.integers(calendar.start_us, calendar.end_us, v))
    visit_start = np.minimum(visit_start, calendar.end_us - HOUR_US)

    owner = np.concatenate([orders.customer[po], browser_owner, np.full(v, -1)])
    kind = np.concatenate([np.zeros(len(po)), np.ones(b), np.full(v, 2)]).astype(np.int64)
    group = np.concatenate(
        [people.group[orders.customer[po]], people.group[browser_owner], visitor_group]
    )
    n = len(owner)
    safe = np.maximum(owner, 0)
    desktop = vocab.DEVICES.index("desktop")
    mobile_os = np.where(people.platform[safe] == vocab.PLATFORMS.index("ios"), IOS, ANDROID)
    app_order = orders.channel[po] == ch.index("app")
    on_app = np.concatenate(
        [
            app_order,
            (people.device[browser_owner] != desktop) & (rng.random(b) < 0.55),
            rng.random(v) < 0.15,
        ]
    )
    platform = np.where(on_app, np.where(kind == 2, rng.integers(1, 3, n), mobile_os), WEB)
    device = np.concatenate(
        [
            np.where(app_order, vocab.DEVICES.index("mobile"), np.maximum(orders.device[po], 0)),
            people.device[browser_owner],
            rng.choice(3, size=v, p=[0.6, 0.35, 0.05]),
        ]
    )
    device = np.where(on_app & (device == desktop), vocab.DEVICES.index("mobile"), device)
    person_os = np.where(
        owner >= 0,
        people.platform[safe],
        np.where(
            device == desktop, vocab.PLATFORMS.index("windows"), vocab.PLATFORMS.index("android")
        ),
    )
    os_of_platform = np.array([-1, vocab.PLATFORMS.index("android"), vocab.PLATFORMS.index("ios")])
    os = np.where(platform == WEB, person_os, os_of_platform[platform])
    # A phone browsing the website runs the phone's system, not the desktop one on file.
    phone_os = np.where(
        person_os == vocab.PLATFORMS.index("macos"),
        vocab.PLATFORMS.index("ios"),
        vocab.PLATFORMS.index("android"),
    )
    os = np.where((platform == WEB) & (device != desktop) & (os >= 2), phone_os, os)
    return _Sessions(
        owner=owner,
        kind=kind,
        group=group.astype(np.int64),
        order=np.concatenate([po, np.full(b + v, -1)]).astype(np.int64),
        start=np.concatenate([orders.time[po], browse_start, visit_start]),
        platform=platform.astype(np.int64),
        device=device.astype(np.int64),
        os=os.astype(np.int64),
        logged_in=(kind == 0) | ((kind == 1) & (rng.random(n) < 0.65)),
    )


def _funnel(rng: np.random.Generator, s: _Sessions, lines: IntArray) -> IntArray:
    """Number of events of each funnel step per session: (sessions, 6)."""
    n = len(s.kind)
    buy = s.kind == 0
    visitor = s.kind == 2
    page_views = 1 + rng.poisson(np.where(visitor, 0.8, np.where(buy, 1.2, 1.5)))
    views = rng.poisson(np.where(visitor, 0.9, 1.6), n)
    views = np.where(buy, lines + rng.poisson(0.8, n), views)
    carts = np.where(
        views > 0, (rng.random(n) < np.where(visitor, 0.12, 0.3)) * (1 + rng.poisson(0.3, n)), 0
    )
    carts = np.where(buy, lines, carts)
    checkout = np.where(buy, 1, (carts > 0) & (rng.random(n) < np.where(visitor, 0.25, 0.35)))
    counts = np.stack([np.ones(n), page_views, views, carts, checkout, buy], axis=1)
    return counts.astype(np.int64)


@dataclass(frozen=True)
class _Rows:
    """One row per event: its funnel step, session, and rank within the session and step."""

    step: IntArray
    session: IntArray
    position: IntArray
    nth: IntArray

    @classmethod
    def expand(cls, counts: IntArray) -> _Rows:
        per_session = counts.sum(axis=1)
        flat = counts.ravel()
        step = np.repeat(np.tile(np.arange(counts.shape[1]), counts.shape[0]), flat)
        session = np.repeat(np.repeat(np.arange(counts.shape[0]), counts.shape[1]), flat)
        n = len(step)
        position = np.arange(n) - np.repeat(np.cumsum(per_session) - per_session, per_session)
        nth = np.arange(n) - np.repeat(np.cumsum(flat) - flat, flat)
        return cls(step, session, position, nth)


def _timeline(rng: np.random.Generator, s: _Sessions, rows: _Rows) -> tuple[IntArray, IntArray]:
    """Session starts and event times; a purchase session ends at the time of its order."""
    n = len(rows.step)
    if n == 0:
        return s.start.copy(), np.zeros(0, dtype=np.int64)
    gaps = ((3 + rng.exponential(40, n)) * 1_000_000).astype(np.int64)
    first = np.flatnonzero(rows.position == 0)  # every session opens with session_start
    gaps[first] = 0
    cum = np.cumsum(gaps)
    elapsed = cum - cum[first][rows.session]
    last = np.append(first[1:] - 1, n - 1)
    start = np.where(s.kind == 0, s.start - elapsed[last], s.start)
    when: IntArray = start[rows.session] + elapsed
    return start, when


def _products(
    rng: np.random.Generator,
    groups: tuple[PlantedGroup, ...],
    s: _Sessions,
    rows: _Rows,
    items: Items,
    lines: IntArray,
    catalogue: Catalogue,
) -> tuple[IntArray, IntArray, BoolArray]:
    """Product and cart value of item events: the order's lines, or what the group browses."""
    session = rows.session
    line_start = np.searchsorted(items.order, np.maximum(s.order, 0))
    in_order = (s.kind[session] == 0) & (rows.nth < lines[session])
    in_order &= (rows.step == 2) | (rows.step == 3)
    item_row = np.minimum(line_start[session] + rows.nth, max(len(items.order) - 1, 0))
    bundle_probs = weight_matrix([x.bundles for x in groups], catalogue.bundle_names)
    bundle = categorical(rng, bundle_probs, s.group)[session]
    slots = (catalogue.bundle_chance > 0).sum(axis=1)
    slot = (rng.random(len(session)) * slots[bundle]).astype(np.int64)
    tier = categorical(rng, np.array([x.price_tiers for x in groups]), s.group[session])
    browsed = catalogue.pick(rng, catalogue.bundle_subcats[bundle, slot], tier)
    if len(items.order):
        product = np.where(in_order, items.product[item_row], browsed)
        value = np.where(in_order, items.line_total[item_row], catalogue.price[product])
    else:
        product, value = browsed, catalogue.price[browsed]
    return product, value, in_order


def _values(s: _Sessions, rows: _Rows, cart_value: IntArray, orders: Orders) -> IntArray:
    """Value of cart, checkout and purchase events (-1 for events without one)."""
    order = np.maximum(s.order[rows.session], 0)
    buy = s.kind[rows.session] == 0
    step = rows.step
    carts = np.bincount(rows.session, weights=np.where(step == 3, cart_value, 0),
                        minlength=len(s.kind))[rows.session]  # fmt: skip
    value = np.select(
        [step == 3, (step == 4) & buy, step == 4, step == 5],
        [cart_value, orders.items_amount[order], carts, orders.total[order]],
        -1,
    )
    result: IntArray = value.astype(np.int64)
    return result


def _campaign_names(
    rng: np.random.Generator,
    groups: tuple[PlantedGroup, ...],
    s: _Sessions,
    start: IntArray,
    calendar: Calendar,
    campaigns: Campaigns,
) -> tuple[IntArray, pa.Array]:
    """Traffic source of each session and its GA4 campaign name."""
    mix = normalised_rows(
        np.array([TRAFFIC_WEIGHTS[x.group_id] for x in groups] + [TRAFFIC_WEIGHTS["visitor"]])
    )
    traffic = categorical(rng, mix, np.where(s.owner >= 0, s.group, len(groups)))
    day = calendar.day_of(start)
    campaign = np.full(len(s.kind), -1, dtype=np.int64)
    for source, channel in _PAID.items():
        running = campaigns.running(calendar, (channel,))
        campaign = np.where(traffic == source, running[day], campaign)
    names = [*campaigns.names, *_NO_CAMPAIGN.values(), "(not set)"]
    labels = list(_NO_CAMPAIGN)
    fallback = np.array([
        campaigns.size + (labels.index(t) if t in _NO_CAMPAIGN else len(labels))
        for t in range(len(TRAFFIC))
    ])  # fmt: skip
    campaign = np.where(campaign >= 0, campaign, fallback[traffic])
    return traffic, A.take(names, campaign)


def draw_events(chunk: Chunk, first_number: int) -> pa.Table:
    """GA4-like events of a chunk's customers and of anonymous visitors."""
    rng, groups, people, seen = chunk.rng, chunk.groups, chunk.people, chunk.seen
    orders, items, catalogue = chunk.orders, chunk.items, chunk.catalogue
    calendar, campaigns = chunk.calendar, chunk.campaigns
    s = _sessions(rng, groups, people, orders, seen, calendar)
    lines_per_order = np.bincount(items.order, minlength=orders.size)
    lines = np.where(s.order >= 0, lines_per_order[np.maximum(s.order, 0)], 0)
    rows = _Rows.expand(_funnel(rng, s, lines))
    step, session = rows.step, rows.session
    n = len(step)
    start, when = _timeline(rng, s, rows)
    product, cart_value, _ = _products(rng, groups, s, rows, items, lines, catalogue)
    has_item = (step == 2) | (step == 3)
    order = s.order[session]

    pages = ("/", "/khuyen-mai", "/gio-hang", "/thanh-toan", "/dat-hang-thanh-cong")
    page_vocab = [
        *pages,
        *(f"/danh-muc/{slug(c)}" for c in catalogue.category),
        *(f"/san-pham/{p}" for p in catalogue.slugs),
    ]
    # Sessions land on the home page, the promotions page or a category page.
    u = rng.random(n)
    landing = np.where(u < 0.5, 0, np.where(u < 0.65, 1, len(pages) + product))
    products = len(catalogue.slugs)
    page = np.select(
        [has_item, step == 4, step == 5], [len(pages) + products + product, 3, 4], landing
    )
    traffic, campaign_name = _campaign_names(rng, groups, s, start, calendar, campaigns)
    browser = categorical(rng, normalised_rows(np.array(_BROWSER_BY_OS)), s.os)
    visitors_home = draw_places(rng, np.ones(len(s.kind)), np.zeros(len(s.kind))).current
    region = np.where(s.owner >= 0, people.places.current[np.maximum(s.owner, 0)], visitors_home)
    pseudo = _pseudo_ids(rng, s, people.size, seen)
    value = _values(s, rows, cart_value, orders)
    at = pa.array(session)
    per_session = {
        "session_id": A.join(pseudo, ":", A.int_strings(start // 1_000_000)),
        "user_pseudo_id": pseudo,
        "customer_id": chunk.customer_ids.take(pa.array(np.maximum(s.owner, 0), mask=~s.logged_in)),
        "platform": A.take(vocab.EVENT_PLATFORMS, s.platform),
        "device_category": A.take(vocab.DEVICES, s.device),
        "operating_system": A.take(vocab.PLATFORMS, s.os),
        "browser": A.take(BROWSERS, browser, s.platform != WEB),
        "traffic_source": A.take([t[0] for t in TRAFFIC], traffic),
        "traffic_medium": A.take([t[1] for t in TRAFFIC], traffic),
        "campaign_name": campaign_name,
        "region": A.take(REGIONS, region),
    }
    per_event = {
        "event_id": A.ids("E", first_number, n, 10),
        "event_name": A.take(EVENTS, step),
        "event_timestamp": A.timestamps(when),
        "page_location": A.take(page_vocab, page, s.platform[session] != WEB),
        "item_id": catalogue.product_ids.take(pa.array(product, mask=~has_item)),
        "value_vnd": A.ints(value, value < 0),
        "order_id": chunk.order_ids.take(
            pa.array(np.maximum(order, 0), mask=(step != 5) | (order < 0))
        ),
    }
    columns = {**per_event, **{k: v.take(at) for k, v in per_session.items()}}
    return A.canonical_table("events", columns, n, chunk.import_batch)


def _pseudo_ids(rng: np.random.Generator, s: _Sessions, customers: int, seen: IntArray) -> pa.Array:
    """GA4 pseudo ids: one per known customer, a fresh one per anonymous visit."""
    person = rng.integers(1_000_000_000, 10_000_000_000, customers)
    first = seen // 1_000_000
    visitor = rng.integers(1_000_000_000, 10_000_000_000, len(s.owner))
    known = s.owner >= 0
    safe = np.maximum(s.owner, 0)
    left = np.where(known, person[safe], visitor)
    right = np.where(known, first[safe], s.start // 1_000_000)
    return A.fixed_strings(
        np.hstack(
            [
                A.digit_matrix(left, 10),
                np.broadcast_to(A.byte_row("."), (len(left), 1)),
                A.digit_matrix(right, 10),
            ]
        )
    )
