from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from chandung.metrics.cadence import (
    TET_DATES,
    cadence_summary,
    purchase_cadence,
    tet_window,
)
from chandung.services.stores import Stores
from tests.conftest import rows


def _order(
    oid: str, cid: str, when: datetime, total: int = 100_000, status: str = "completed"
) -> dict[str, object]:
    return {
        "order_id": oid,
        "customer_id": cid,
        "ordered_at": when,
        "channel": "shopee",
        "status": status,
        "currency": "VND",
        "total_vnd": total,
    }


def _buys(cid: str, start: str, gaps: list[int], hour: int = 10) -> list[dict[str, object]]:
    """Orders of ``cid`` on ``start`` and then after each gap (in days)."""
    day = datetime.fromisoformat(start).replace(hour=hour)
    out = [_order(f"{cid}-0", cid, day)]
    for i, gap in enumerate(gaps, 1):
        day += timedelta(days=gap)
        out.append(_order(f"{cid}-{i}", cid, day))
    return out


ORDERS = [
    *_buys("WEEKLY", "2025-03-03", [7, 7, 7, 7]),
    *_buys("EDGE_WEEKLY", "2025-03-03", [10, 10]),  # median exactly 10: still weekly
    *_buys("MONTHLY", "2025-03-03", [0, 30]),  # two orders on one day: one purchase day
    *_buys("EDGE_MONTHLY", "2025-03-03", [45]),
    *_buys("QUARTERLY", "2024-06-01", [90, 100]),
    *_buys("SPIKY", "2024-06-01", [1, 1, 200]),  # median 1 but coefficient of variation 1.7
    *_buys("SLOW", "2024-06-01", [200]),
    *_buys("ONCE", "2025-01-15", []),
    # Tết 2025 is 29 January: the window is 1–28 January
    _order("T1", "TET", datetime(2025, 1, 1, 0, 0)),  # first instant of the window: in
    _order("T2", "TET", datetime(2025, 1, 28, 23, 59)),  # last minute before Tết: in
    _order("T3", "TET", datetime(2025, 1, 29, 9, 0)),  # Tết itself: out
    _order("T4", "TET", datetime(2024, 12, 31, 23, 0)),  # the day before the window: out
    _order("T5", "TET", datetime(2024, 1, 20, 9, 0)),  # Tết 2024 (10 February) window: in
    _order("X1", "CANCELLED_ONLY", datetime(2025, 1, 10), status="cancelled"),
    _order("X2", "ONCE", datetime(2025, 2, 10), status="returned"),
]


