from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pytest

from chandung.errors import InputError
from chandung.metrics.retention import cohort_retention, retention_by_period
from tests.conftest import rows


def _order(oid: str, cid: str, when: datetime, status: str = "completed") -> dict[str, object]:
    return {
        "order_id": oid,
        "customer_id": cid,
        "ordered_at": when,
        "channel": "shopee",
        "status": status,
        "currency": "VND",
        "total_vnd": 1000,
    }


def _random_orders(seed: int, n: int = 400) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        # Customers arrive over time; March 2024 has no orders at all (a gap).
        month = int(rng.integers(0, 15))
        if month == 2:
            month = 3
        day = int(rng.integers(1, 29))
        when = datetime(2024 + month // 12, month % 12 + 1, day, int(rng.integers(0, 24)))
        status = "cancelled" if rng.random() < 0.1 else "completed"
        out.append(_order(f"O{i}", f"C{int(rng.integers(0, 60))}", when, status))
    return out


def _table(records: list[dict[str, object]]) -> ir.Table:
    return ibis.duckdb.connect().create_table("orders", rows("orders", records))


def oracle_activity(records: list[dict[str, object]], freq: str) -> dict[pd.Period, set[str]]:
    df = pd.DataFrame(records)
    df = df[df.status == "completed"]
    periods = pd.to_datetime(df.ordered_at).dt.to_period(freq)
    return {p: set(g) for p, g in df.customer_id.groupby(periods)}


@pytest.mark.parametrize(("period", "freq"), [("month", "M"), ("quarter", "Q")])
def test_retention_matches_a_pandas_oracle(period: str, freq: str) -> None:
    records = _random_orders(5)
    got = retention_by_period(_table(records), period=period)  # type: ignore[arg-type]
    active = oracle_activity(records, freq)
    span = pd.period_range(min(active), max(active), freq=freq)
    assert [r.period for r in got] == [p.start_time.date() for p in span[1:]]
    for r, (before, now) in zip(got, pairwise(span), strict=True):
        prev, cur = active.get(before, set()), active.get(now, set())
        assert (r.active, r.previous_active, r.retained) == (len(cur), len(prev), len(prev & cur))
        if prev:
            assert r.retention_rate == pytest.approx(len(prev & cur) / len(prev))
            assert r.churn_rate == pytest.approx(1 - len(prev & cur) / len(prev))
        else:
            assert r.retention_rate is None and r.churn_rate is None
    if period == "month":
        gap = {r.period: r for r in got}
        assert gap[date(2024, 3, 1)].active == 0
        assert gap[date(2024, 4, 1)].retention_rate is None


def test_cohort_matrix_matches_a_pandas_oracle() -> None:
    records = _random_orders(9)
    got = cohort_retention(_table(records))
    df = pd.DataFrame(records)
    df = df[df.status == "completed"]
    month = pd.to_datetime(df.ordered_at).dt.to_period("M")
    df = df.assign(month=month, cohort=month.groupby(df.customer_id).transform("min"))
    last = df.month.max()
    want = []
    for cohort, g in df.groupby("cohort"):
        size = g.customer_id.nunique()
        ages = (g.month - cohort).map(lambda d: d.n)
        active = [g.customer_id[ages == age].nunique() for age in range((last - cohort).n + 1)]
        want.append((cohort.start_time.date(), size, active))
    assert [(c.month, c.customers, c.active) for c in got.cohorts] == want
    for c in got.cohorts:
        assert c.shares == pytest.approx([a / c.customers for a in c.active])
        assert c.shares[0] == 1.0
    assert got.months == len(want[0][2])
    assert got.as_dict()["cohorts"][0]["month"] == want[0][0].isoformat()


def test_people_are_counted_once_through_the_links() -> None:
    records = [
        _order("1", "A", datetime(2025, 1, 5)),
        _order("2", "B", datetime(2025, 2, 5)),  # B is A under another record
        _order("3", "C", datetime(2025, 1, 9)),
    ]
    links = ibis.memtable({"customer_id": ["A", "B", "C"], "person_id": ["A", "A", "C"]})
    by_record = retention_by_period(_table(records))[0]
    by_person = retention_by_period(_table(records), links=links)[0]
    assert (by_record.retained, by_record.retention_rate) == (0, 0.0)
    assert (by_person.retained, by_person.retention_rate) == (1, 0.5)
    cohorts = cohort_retention(_table(records), links=links).cohorts
    assert [(c.customers, c.active) for c in cohorts] == [(2, [2, 1])]


def test_no_orders_and_a_single_period() -> None:
    assert retention_by_period(_table([])) == []
    assert cohort_retention(_table([])).cohorts == []
    assert cohort_retention(_table([])).months == 0
    one = [_order("1", "A", datetime(2025, 1, 5)), _order("2", "A", datetime(2025, 1, 6))]
    assert retention_by_period(_table(one)) == []
    (cohort,) = cohort_retention(_table(one)).cohorts
    assert (cohort.month, cohort.customers, cohort.active, cohort.shares) == (
        date(2025, 1, 1),
        1,
        [1],
        [1.0],
    )


def test_quarters_start_on_the_first_day_of_the_quarter() -> None:
    records = [
        _order("1", "A", datetime(2024, 12, 31, 23)),
        _order("2", "A", datetime(2025, 2, 1)),
        _order("3", "B", datetime(2025, 3, 1)),
        _order("4", "B", datetime(2025, 4, 1)),
    ]
    got = retention_by_period(_table(records), period="quarter")
    assert [r.period for r in got] == [date(2025, 1, 1), date(2025, 4, 1)]
    assert [(r.retained, r.retention_rate) for r in got] == [(1, 1.0), (1, 0.5)]
    assert got[0].as_dict()["period"] == "2025-01-01"


def test_a_bad_period_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        retention_by_period(_table([]), period="week")  # type: ignore[arg-type]
    assert err.value.code == "metrics.period"
