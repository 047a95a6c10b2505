from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from chandung.metrics.overview import overview
from chandung.services.stores import Stores
from tests.conftest import TINY_ORDERS


def test_overview_matches_a_pandas_oracle(tiny_business: Stores) -> None:
    wh = tiny_business.warehouse
    o = overview(wh.table("customers"), wh.table("orders"))

    df = pd.DataFrame(TINY_ORDERS)
    sales = df[df.status == "completed"]
    per = sales.groupby("customer_id").agg(n=("order_id", "size"), last=("ordered_at", "max"))
    assert o.customer_records == 5
    assert o.orders == len(sales) == 5
    assert o.revenue_vnd == sales.total_vnd.sum() == 2_000_000
    assert o.buyers == sales.customer_id.nunique() == 3
    assert o.average_order_value_vnd == pytest.approx(400_000)
    assert o.repeat_rate == pytest.approx((per.n >= 2).mean())
    # active: bought within 90 days of the last order (2025-06-28): C2 and C4
    assert o.active_customers == 2
    assert [m.month for m in o.months] == [date(2025, m, 1) for m in (1, 3, 6)]
    assert [m.revenue_vnd for m in o.months] == [100_000, 500_000, 1_400_000]
    assert [m.new_customers for m in o.months] == [1, 1, 1]
    assert o.revenue_by_channel_group == {
        "marketplace": 1_400_000,
        "own_online": 400_000,
        "general_trade": 200_000,
    }
    assert o.orders_by_device == {"mobile": 3, "desktop": 1, "unknown": 1}


def test_overview_of_an_empty_warehouse_is_zero(stores: Stores) -> None:
    wh = stores.warehouse
    o = overview(wh.table("customers"), wh.table("orders"))
    assert (o.orders, o.revenue_vnd, o.buyers, o.repeat_rate) == (0, 0, 0, 0.0)
    assert o.months == [] and o.last_order is None
