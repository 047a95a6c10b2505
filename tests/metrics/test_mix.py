from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from chandung.metrics.mix import (
    MixRow,
    channel_mix,
    device_mix,
    lead_conversion,
    session_conversion,
)
from chandung.schema.vocab import CHANNEL_GROUPS
from chandung.services.stores import Stores
from tests.conftest import rows


def _order(
    oid: str,
    cid: str,
    channel: str,
    total: int,
    *,
    group: str | None = "auto",
    device: str | None = None,
    status: str = "completed",
    when: str = "2025-03-01 10:00",
) -> dict[str, object]:
    return {
        "order_id": oid,
        "customer_id": cid,
        "ordered_at": datetime.fromisoformat(when),
        "channel": channel,
        "channel_group": CHANNEL_GROUPS[channel] if group == "auto" else group,
        "device": device,
        "status": status,
        "currency": "VND",
        "total_vnd": total,
    }


ORDERS = [
    _order("O1", "C1", "shopee", 100_000, device="mobile"),
    _order("O2", "C1", "shopee", 200_000, device="mobile"),
    _order("O3", "C2", "website", 500_000, device="desktop"),
    _order("O4", "C2", "app", 300_000, device=None),  # online, device unknown
    _order("O5", "C3", "store_gt", 50_000),
    _order("O6", "C3", "store_mt", 250_000, group=None),  # group derived from the channel
    _order("O7", "C4", "sales_rep", 2_000_000),
    _order("O8", "C4", "zalo", 80_000, device="tablet"),
    _order("O9", "C5", "shopee", 999_000, device="mobile", status="cancelled"),
    _order("O10", "C5", "tiki", 120_000, device="mobile", status="returned"),
]


def _groups_oracle(sales: pd.DataFrame, key: pd.Series) -> list[MixRow]:
    g = (
        sales.assign(key=key)
        .groupby("key")
        .agg(orders=("order_id", "size"), rev=("total_vnd", "sum"))
    )
    g = g.reset_index().sort_values(["orders", "rev", "key"], ascending=[False, False, True])
    n, revenue = len(sales), sales.total_vnd.sum()
    return [
        MixRow(r.key, int(r.orders), int(r.rev), r.orders / n, r.rev / revenue)
        for r in g.itertuples()
    ]


def test_channel_mix_matches_a_pandas_oracle(stores: Stores) -> None:
    stores.warehouse.replace_tables([{"orders": rows("orders", ORDERS)}])
    mix = channel_mix(stores.warehouse.table("orders"))

    df = pd.DataFrame(ORDERS)
    sales = df[df.status == "completed"]
    group = sales.channel_group.fillna(sales.channel.map(CHANNEL_GROUPS))
    mode = group.map(
        {
            "own_online": "online",
            "marketplace": "online",
            "social": "online",
            "modern_trade": "offline",
            "general_trade": "offline",
            "b2b": "offline",
        }
    )
    assert (mix.orders, mix.revenue_vnd) == (8, sales.total_vnd.sum())
    assert mix.by_channel == _groups_oracle(sales, sales.channel)
    assert mix.by_channel_group == _groups_oracle(sales, group)
    assert mix.by_mode == _groups_oracle(sales, mode)
    assert {r.key: r.orders for r in mix.by_mode} == {"online": 5, "offline": 3}
    assert sum(r.order_share for r in mix.by_channel) == pytest.approx(1.0)
    assert sum(r.revenue_share for r in mix.by_channel_group) == pytest.approx(1.0)


def test_orders_without_a_known_channel_group_are_unknown(stores: Stores) -> None:
    odd = [_order("O1", "C1", "shopee", 10, group=None), _order("O2", "C1", "shopee", 30)]
    odd[0]["channel"] = "pop_up_market"  # a channel outside the vocabulary, no group given
    stores.warehouse.replace_tables([{"orders": rows("orders", odd)}])
    mix = channel_mix(stores.warehouse.table("orders"))
    assert {r.key: r.revenue_vnd for r in mix.by_channel_group} == {
        "marketplace": 30,
        "unknown": 10,
    }
    assert {r.key: r.orders for r in mix.by_mode} == {"online": 1, "unknown": 1}


def _event(
    sid: str, name: str, device: str | None = "mobile", platform: str | None = "web"
) -> dict[str, object]:
    return {
        "event_id": f"{sid}-{name}",
        "event_name": name,
        "event_timestamp": datetime(2025, 3, 1, 10),
        "session_id": sid,
        "user_pseudo_id": "u1",
        "device_category": device,
        "platform": platform,
    }


EVENTS = [
    _event("S1", "session_start"),
    _event("S1", "purchase"),
    _event("S2", "session_start"),
    _event("S2", "page_view"),
    _event("S3", "session_start", "desktop"),
    _event("S3", "purchase", "desktop"),
    _event("S4", "page_view", "desktop"),
    _event("S5", "session_start", "mobile", "ios"),
    _event("S5", "add_to_cart", "mobile", "ios"),
    _event("S6", "session_start", None, None),
]


