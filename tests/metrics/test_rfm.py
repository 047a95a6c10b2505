from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from chandung.errors import InputError
from chandung.i18n import LANGUAGES, catalogue
from chandung.metrics.customer_summary import customer_summary
from chandung.metrics.rfm import (
    RFM_SEGMENT_RULES,
    RFM_SEGMENTS,
    rfm_scores,
    rfm_segment_counts,
    segment_grid_markdown,
    segment_of,
    segment_rules_markdown,
)
from tests.conftest import rows


def _summary(days: list[int], orders: list[int], revenue: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(len(days))],
            "days_since_last_purchase": days,
            "orders": orders,
            "total_revenue": revenue,
        }
    )


def _scored(df: pd.DataFrame) -> pd.DataFrame:
    return rfm_scores(ibis.memtable(df)).to_pandas().set_index("customer_id").sort_index()


def oracle_score(values: list[float], *, higher_is_better: bool = True) -> list[int]:
    """Score by counting, for each customer, the customers with a strictly worse value."""
    n = len(values)
    out = []
    for v in values:
        below = sum(1 for w in values if (w < v if higher_is_better else w > v))
        out.append(1 if n == 1 else min(5, 1 + math.floor(5 * below / (n - 1))))
    return out


def test_the_rule_table_partitions_the_grid() -> None:
    for r in range(1, 6):
        for fm in range(1, 6):
            owners = [rule.code for rule in RFM_SEGMENT_RULES if rule.covers(r, fm)]
            assert len(owners) == 1, (r, fm, owners)
    assert len(set(RFM_SEGMENTS)) == len(RFM_SEGMENTS) == 11
    assert {segment_of(5, 5), segment_of(1, 1), segment_of(1, 5)} == {
        "champions",
        "lost",
        "cannot_lose_them",
    }
    with pytest.raises(InputError):
        segment_of(0, 3)


def test_every_segment_has_a_label_in_both_languages() -> None:
    for lang in LANGUAGES:
        labels = {k.removeprefix("rfm.segments."): v for k, v in catalogue(lang).items()}
        for code in RFM_SEGMENTS:
            assert code in labels and labels[code] != code, (lang, code)
    assert catalogue("vi")["rfm.segments.at_risk"] == "Có nguy cơ rời bỏ"


