"""Orders and order lines: who buys what, when, where and how.

Repeat buying follows a BG/NBD-like process: each person buys at a Gamma-distributed rate
(a Poisson process, time-warped through the group's seasonal calendar) and, after each
purchase, leaves for good with a Beta-distributed probability. Baskets come from shopping
missions, so products that belong together are bought together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chandung.schema import vocab

from ._arrow import DAY_US, HOUR_US, BoolArray, FloatArray, IntArray
from ._calendar import Calendar, hour_weights
from ._catalogue import TET_BUNDLES, Catalogue
from ._geo import CURRENT, URBANITY
from ._groups import PlantedGroup
from ._people import People
from ._random import categorical, rank_within, weight_matrix

CH = vocab.SALES_CHANNELS
PAY = vocab.PAYMENT_METHODS
_MARKETPLACE = np.array([vocab.CHANNEL_GROUPS[c] == "marketplace" for c in CH])
_STORE = np.array([c in ("store_mt", "store_gt") for c in CH])
_SOCIAL = np.array([vocab.CHANNEL_GROUPS[c] == "social" for c in CH])
_OWN = np.array([vocab.CHANNEL_GROUPS[c] == "own_online" for c in CH])
_B2B = np.array([c == "sales_rep" for c in CH])
_FASHION_BUNDLES = ("office_outfit", "casual", "womenswear")
#: Subcategories people stock up on: more units per line.
_BULK_SUBCATS = ("diapers", "wipes", "formula", "cleaning", "weaning")
#: Missions of people buying for hotels and restaurants.
_HOTEL_PROFILE = {"hotel_supply": 80, "office_restock": 10, "corporate_gift": 10}


@dataclass(frozen=True)
class Stores:
    """The retailer's own stores (modern trade) and the shops that stock it (general trade)."""

    ids: tuple[str, ...]
    start: IntArray  # (provinces, 2) first store of each province and kind (0 MT, 1 GT)
    count: IntArray


def build_stores() -> Stores:
    """Stores in every province: more supermarkets in the big cities."""
    ids: list[str] = []
    start = np.zeros((len(CURRENT), 2), dtype=np.int64)
    count = np.zeros((len(CURRENT), 2), dtype=np.int64)
    for p, name in enumerate(CURRENT):
        urban = URBANITY.get(name, 0.1)
        for kind, (label, k) in enumerate((("MT", 1 + int(8 * urban)), ("GT", 3 + int(4 * urban)))):
            start[p, kind] = len(ids)
            count[p, kind] = k
            ids += [f"{label}-{p + 1:02d}-{i + 1:02d}" for i in range(k)]
    return Stores(tuple(ids), start, count)


@dataclass(frozen=True)
class Orders:
    """Orders of a chunk, sorted by customer then time."""

    customer: IntArray
    time: IntArray
    channel: IntArray
    device: IntArray
    payment: IntArray
    status: IntArray
    store: IntArray
    bundle: IntArray
    items_amount: IntArray
    discount: IntArray
    shipping: IntArray
    total: IntArray
    delivery: IntArray
    number: IntArray  # running order number, in time order within the chunk

    @property
    def size(self) -> int:
        """Number of orders."""
        return len(self.customer)


@dataclass(frozen=True)
class Items:
    """Order lines of a chunk, sorted by order then line number."""

    order: IntArray
    line: IntArray
    product: IntArray
    quantity: IntArray
    unit_price: IntArray
    line_total: IntArray


def _gp(groups: tuple[PlantedGroup, ...], attr: str) -> FloatArray:
    return np.array([getattr(g, attr) for g in groups], dtype=float)


