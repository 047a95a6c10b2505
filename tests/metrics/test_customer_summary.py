from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pytest

from chandung.errors import InputError
from chandung.metrics.customer_summary import (
    HOLDOUT_COLUMNS,
    SUMMARY_COLUMNS,
    customer_summary,
)
from tests.conftest import rows

CDNOW = Path(__file__).parents[1] / "data" / "cdnow"


def _order(
    oid: str,
    cid: str,
    when: str,
    total: int,
    status: str = "completed",
    group: str | None = "marketplace",
    device: str | None = "mobile",
) -> dict[str, object]:
    return {
        "order_id": oid,
        "customer_id": cid,
        "ordered_at": datetime.fromisoformat(when),
        "channel": {"marketplace": "shopee", "own_online": "website"}.get(group or "", "store"),
        "channel_group": group,
        "device": device,
        "status": status,
        "currency": "VND",
        "total_vnd": total,
    }


ORDERS = [
    # A: two orders on the first day (one purchase day), then two more days.
    _order("1", "A", "2025-01-01 09:00", 100),
    _order("2", "A", "2025-01-01 21:00", 50, group="own_online", device="desktop"),
    _order("3", "A", "2025-01-15 10:00", 300),
    _order("4", "A", "2025-02-20 23:59", 200, group="own_online", device=None),
    # B: a one-off buyer, with a cancelled order that does not count.
    _order("5", "B", "2025-01-10 12:00", 80),
    _order("6", "B", "2025-02-01 12:00", 999, status="cancelled"),
    # C: buys twice on one day only, with a tie between channel groups.
    _order("7", "C", "2025-02-27 08:00", 40, group="own_online", device=None),
    _order("8", "C", "2025-02-27 09:00", 60, group="marketplace", device=None),
    # D: first buys after the calibration end.
    _order("9", "D", "2025-03-05 10:00", 70, group=None),
    # After the observation end: never counted.
    _order("10", "A", "2025-04-01 10:00", 5_000),
]


@pytest.fixture
def con() -> ibis.BaseBackend:
    return ibis.duckdb.connect()


def _orders(con: ibis.BaseBackend, records: list[dict[str, object]]) -> ir.Table:
    return con.create_table("orders", rows("orders", records), overwrite=True)


def _frame(t: ir.Table) -> pd.DataFrame:
    return t.to_pandas().set_index("customer_id").sort_index()


def oracle(
    records: list[dict[str, object]],
    end: datetime,
    unit_days: float,
    *,
    start: datetime | None = None,
) -> pd.DataFrame:
    """The summary by pandas, straight from the definitions (orders in [start, end))."""
    df = pd.DataFrame(records)
    df = df[(df.status == "completed") & (df.ordered_at < end)]
    if start is not None:
        df = df[df.ordered_at >= start]
    df = df.assign(day=df.ordered_at.dt.normalize())
    end_day = pd.Timestamp(end - timedelta(microseconds=1)).normalize()
    out = []
    for cid, g in df.groupby("customer_id"):
        by_day = g.groupby("day").total_vnd.sum().sort_index()
        first, last = by_day.index[0], by_day.index[-1]
        freq = len(by_day) - 1
        groups = g.channel_group.dropna().value_counts()
        top = sorted(groups[groups == groups.max()].index)[0] if len(groups) else None
        out.append(
            {
                "customer_id": cid,
                "first_purchase": g.ordered_at.min(),
                "last_purchase": g.ordered_at.max(),
                "orders": len(g),
                "purchase_days": len(by_day),
                "frequency": freq,
                "recency": (last - first).days / unit_days,
                "T": (end_day - first).days / unit_days,
                "monetary_value": by_day.iloc[1:].mean() if freq else 0.0,
                "total_revenue": g.total_vnd.sum(),
                "average_order_value": g.total_vnd.mean(),
                "tenure_days": (end_day - first).days,
                "days_since_last_purchase": (end_day - last).days,
                "channels": g.channel.nunique(),
                "devices": g.device.nunique(),
                "main_channel_group": top,
            }
        )
    return pd.DataFrame(out, columns=list(SUMMARY_COLUMNS)).set_index("customer_id")


def _plain(x: object) -> object:
    if isinstance(x, pd.Timestamp):
        return x.to_pydatetime()
    return None if not isinstance(x, str) and pd.isna(x) else x  # type: ignore[call-overload]


def _assert_same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.index) == list(want.index)
    for column in want.columns:
        g, w = got[column].tolist(), want[column].tolist()
        if column in ("recency", "T", "monetary_value", "average_order_value"):
            assert g == pytest.approx(w), column
        else:
            assert [_plain(x) for x in g] == [_plain(x) for x in w], column