def test_scores_match_a_counting_oracle_on_random_data() -> None:
    rng = np.random.default_rng(7)
    n = 137
    df = _summary(
        rng.integers(0, 400, n).tolist(),
        rng.geometric(0.4, n).tolist(),  # many ties at 1, 2 and 3 orders
        np.round(rng.lognormal(12, 1, n), -4).tolist(),
    )
    got = _scored(df)
    want = df.set_index("customer_id").sort_index()
    assert got.r_score.tolist() == oracle_score(
        want.days_since_last_purchase.tolist(), higher_is_better=False
    )
    assert got.f_score.tolist() == oracle_score(want.orders.tolist())
    assert got.m_score.tolist() == oracle_score(want.total_revenue.tolist())
    fm = [(f + m + 1) // 2 for f, m in zip(got.f_score, got.m_score, strict=True)]
    assert got.fm_score.tolist() == fm
    assert got.rfm_segment.tolist() == [
        segment_of(r, x) for r, x in zip(got.r_score, fm, strict=True)
    ]
    # Ties share a score: every one-off buyer has F = 1.
    assert set(got.f_score[want.orders == 1]) == {1}
    assert got.f_score.max() == 5 and got.r_score.min() == 1


def test_distinct_values_fall_into_even_quintiles_and_recent_is_better() -> None:
    df = _summary(list(range(10)), list(range(1, 11)), [float(10 * i) for i in range(10)])
    got = _scored(df)
    assert got.f_score.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert got.m_score.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # Fewest days since the last purchase is the most recent: the highest R.
    assert got.r_score.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert got.rfm_segment.tolist()[:2] == ["new", "new"]
    assert got.rfm_segment.tolist()[-1] == "cannot_lose_them"


def test_scores_do_not_depend_on_the_row_order() -> None:
    df = _summary([5, 5, 5, 9, 1, 1], [2, 2, 1, 1, 3, 3], [10.0, 10.0, 5.0, 5.0, 5.0, 50.0])
    first = _scored(df)
    again = _scored(df.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(first, again)
    assert first.r_score.tolist()[:3] == [2, 2, 2]  # equal days, equal R


def test_one_customer_and_no_customer() -> None:
    one = _scored(_summary([3], [1], [100.0]))
    assert one[["r_score", "f_score", "m_score"]].iloc[0].tolist() == [1, 1, 1]
    assert one.rfm_segment.iloc[0] == "lost"
    empty = ibis.memtable(_summary([1], [1], [1.0])).limit(0)
    assert rfm_scores(empty).to_pandas().empty
    counts = rfm_segment_counts(empty)
    assert [c.segment for c in counts] == list(RFM_SEGMENTS)
    assert all(c.customers == 0 and c.customer_share == 0.0 for c in counts)


def test_segment_counts_match_pandas() -> None:
    rng = np.random.default_rng(3)
    n = 90
    df = _summary(
        rng.integers(0, 200, n).tolist(),
        rng.integers(1, 8, n).tolist(),
        rng.integers(1, 100, n).astype(float).tolist(),
    )
    scored = rfm_scores(ibis.memtable(df))
    counts = rfm_segment_counts(scored)
    local = scored.to_pandas()
    want = local.groupby("rfm_segment").agg(n=("customer_id", "size"), s=("total_revenue", "sum"))
    assert [c.segment for c in counts] == list(RFM_SEGMENTS)
    for c in counts:
        n_want = int(want.n.get(c.segment, 0))
        assert c.customers == n_want
        assert c.revenue == pytest.approx(float(want.s.get(c.segment, 0.0)))
        assert c.customer_share == pytest.approx(n_want / n)
        if n_want:
            part = local[local.rfm_segment == c.segment]
            assert c.mean_orders == pytest.approx(part.orders.mean())
        else:
            assert c.mean_orders is None
    assert sum(c.revenue_share for c in counts) == pytest.approx(1.0)
    # A summary is scored on the way.
    assert rfm_segment_counts(ibis.memtable(df)) == counts


def test_from_orders_to_segments() -> None:
    con = ibis.duckdb.connect()
    records = [
        {"order_id": f"O{i}", "customer_id": cid, "ordered_at": datetime(2025, m, d),
         "channel": "shopee", "status": "completed", "currency": "VND", "total_vnd": v}
        for i, (cid, m, d, v) in enumerate(
            [("A", 1, 1, 100), ("A", 5, 1, 900), ("A", 6, 9, 500), ("B", 1, 1, 50),
             ("C", 6, 1, 70), ("C", 6, 1, 10)]
        )
    ]  # fmt: skip
    orders = con.create_table("orders", rows("orders", records))
    scored = rfm_scores(customer_summary(orders, observation_end=date(2025, 6, 30)))
    got = scored.to_pandas().set_index("customer_id").sort_index()
    assert got.r_score.tolist() == [5, 1, 3]
    assert got.f_score.tolist() == [5, 1, 3]  # C's two orders of one day count as two
    assert got.m_score.tolist() == [5, 1, 3]
    assert got.rfm_segment.tolist() == ["champions", "lost", "need_attention"]


def test_a_summary_without_the_needed_columns_is_refused() -> None:
    with pytest.raises(InputError) as err:
        rfm_scores(ibis.memtable({"customer_id": ["a"], "orders": [1]}))
    assert err.value.code == "metrics.missing_columns"


def test_the_docs_show_the_rule_table_and_the_labels() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "metrics.md").read_text("utf-8")
    assert segment_rules_markdown() in docs
    assert segment_grid_markdown() in docs
    en, vi = catalogue("en"), catalogue("vi")
    for code in RFM_SEGMENTS:
        label = f"rfm.segments.{code}"
        assert f"| `{code}` | {en[label]} | {vi[label]} |" in docs, code