def purchase_days(
    rng: np.random.Generator,
    people: People,
    groups: tuple[PlantedGroup, ...],
    calendar: Calendar,
) -> tuple[IntArray, FloatArray]:
    """Customer (row) and day (fractional) of every purchase, BG/NBD-like."""
    g = people.group
    n = people.size
    shape = _gp(groups, "rate_shape")[g]
    rate = rng.gamma(shape, _gp(groups, "purchases_per_year")[g] / shape) / 365.0
    a = np.array([x.dropout[0] for x in groups])[g]
    b = np.array([x.dropout[1] for x in groups])[g]
    purchases_until_dropout = rng.geometric(rng.beta(a, b))
    never = rng.random(n) < _gp(groups, "never_bought_share")[g]
    span = calendar.acquisition_cumulative[g, calendar.days]
    first = calendar.warp(g, rng.random(n) * span, acquisition=True)
    # Customers from before the history show up soon after it starts.
    early = np.minimum(rng.exponential(45.0, n), calendar.days - 1)
    first = np.where(people.veteran, early, first)
    start_level = calendar.level(g, first)
    room = calendar.cumulative[g, calendar.days] - start_level
    candidates = rng.poisson(rate * room)
    repeats = np.where(never, 0, np.minimum(candidates, purchases_until_dropout - 1))
    owner = np.repeat(np.arange(n, dtype=np.int64), candidates)
    key = np.sort(owner + rng.random(len(owner)))
    owner = key.astype(np.int64)
    position = key - owner
    keep = rank_within(owner) < repeats[owner]
    owner, position = owner[keep], position[keep]
    level = start_level[owner] + position * room[owner]
    repeat_days = calendar.warp(g[owner], level)
    buyers = np.flatnonzero(~never)
    customer = np.concatenate([buyers, owner])
    days = np.concatenate([first[buyers], repeat_days])
    return customer, days


def _channels(
    rng: np.random.Generator,
    people: People,
    groups: tuple[PlantedGroup, ...],
    customer: IntArray,
    day: FloatArray,
    days: int,
) -> IntArray:
    g = people.group[customer]
    probs = weight_matrix([x.channels for x in groups], CH)
    other = categorical(rng, probs, g)
    loyal = rng.random(len(customer)) < _gp(groups, "channel_loyalty")[g]
    channel = np.where(loyal, people.main_channel[customer], other)
    # TikTok Shop grew fast over the period: early orders went to Shopee instead.
    early = rng.random(len(customer)) < 0.6 * (1 - day / days)
    tiktok, shopee = CH.index("tiktok_shop"), CH.index("shopee")
    return np.where((channel == tiktok) & early, shopee, channel).astype(np.int64)


def _times(
    rng: np.random.Generator, calendar: Calendar, day: FloatArray, channel: IntArray
) -> IntArray:
    n = len(day)
    hour = np.empty(n, dtype=np.int64)
    for kind, rows in (
        ("store", _STORE[channel]),
        ("b2b", _B2B[channel]),
        ("online", ~_STORE[channel] & ~_B2B[channel]),
    ):
        hour[rows] = rng.choice(24, size=int(rows.sum()), p=hour_weights(kind))
    within = rng.integers(0, HOUR_US, n)
    result: IntArray = calendar.start_us + np.floor(day).astype(np.int64) * DAY_US
    return result + hour * HOUR_US + within