@pytest.mark.parametrize("unit", ["days", "weeks"])
def test_summary_matches_the_pandas_oracle(con: ibis.BaseBackend, unit: str) -> None:
    got = _frame(
        customer_summary(_orders(con, ORDERS), observation_end=date(2025, 3, 31), time_unit=unit)  # type: ignore[arg-type]
    )
    want = oracle(ORDERS, datetime(2025, 4, 1), 7.0 if unit == "weeks" else 1.0)
    assert tuple(got.reset_index().columns) == SUMMARY_COLUMNS
    _assert_same(got, want)
    a, b, c = got.loc["A"], got.loc["B"], got.loc["C"]
    # Two orders on 1 January are one purchase day; the first day's spend is not "monetary".
    assert (a.orders, a.purchase_days, a.frequency) == (4, 3, 2)
    assert a.monetary_value == pytest.approx(250.0)
    assert (b.frequency, b.recency, b.monetary_value, b.orders) == (0, 0.0, 0.0, 1)
    assert (c.frequency, c.purchase_days, c.orders, c.channels) == (0, 1, 2, 2)
    assert c.main_channel_group == "marketplace"  # a tie goes to the first name


def test_a_datetime_end_is_an_instant_and_a_date_the_whole_day(con: ibis.BaseBackend) -> None:
    orders = _orders(con, ORDERS)
    whole_day = _frame(customer_summary(orders, observation_end=date(2025, 2, 20)))
    assert whole_day.loc["A", "orders"] == 4  # the order at 23:59 counts
    instant = _frame(customer_summary(orders, observation_end=datetime(2025, 2, 20, 12)))
    assert instant.loc["A", "orders"] == 3
    _assert_same(instant, oracle(ORDERS, datetime(2025, 2, 20, 12, 0, 0, 1), 1.0))


def test_calibration_and_holdout_match_the_oracle(con: ibis.BaseBackend) -> None:
    records = [
        *ORDERS,
        _order("11", "A", "2025-03-10 10:00", 30),
        _order("12", "A", "2025-03-10 11:00", 20),
        _order("13", "A", "2025-03-31 23:00", 10),
        _order("14", "A", "2025-03-12 10:00", 10, status="returned"),
    ]
    got = _frame(
        customer_summary(
            _orders(con, records),
            observation_end=date(2025, 3, 31),
            calibration_end=date(2025, 2, 20),
            time_unit="weeks",
        )
    )
    assert tuple(got.reset_index().columns) == SUMMARY_COLUMNS + HOLDOUT_COLUMNS
    # Only customers who first bought by the calibration end: C and D came later.
    assert list(got.index) == ["A", "B"]
    _assert_same(got[list(SUMMARY_COLUMNS[1:])], oracle(records, datetime(2025, 2, 21), 7.0))
    later = oracle(records, datetime(2025, 4, 1), 7.0, start=datetime(2025, 2, 21))
    later = later.reindex(got.index)
    assert got.holdout_purchases.tolist() == later.purchase_days.fillna(0).tolist() == [2, 0]
    assert got.holdout_revenue.tolist() == later.total_revenue.fillna(0).tolist() == [60, 0]
    assert got.holdout_duration.tolist() == [39 / 7, 39 / 7]


def test_a_summary_per_person_through_the_links(con: ibis.BaseBackend) -> None:
    orders = _orders(con, ORDERS)
    links = ibis.memtable(
        {"customer_id": ["A", "B", "C"], "person_id": ["P1", "P1", "C"]},
    )
    got = _frame(customer_summary(orders, observation_end=date(2025, 3, 31), links=links))
    # D is not in the links: it keeps its own id.
    assert list(got.index) == ["C", "D", "P1"]
    merged = [{**o, "customer_id": "P1"} if o["customer_id"] in "AB" else o for o in ORDERS]
    _assert_same(got, oracle(merged, datetime(2025, 4, 1), 1.0))
    assert got.loc["P1", "orders"] == 5


def test_no_orders_give_an_empty_summary(con: ibis.BaseBackend) -> None:
    s = customer_summary(_orders(con, []), observation_end=date(2025, 1, 1), time_unit="weeks")
    assert s.count().to_pyarrow().as_py() == 0
    assert tuple(s.columns) == SUMMARY_COLUMNS
    only_cancelled = _orders(con, [_order("1", "A", "2025-01-01", 10, status="cancelled")])
    assert customer_summary(only_cancelled, observation_end=date(2025, 1, 1)).to_pandas().empty