def test_device_mix_and_session_conversion_match_a_pandas_oracle(stores: Stores) -> None:
    stores.warehouse.replace_tables(
        [{"orders": rows("orders", ORDERS), "events": rows("events", EVENTS)}]
    )
    wh = stores.warehouse
    mix = device_mix(wh.table("orders"), wh.table("events"))

    df = pd.DataFrame(ORDERS)
    sales = df[df.status == "completed"]
    online = sales[sales.channel.map(CHANNEL_GROUPS).isin(["own_online", "marketplace", "social"])]
    assert mix.online_orders == len(online) == 5
    assert mix.orders_by_device == _groups_oracle(online, online.device.fillna("unknown"))

    ev = pd.DataFrame(EVENTS)
    per = ev.groupby("session_id").agg(
        device=("device_category", "max"),
        platform=("platform", "max"),
        purchased=("event_name", lambda s: (s == "purchase").any()),
    )
    per = per.fillna({"device": "unknown", "platform": "unknown"})
    assert mix.sessions == len(per) == 6
    for column, got in (("device", mix.sessions_by_device), ("platform", mix.sessions_by_platform)):
        want = per.groupby(column).agg(n=("purchased", "size"), bought=("purchased", "sum"))
        assert {g.key: (g.sessions, g.purchase_sessions) for g in got} == {
            k: (int(r.n), int(r.bought)) for k, r in want.iterrows()
        }
        for g in got:
            assert g.share == pytest.approx(g.sessions / 6)
            assert g.conversion_rate == pytest.approx(g.purchase_sessions / g.sessions)
    assert [g.key for g in mix.sessions_by_device] == ["mobile", "desktop", "unknown"]

    conversion = session_conversion(wh.table("events"))
    assert conversion.sessions == 6
    assert conversion.purchase_sessions == int(per.purchased.sum()) == 2
    assert conversion.conversion_rate == pytest.approx(2 / 6)


def _lead(
    lid: str, cid: str | None, when: str, source: str | None = "zalo_oa"
) -> dict[str, object]:
    return {
        "lead_id": lid,
        "converted_customer_id": cid,
        "created_at": datetime.fromisoformat(when),
        "source_channel": source,
        "status": "converted" if cid else "new",
    }


LEADS = [
    _lead("L1", "C1", "2025-02-01 09:00"),  # C1 bought on 2025-03-01: a buyer
    _lead("L2", "C2", "2025-03-01 18:00"),  # same day as C2's orders, later hour: a buyer
    _lead("L3", "C3", "2025-04-01 09:00", "website_form"),  # C3 bought only before: converted
    _lead("L4", "C5", "2025-01-01 09:00", "website_form"),  # C5's orders were not completed
    _lead("L5", None, "2025-01-01 09:00", "website_form"),
    _lead("L6", None, "2025-01-01 09:00", None),
    _lead("L7", "C1", "2025-02-15 09:00", "referral"),  # a second lead of C1: also a buyer
]


def test_lead_conversion_matches_a_pandas_oracle(stores: Stores) -> None:
    stores.warehouse.replace_tables(
        [{"orders": rows("orders", ORDERS), "leads": rows("leads", LEADS)}]
    )
    wh = stores.warehouse
    conv = lead_conversion(wh.table("leads"), wh.table("orders"))

    leads = pd.DataFrame(LEADS)
    orders = pd.DataFrame(ORDERS)
    sales = orders[orders.status == "completed"]
    joined = leads.merge(sales, left_on="converted_customer_id", right_on="customer_id")
    joined = joined[joined.ordered_at.dt.normalize() >= joined.created_at.dt.normalize()]
    bought = set(joined.lead_id)
    assert bought == {"L1", "L2", "L7"}
    assert conv.leads == len(leads)
    assert conv.converted == int(leads.converted_customer_id.notna().sum()) == 5
    assert conv.buyers == len(bought)
    assert conv.conversion_rate == pytest.approx(5 / 7)
    assert conv.buyer_rate == pytest.approx(3 / 7)
    assert {s.key: (s.leads, s.converted, s.buyers) for s in conv.by_source} == {
        "zalo_oa": (2, 2, 2),
        "website_form": (3, 2, 0),
        "referral": (1, 1, 1),
        "unknown": (1, 0, 0),
    }
    assert conv.by_source[0].key == "website_form"


def test_an_empty_warehouse_gives_zeros(stores: Stores) -> None:
    wh = stores.warehouse
    orders, events = wh.table("orders"), wh.table("events")
    assert channel_mix(orders).as_dict() == {
        "orders": 0,
        "revenue_vnd": 0,
        "by_channel": [],
        "by_channel_group": [],
        "by_mode": [],
    }
    devices = device_mix(orders, events)
    assert (devices.online_orders, devices.sessions, devices.sessions_by_device) == (0, 0, [])
    assert session_conversion(events).conversion_rate == 0.0
    leads = lead_conversion(wh.table("leads"), orders)
    assert (leads.leads, leads.buyer_rate, leads.by_source) == (0, 0.0, [])