def _baskets(
    rng: np.random.Generator,
    catalogue: Catalogue,
    groups: tuple[PlantedGroup, ...],
    group: IntArray,
    bundle: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    breadth = _gp(groups, "basket_breadth")[group]
    chance = np.minimum(catalogue.bundle_chance[bundle] * breadth[:, None], 0.97)
    taken = rng.random(chance.shape) < chance
    taken[~taken.any(axis=1), 0] = True
    order, slot = np.nonzero(taken)
    subcat = catalogue.bundle_subcats[bundle[order], slot]
    tiers = np.array([x.price_tiers for x in groups])
    tier = categorical(rng, tiers, group[order])
    return order.astype(np.int64), catalogue.pick(rng, subcat, tier), subcat


def _missions(
    rng: np.random.Generator,
    groups: tuple[PlantedGroup, ...],
    catalogue: Catalogue,
    calendar: Calendar,
    profile: IntArray,
    channel: IntArray,
    day: IntArray,
) -> IntArray:
    """Shopping mission of each order; before Tết many baskets turn into Tết gifts."""
    profiles = [dict(x.bundles) for x in groups] + [_HOTEL_PROFILE]
    bundle = categorical(rng, weight_matrix(profiles, catalogue.bundle_names), profile)
    b2b = _B2B[channel]
    gift = calendar.pre_tet[day] & (rng.random(len(channel)) < np.where(b2b, 0.6, 0.22))
    names = catalogue.bundle_names
    tet = np.where(b2b, names.index(TET_BUNDLES[1]), names.index(TET_BUNDLES[0]))
    result: IntArray = np.where(gift, tet, bundle)
    return result


def _lines(
    rng: np.random.Generator,
    groups: tuple[PlantedGroup, ...],
    catalogue: Catalogue,
    calendar: Calendar,
    group: IntArray,
    bundle: IntArray,
    channel: IntArray,
    day: IntArray,
) -> Items:
    """Order lines: products of the mission, units, and the price paid that day."""
    order, product, subcat = _baskets(rng, catalogue, groups, group, bundle)
    bulk = np.isin(subcat, [catalogue.subcat_keys.index(s) for s in _BULK_SUBCATS])
    extra = _gp(groups, "extra_quantity")[group[order]] * np.where(bulk, 2.0, 1.0)
    quantity = np.minimum(1 + rng.poisson(extra), np.where(_B2B[channel[order]], 60, 12))
    # List prices are today's; they were lower before, by about 4% a year.
    years_ago = (calendar.days - day[order]) / 365.0
    price = catalogue.price[product] * (1 - 0.04 * years_ago)
    flash = calendar.sale_day[day[order]] & _MARKETPLACE[channel[order]]
    flash &= rng.random(len(order)) < 0.6
    price = np.where(flash, price * rng.uniform(0.7, 0.9, len(order)), price)
    unit_price = np.maximum(np.round(price / 1000) * 1000, 1000).astype(np.int64)
    return Items(
        order=order,
        line=rank_within(order) + 1,
        product=product,
        quantity=quantity.astype(np.int64),
        unit_price=unit_price,
        line_total=quantity * unit_price,
    )


def draw_orders(
    rng: np.random.Generator,
    people: People,
    groups: tuple[PlantedGroup, ...],
    calendar: Calendar,
    catalogue: Catalogue,
    stores: Stores,
    bundle_profile: IntArray,
    first_number: int,
) -> tuple[Orders, Items]:
    """Simulate every order and order line of a chunk's customers."""
    customer, day = purchase_days(rng, people, groups, calendar)
    channel = _channels(rng, people, groups, customer, day, calendar.days)
    time = _times(rng, calendar, day, channel)
    order = np.lexsort((time, customer))
    customer, time, channel = customer[order], time[order], channel[order]
    day_index = calendar.day_of(time)
    n = len(customer)
    g = people.group[customer]
    bundle = _missions(
        rng, groups, catalogue, calendar, bundle_profile[customer], channel, day_index
    )
    items = _lines(rng, groups, catalogue, calendar, g, bundle, channel, day_index)
    weights = items.line_total.astype(np.float64)
    items_amount = np.bincount(items.order, weights=weights, minlength=n).round().astype(np.int64)
    discount = _discounts(rng, people, customer, channel, items_amount, calendar, day_index)
    shipping = _shipping(rng, channel, items_amount)
    province = people.places.current[customer]
    kind = np.where(channel == CH.index("store_gt"), 1, 0)
    pick = (rng.random(n) * stores.count[province, kind]).astype(np.int64)
    store = np.where(_STORE[channel], stores.start[province, kind] + pick, -1)
    gifted = ~_STORE[channel] & ~_B2B[channel] & (rng.random(n) < 0.05)
    delivery = np.where(gifted, rng.integers(0, len(CURRENT), n), province)
    # Order numbers follow time within the chunk, as a shop's counter does.
    number = first_number + np.argsort(np.argsort(time, kind="stable"), kind="stable")
    orders = Orders(
        customer=customer,
        time=time,
        channel=channel,
        device=_devices(rng, people, customer, channel),
        payment=_payments(rng, groups, g, channel),
        status=_status(rng, channel, bundle, catalogue),
        store=store,
        bundle=bundle,
        items_amount=items_amount,
        discount=discount,
        shipping=shipping,
        total=items_amount - discount + shipping,
        delivery=delivery.astype(np.int64),
        number=number.astype(np.int64),
    )
    return orders, items


def _discounts(
    rng: np.random.Generator,
    people: People,
    customer: IntArray,
    channel: IntArray,
    items: IntArray,
    calendar: Calendar,
    day: IntArray,
) -> IntArray:
    n = len(channel)
    bargain = people.mindset[customer] == 0
    chance = np.select(
        [_MARKETPLACE[channel], _OWN[channel], _SOCIAL[channel], channel == CH.index("store_mt")],
        [0.35, 0.25, 0.1, 0.15],
        0.02,
    )
    chance = chance + 0.4 * (calendar.sale_day[day] & _MARKETPLACE[channel]) + 0.1 * bargain
    voucher = rng.random(n) < chance
    amount = np.minimum(items * rng.uniform(0.05, 0.15, n), 200_000)
    volume = _B2B[channel] & (items > 20_000_000)
    amount = np.where(volume, items * rng.uniform(0.03, 0.08, n), np.where(voucher, amount, 0))
    result: IntArray = (np.round(amount / 1000) * 1000).astype(np.int64)
    return result


def _shipping(rng: np.random.Generator, channel: IntArray, items: IntArray) -> IntArray:
    n = len(channel)
    fee = rng.integers(3, 8, n) * 5_000
    own = (_OWN[channel] | _SOCIAL[channel]) & (items < 500_000)
    market = _MARKETPLACE[channel] & (rng.random(n) < 0.4)
    small_b2b = _B2B[channel] & (items < 3_000_000)
    result: IntArray = np.where(own | market, fee, np.where(small_b2b, 200_000, 0)).astype(np.int64)
    return result


def _status(
    rng: np.random.Generator, channel: IntArray, bundle: IntArray, catalogue: Catalogue
) -> IntArray:
    n = len(channel)
    cancel = np.select(
        [_MARKETPLACE[channel], _SOCIAL[channel], _OWN[channel], _B2B[channel]],
        [0.07, 0.08, 0.04, 0.02],
        0.005,
    )
    fashion = np.isin(bundle, [catalogue.bundle_names.index(b) for b in _FASHION_BUNDLES])
    returned = np.where(_STORE[channel], 0.01, np.where(fashion, 0.07, 0.02))
    u = rng.random(n)
    status = np.where(u < cancel, 1, np.where(u < cancel + returned, 2, 0))
    return status.astype(np.int64)


def _payments(
    rng: np.random.Generator, groups: tuple[PlantedGroup, ...], g: IntArray, channel: IntArray
) -> IntArray:
    online = categorical(rng, weight_matrix([x.payments for x in groups], PAY), g)
    store = categorical(rng, weight_matrix([x.store_payments for x in groups], PAY), g)
    social_cod = _SOCIAL[channel] & (rng.random(len(g)) < 0.5)
    payment = np.where(_STORE[channel], store, np.where(social_cod, PAY.index("cod"), online))
    return payment.astype(np.int64)


def _devices(
    rng: np.random.Generator, people: People, customer: IntArray, channel: IntArray
) -> IntArray:
    own_device = people.device[customer]
    mobile = vocab.DEVICES.index("mobile")
    app_like = (channel == CH.index("app")) | _SOCIAL[channel]
    market_mobile = _MARKETPLACE[channel] & (rng.random(len(channel)) < 0.85)
    desktop = own_device == vocab.DEVICES.index("desktop")
    device = np.where((app_like & desktop) | market_mobile, mobile, own_device)
    online = ~_STORE[channel] & ~_B2B[channel]
    result: IntArray = np.where(online, device, -1).astype(np.int64)
    return result


def is_b2b_channel(channel: IntArray) -> BoolArray:
    """Whether orders were taken by a sales rep."""
    result: BoolArray = _B2B[channel]
    return result


def first_orders(orders: Orders, size: int) -> tuple[IntArray, BoolArray]:
    """Index of each customer's first order, and whether the customer has one."""
    first = np.full(size, -1, dtype=np.int64)
    new = np.ones(orders.size, dtype=bool)
    new[1:] = orders.customer[1:] != orders.customer[:-1]
    first[orders.customer[new]] = np.flatnonzero(new)
    return first, first >= 0