def test_one_customer_one_order(con: ibis.BaseBackend) -> None:
    s = _frame(
        customer_summary(
            _orders(con, [_order("1", "A", "2025-01-01 10:00", 10)]),
            observation_end=date(2025, 1, 8),
            time_unit="weeks",
        )
    )
    row = s.loc["A"]
    assert (row.frequency, row.recency, row["T"], row.monetary_value) == (0, 0.0, 1.0, 0.0)
    assert (row.tenure_days, row.days_since_last_purchase, row.total_revenue) == (7, 7, 10)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"observation_end": date(2025, 1, 1), "time_unit": "months"}, "metrics.time_unit"),
        ({"observation_end": "2025-01-01"}, "metrics.not_a_date"),
        (
            {"observation_end": date(2025, 1, 1), "calibration_end": date(2025, 1, 2)},
            "metrics.calibration_after_observation",
        ),
        ({"observation_end": date(2025, 1, 1), "customer_key": "buyer"}, "metrics.missing_columns"),
    ],
)
def test_bad_arguments_are_input_errors(
    con: ibis.BaseBackend, kwargs: dict[str, object], code: str
) -> None:
    with pytest.raises(InputError) as err:
        customer_summary(_orders(con, ORDERS), **kwargs)  # type: ignore[arg-type]
    assert err.value.code == code


def test_the_summary_compiles_for_postgres(con: ibis.BaseBackend) -> None:
    s = customer_summary(
        _orders(con, ORDERS),
        observation_end=date(2025, 3, 31),
        calibration_end=date(2025, 2, 1),
        time_unit="weeks",
        links=ibis.memtable({"customer_id": ["A"], "person_id": ["P"]}),
    )
    assert "SELECT" in ibis.to_sql(s, dialect="postgres")


# --- CDNOW: the summary of Fader, Hardie & Lee (2005), as published with lifetimes ---


def _cdnow(con: ibis.BaseBackend) -> tuple[ir.Table, pd.DataFrame]:
    raw = pd.read_fwf(
        CDNOW / "CDNOW_sample.txt",
        widths=[6, 5, 9, 4, 8],
        header=None,
        names=["master_id", "customer_id", "date", "cds", "dollars"],
        dtype={"master_id": str, "customer_id": str, "date": str},
    )
    frame = pd.DataFrame(
        {
            "order_id": [str(i) for i in range(1, len(raw) + 1)],
            "customer_id": raw.customer_id.astype(int).astype(str),
            "ordered_at": pd.to_datetime(raw.date, format="%Y%m%d"),
            "status": "completed",
            "total_vnd": raw.dollars.astype(float),
        }
    )
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return con.create_table("cdnow", table, overwrite=True), frame


def test_cdnow_reproduces_the_published_summary(con: ibis.BaseBackend) -> None:
    orders, _ = _cdnow(con)
    want = pd.read_csv(CDNOW / "cdnow_customers_summary.csv").set_index("ID").sort_index()
    for calibration in (None, date(1997, 9, 30)):
        got = customer_summary(
            orders,
            observation_end=date(1997, 9, 30),
            calibration_end=calibration,
            time_unit="weeks",
        ).to_pandas()
        got.index = got.customer_id.astype(int)
        got = got.sort_index()
        assert len(got) == len(want) == 2357
        assert list(got.index) == list(want.index)
        assert (got.frequency == want.frequency).all()
        assert (got.recency.round(2) == want.recency).all()
        assert (got["T"].round(2) == want["T"]).all()
        if calibration is not None:
            assert (got.holdout_purchases == 0).all() and (got.holdout_revenue == 0).all()


def test_cdnow_holdout_matches_a_pandas_oracle(con: ibis.BaseBackend) -> None:
    orders, frame = _cdnow(con)
    got = customer_summary(
        orders,
        observation_end=date(1998, 6, 30),
        calibration_end=date(1997, 9, 30),
        time_unit="weeks",
    ).to_pandas()
    got = got.set_index(got.customer_id.astype(int)).sort_index()

    # The calibration figures are those of the published summary, whatever came later.
    want = pd.read_csv(CDNOW / "cdnow_customers_summary.csv").set_index("ID").sort_index()
    assert (got.frequency == want.frequency).all()
    assert (got.recency.round(2) == want.recency).all()

    frame = frame.assign(cid=frame.customer_id.astype(int))
    late = frame[frame.ordered_at > datetime(1997, 9, 30)]
    days = late.groupby("cid").ordered_at.nunique()
    revenue = late.groupby("cid").total_vnd.sum()
    assert got.holdout_purchases.tolist() == days.reindex(got.index, fill_value=0).tolist()
    assert got.holdout_revenue.tolist() == pytest.approx(
        revenue.reindex(got.index, fill_value=0.0).tolist()
    )
    assert got.holdout_purchases.sum() == late.groupby(["cid", "ordered_at"]).ngroups
    assert got.holdout_duration.iloc[0] == pytest.approx(273 / 7)
    # The monetary value is the mean spend of the repeat days of the calibration period.
    early = frame[frame.ordered_at <= datetime(1997, 9, 30)]
    daily = early.groupby(["cid", "ordered_at"]).total_vnd.sum().reset_index()
    repeat = daily[daily.ordered_at > daily.groupby("cid").ordered_at.transform("min")]
    mean = repeat.groupby("cid").total_vnd.mean().reindex(got.index, fill_value=0.0)
    assert got.monetary_value.tolist() == pytest.approx(mean.tolist())