def _oracle(orders: list[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame(orders)
    df = df[df.status == "completed"].copy()
    tet_days = [
        date(2024, 2, 10),
        date(2025, 1, 29),
    ]  # the Tết dates these orders come near, as published

    def in_tet(ts: pd.Timestamp) -> bool:
        return any(t - timedelta(days=28) <= ts.date() < t for t in tet_days)

    seasons = {1: "tet_season", 2: "tet_season", 3: "spring", 4: "spring", 5: "summer"}
    seasons |= {6: "summer", 7: "summer", 8: "back_to_school", 9: "back_to_school"}
    seasons |= {10: "year_end", 11: "year_end", 12: "year_end"}
    out = {}
    for cid, g in df.groupby("customer_id"):
        days = sorted({ts.date() for ts in g.ordered_at})
        gaps = np.diff([d.toordinal() for d in days]).astype(float)
        median = float(np.median(gaps)) if len(gaps) else None
        cv = float(np.std(gaps, ddof=1) / np.mean(gaps)) if len(gaps) >= 2 else None
        if len(days) == 1:
            cadence = "one_off"
        elif (cv or 0) > 1 or median > 120:  # type: ignore[operator]
            cadence = "irregular"
        else:
            cadence = "weekly" if median <= 10 else "monthly" if median <= 45 else "quarterly"  # type: ignore[operator]

        def typical(values: pd.Series) -> object:
            counts = values.value_counts()
            return min(counts[counts == counts.max()].index)

        tet = sum(in_tet(ts) for ts in g.ordered_at)
        out[cid] = {
            "orders": len(g),
            "purchase_days": len(days),
            "first_day": days[0],
            "last_day": days[-1],
            "median_gap_days": median,
            "mean_gap_days": float(np.mean(gaps)) if len(gaps) else None,
            "gap_cv": cv,
            "cadence": cadence,
            "typical_weekday": typical(g.ordered_at.dt.day_of_week),
            "typical_month": typical(g.ordered_at.dt.month),
            "typical_season": typical(g.ordered_at.dt.month.map(seasons)),
            "tet_orders": tet,
            "tet_share": tet / len(g),
            "tet_shopper": tet / len(g) >= 0.5,
        }
    return pd.DataFrame.from_dict(out, orient="index").sort_index()


@pytest.fixture
def loaded(stores: Stores) -> Stores:
    stores.warehouse.replace_tables([{"orders": rows("orders", ORDERS)}])
    return stores


def test_cadence_per_customer_matches_a_pandas_oracle(loaded: Stores) -> None:
    got = purchase_cadence(loaded.warehouse.table("orders")).to_pandas()
    got = got.set_index("customer_id").sort_index()
    want = _oracle(ORDERS)
    assert list(got.index) == list(want.index)
    assert "CANCELLED_ONLY" not in got.index
    for column in want.columns:
        for cid in want.index:
            g, w = got.at[cid, column], want.at[cid, column]
            if w is None or (isinstance(w, float) and np.isnan(w)):
                assert pd.isna(g), (cid, column)
            elif isinstance(w, float):
                assert g == pytest.approx(w), (cid, column)
            elif isinstance(w, date):
                assert pd.Timestamp(g).date() == w, (cid, column)
            else:
                assert g == w, (cid, column)
    assert dict(got.cadence) == {
        "EDGE_MONTHLY": "monthly",
        "EDGE_WEEKLY": "weekly",
        "MONTHLY": "monthly",
        "ONCE": "one_off",
        "QUARTERLY": "quarterly",
        "SLOW": "irregular",
        "SPIKY": "irregular",
        "TET": "irregular",
        "WEEKLY": "weekly",
    }
    assert got.at["TET", "tet_orders"] == 3
    assert got.at["MONTHLY", "purchase_days"] == 2 and got.at["MONTHLY", "orders"] == 3


def test_typical_weekday_ties_go_to_the_earliest_day(stores: Stores) -> None:
    # one Wednesday and one Monday order: a tie, Monday (0) wins
    orders = [
        _order("A", "C1", datetime(2025, 3, 5, 10)),
        _order("B", "C1", datetime(2025, 3, 10, 10)),
    ]
    stores.warehouse.replace_tables([{"orders": rows("orders", orders)}])
    got = purchase_cadence(stores.warehouse.table("orders")).to_pyarrow().to_pylist()
    assert [(r["typical_weekday"], r["typical_month"], r["typical_season"]) for r in got] == [
        (0, 3, "spring")
    ]


def test_the_summary_matches_a_pandas_oracle(loaded: Stores) -> None:
    s = cadence_summary(loaded.warehouse.table("orders"))
    df = pd.DataFrame(ORDERS)
    sales = df[df.status == "completed"]
    want = _oracle(ORDERS)
    assert s.buyers == len(want) == 9
    assert s.orders == len(sales)
    assert s.buyers_by_cadence == {
        "weekly": 2,
        "monthly": 2,
        "quarterly": 1,
        "irregular": 3,
        "one_off": 1,
    }
    weekdays = sales.ordered_at.dt.day_of_week.value_counts()
    assert s.orders_by_weekday == [int(weekdays.get(d, 0)) for d in range(7)]
    months = sales.ordered_at.dt.month.value_counts()
    assert s.orders_by_month == [int(months.get(m, 0)) for m in range(1, 13)]
    assert sum(s.orders_by_season.values()) == len(sales)
    assert s.orders_by_season["tet_season"] == int(months.get(1, 0) + months.get(2, 0))
    typical = want.typical_weekday.value_counts()
    assert s.buyers_by_typical_weekday == [int(typical.get(d, 0)) for d in range(7)]
    assert sum(s.buyers_by_typical_season.values()) == 9
    assert s.tet_orders == int(want.tet_orders.sum())
    tet_revenue = int(want.tet_orders.sum()) * 100_000  # every order is 100 000 VND
    assert s.tet_order_share == pytest.approx(s.tet_orders / len(sales))
    assert s.tet_revenue_share == pytest.approx(tet_revenue / sales.total_vnd.sum())
    assert s.tet_shoppers == int(want.tet_shopper.sum())


def test_an_empty_warehouse_has_an_empty_summary(stores: Stores) -> None:
    orders = stores.warehouse.table("orders")
    assert purchase_cadence(orders).count().to_pyarrow().as_py() == 0
    s = cadence_summary(orders)
    assert (s.buyers, s.orders, s.tet_orders, s.tet_order_share) == (0, 0, 0, 0.0)
    assert s.orders_by_weekday == [0] * 7 and s.orders_by_month == [0] * 12
    assert set(s.buyers_by_cadence.values()) == {0}
    assert s.as_dict()["orders_by_season"]["summer"] == 0


def test_tet_dates_are_the_published_ones_and_a_lunar_year_apart() -> None:
    assert TET_DATES[2024] == date(2024, 2, 10)
    assert TET_DATES[2025] == date(2025, 1, 29)
    assert TET_DATES[2026] == date(2026, 2, 17)
    assert sorted(TET_DATES) == list(range(2015, 2036))
    for year, tet in TET_DATES.items():
        assert tet.year == year
        assert date(year, 1, 21) <= tet <= date(year, 2, 20)  # Tết falls in this range
    years = sorted(TET_DATES)
    for a, b in itertools.pairwise(years):
        # 12 lunar months (354–355 days) or 13 in a leap year (383–385)
        assert (TET_DATES[b] - TET_DATES[a]).days in {354, 355, 383, 384, 385}
    assert tet_window(2026) == (date(2026, 1, 20), date(2026, 2, 17))
