from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from chandung.errors import InputError
from chandung.metrics.loyalty import (
    interaction_summary,
    interactions,
    loyalty_index,
    loyalty_summary,
    repeat_buying,
    upsell,
)
from chandung.services.stores import Stores
from tests.conftest import rows


def _order(
    oid: str, cid: str, when: str, total: int, status: str = "completed"
) -> dict[str, object]:
    return {
        "order_id": oid,
        "customer_id": cid,
        "ordered_at": datetime.fromisoformat(when),
        "channel": "shopee",
        "status": status,
        "currency": "VND",
        "total_vnd": total,
    }


def _lines(oid: str, *categories: str | None) -> list[dict[str, object]]:
    return [
        {
            "order_id": oid,
            "line_number": n,
            "product_id": f"{oid}-{n}",
            "category": c,
            "quantity": 1,
            "unit_price_vnd": 1,
            "line_total_vnd": 1,
        }
        for n, c in enumerate(categories, 1)
    ]


ORDERS = [
    # later mean 100 000 is not above the first 100 000, but two categories follow one
    _order("A1", "BREADTH", "2025-01-01 10:00", 100_000),
    _order("A2", "BREADTH", "2025-02-01 10:00", 150_000),
    _order("A3", "BREADTH", "2025-03-01 10:00", 50_000),
    # later orders worth more, fewer categories
    _order("B1", "VALUE", "2025-01-01 10:00", 100_000),
    _order("B2", "VALUE", "2025-02-01 10:00", 200_000),
    _order("B3", "VALUE", "2025-01-15 10:00", 900_000, status="cancelled"),
    # spends less, same category: no upsell
    _order("C1", "FLAT", "2025-01-01 10:00", 300_000),
    _order("C2", "FLAT", "2025-02-01 10:00", 100_000),
    # one order: a buyer, not a repeat buyer
    _order("D1", "ONCE", "2025-01-01 10:00", 100_000),
    # two orders at the same time: the first is the smaller order_id (E1, 500 000)
    _order("E2", "TIED", "2025-01-01 10:00", 100_000),
    _order("E1", "TIED", "2025-01-01 10:00", 500_000),
    # repeat buyer without order lines: only value can show an upsell
    _order("F1", "NOLINES", "2025-01-01 10:00", 100_000),
    _order("F2", "NOLINES", "2025-01-02 10:00", 100_001),
    # cancelled only: not a buyer
    _order("G1", "NOBODY", "2025-01-01 10:00", 100_000, status="cancelled"),
]
LINES = [
    *_lines("A1", "beauty"),
    *_lines("A2", "beauty"),
    *_lines("A3", "fashion", None),
    *_lines("B1", "beauty", "fashion"),
    *_lines("B2", "beauty"),
    *_lines("B3", "home", "toys", "food"),
    *_lines("C1", "beauty"),
    *_lines("C2", "beauty"),
    *_lines("E1", "beauty"),
    *_lines("E2", "home", "toys"),
]


@pytest.fixture
def sales(stores: Stores) -> Stores:
    stores.warehouse.replace_tables(
        [{"orders": rows("orders", ORDERS), "order_items": rows("order_items", LINES)}]
    )
    return stores


def _upsell_oracle() -> pd.DataFrame:
    orders = pd.DataFrame(ORDERS)
    orders = orders[orders.status == "completed"].sort_values(["ordered_at", "order_id"])
    lines = pd.DataFrame(LINES)
    out = {}
    for cid, g in orders.groupby("customer_id"):
        if len(g) < 2:
            continue
        first, later = g.iloc[0], g.iloc[1:]
        cats = lines.dropna(subset=["category"])
        first_cats = cats[cats.order_id == first.order_id].category.nunique()
        later_cats = cats[cats.order_id.isin(later.order_id)].category.nunique()
        by_value = later.total_vnd.mean() > first.total_vnd
        by_breadth = later_cats > first_cats
        out[cid] = {
            "orders": len(g),
            "first_order_vnd": first.total_vnd,
            "later_mean_order_vnd": later.total_vnd.mean(),
            "first_categories": first_cats,
            "later_categories": later_cats,
            "upsold_by_value": by_value,
            "upsold_by_breadth": by_breadth,
            "upsold": by_value or by_breadth,
        }
    return pd.DataFrame.from_dict(out, orient="index").sort_index()


def test_upsell_per_customer_matches_a_pandas_oracle(sales: Stores) -> None:
    wh = sales.warehouse
    got = upsell(wh.table("orders"), wh.table("order_items")).to_pandas()
    got = got.set_index("customer_id").sort_index()
    want = _upsell_oracle()
    assert list(got.index) == list(want.index) == ["BREADTH", "FLAT", "NOLINES", "TIED", "VALUE"]
    for column in want.columns:
        assert list(got[column]) == pytest.approx(list(want[column])), column
    assert dict(got.upsold) == {
        "BREADTH": True,
        "FLAT": False,
        "NOLINES": True,
        "TIED": True,  # E1 first (500 000, one category), then E2 with two categories
        "VALUE": True,
    }


def test_repeat_buying_rates(sales: Stores) -> None:
    wh = sales.warehouse
    r = repeat_buying(wh.table("orders"), wh.table("order_items"))
    orders = pd.DataFrame(ORDERS)
    per = orders[orders.status == "completed"].groupby("customer_id").size()
    want = _upsell_oracle()
    assert r.buyers == len(per) == 6
    assert r.repeat_buyers == int((per >= 2).sum()) == 5
    assert r.repurchase_rate == pytest.approx((per >= 2).mean())
    assert r.upsold == int(want.upsold.sum()) == 4
    assert r.upsell_rate == pytest.approx(4 / 5)
    assert (r.upsold_by_value, r.upsold_by_breadth) == (
        int(want.upsold_by_value.sum()),
        int(want.upsold_by_breadth.sum()),
    )


def test_missing_line_categories_come_from_the_products(stores: Stores) -> None:
    orders = [_order("O1", "C1", "2025-01-01", 100), _order("O2", "C1", "2025-02-01", 100)]
    lines = [*_lines("O1", "beauty"), *_lines("O2", None, "beauty")]
    products = [{"product_id": "O2-1", "name": "serum", "category": "skincare"}]
    stores.warehouse.replace_tables(
        [
            {
                "orders": rows("orders", orders),
                "order_items": rows("order_items", lines),
                "products": rows("products", products),
            }
        ]
    )
    wh = stores.warehouse
    plain = repeat_buying(wh.table("orders"), wh.table("order_items"))
    filled = repeat_buying(wh.table("orders"), wh.table("order_items"), wh.table("products"))
    assert (plain.upsold, filled.upsold) == (0, 1)


def _answer(
    response: str,
    customer: str | None,
    question: str,
    value: float | None,
    when: str = "2025-05-01 10:00",
) -> dict[str, object]:
    return {
        "response_id": response,
        "survey_id": "profile_survey",
        "question_id": question,
        "customer_id": customer,
        "answer_number": value,
        "answered_at": datetime.fromisoformat(when),
    }


def _submission(
    response: str, customer: str | None, scores: tuple[float | None, ...], when: str = "2025-05-01"
) -> list[dict[str, object]]:
    questions = ("recommend", "repurchase_intent", "buy_more_intent")
    return [
        _answer(response, customer, q, s, when)
        for q, s in zip(questions, scores, strict=True)
        if s is not None
    ]


ANSWERS = [
    *_submission("R1", "C1", (9, 8, 7)),
    # C2 answered twice: the later submission counts
    *_submission("R2", "C2", (2, 2, 2), "2025-01-01"),
    *_submission("R3", "C2", (10, 9, 8), "2025-06-01"),
    # C3 skipped a question: no index
    *_submission("R4", "C3", (9, None, 9)),
    # C4's buy-more answer is out of range: ignored, so no index
    *_submission("R5", "C4", (7, 7, 11)),
    # anonymous: counted overall, not per customer
    *_submission("R6", None, (6, 6, 6)),
    _answer("R1", "C1", "nps", 10),  # another question: ignored
    _answer("R7", "C5", "recommend", None),  # no number: ignored
]


def test_loyalty_index_per_customer_and_overall(stores: Stores) -> None:
    stores.warehouse.replace_tables([{"survey_responses": rows("survey_responses", ANSWERS)}])
    responses = stores.warehouse.table("survey_responses")
    per = loyalty_index(responses).to_pandas().set_index("customer_id").sort_index()
    assert list(per.index) == ["C1", "C2"]
    assert per.loc["C1"].tolist() == pytest.approx([9, 8, 7, 8])
    assert per.loc["C2"].tolist() == pytest.approx([10, 9, 8, 9])

    overall = loyalty_summary(responses)
    assert (overall.respondents, overall.customers) == (3, 2)
    assert overall.loyalty_index == pytest.approx((8 + 9 + 6) / 3)
    assert overall.recommend == pytest.approx((9 + 10 + 6) / 3)
    assert overall.buy_more_intent == pytest.approx((7 + 8 + 6) / 3)


def test_loyalty_questions_can_be_named(stores: Stores) -> None:
    answers = [
        _answer("R1", "C1", "q_nps", 10),
        _answer("R1", "C1", "q_again", 6),
        _answer("R1", "C1", "q_more", 2),
    ]
    stores.warehouse.replace_tables([{"survey_responses": rows("survey_responses", answers)}])
    responses = stores.warehouse.table("survey_responses")
    named = {
        "recommend_question": "q_nps",
        "repurchase_question": "q_again",
        "buy_more_question": "q_more",
    }
    per = loyalty_index(responses, **named).to_pyarrow().to_pylist()
    assert per == [
        {
            "customer_id": "C1",
            "recommend": 10.0,
            "repurchase_intent": 6.0,
            "buy_more_intent": 2.0,
            "loyalty_index": 6.0,
        }
    ]
    assert loyalty_index(responses).count().to_pyarrow().as_py() == 0
    with pytest.raises(InputError) as caught:
        loyalty_summary(responses, recommend_question="q_more", buy_more_question="q_more")
    assert caught.value.code == "input.loyalty_questions"


EVENTS = [
    {"event_id": f"E{i}", "session_id": s, "customer_id": c}
    for i, (s, c) in enumerate(
        [("S1", "C1"), ("S1", "C1"), ("S2", "C1"), ("S3", None), ("S4", "C2"), ("S3", "C3")]
    )
]
FEEDBACK = [
    {"feedback_id": "F1", "customer_id": "C1"},
    {"feedback_id": "F2", "customer_id": None},
    {"feedback_id": "F3", "customer_id": "C4"},
]
CONTACTS = [
    {"campaign_id": "K1", "contact_id": "1", "customer_id": "C1"},
    {"campaign_id": "K2", "contact_id": "1", "customer_id": "C1"},
    {"campaign_id": "K1", "contact_id": "2", "customer_id": None, "lead_id": "L1"},
]


def test_interactions_match_a_pandas_oracle(stores: Stores) -> None:
    base_event = {"event_name": "page_view", "user_pseudo_id": "u"}
    stamp = datetime(2025, 1, 1)
    tables = {
        "orders": rows("orders", ORDERS),
        "events": rows("events", [{**base_event, "event_timestamp": stamp, **e} for e in EVENTS]),
        "feedback": rows(
            "feedback",
            [{"kind": "review", "created_at": stamp, "text": "ok", **f} for f in FEEDBACK],
        ),
        "survey_responses": rows("survey_responses", ANSWERS),
        "campaign_contacts": rows("campaign_contacts", [{"sent_at": stamp, **c} for c in CONTACTS]),
    }
    stores.warehouse.replace_tables([tables])
    wh = stores.warehouse
    names = ("orders", "events", "feedback", "survey_responses", "campaign_contacts")
    got = interactions(*(wh.table(n) for n in names)).to_pandas()
    got = got.set_index("customer_id").sort_index()

    parts = {
        "orders": pd.DataFrame(ORDERS).groupby("customer_id").size(),
        "sessions": pd.DataFrame(EVENTS).groupby("customer_id").session_id.nunique(),
        "feedback": pd.DataFrame(FEEDBACK).groupby("customer_id").size(),
        "survey_responses": pd.DataFrame(ANSWERS).groupby("customer_id").response_id.nunique(),
        "campaign_contacts": pd.DataFrame(CONTACTS).groupby("customer_id").size(),
    }
    want = pd.DataFrame(parts).fillna(0).astype(int).sort_index()
    want["interactions"] = want.sum(axis=1)
    assert list(got.index) == list(want.index)
    assert got[list(want.columns)].astype(int).to_dict() == want.to_dict()
    # the cancelled-only customer still interacted, C1 through every source
    assert got.at["NOBODY", "orders"] == 1
    assert got.at["C1", "interactions"] == 0 + 2 + 1 + 1 + 2

    summary = interaction_summary(*(wh.table(n) for n in names))
    assert summary.customers == len(want)
    assert summary.interactions == int(want.interactions.sum())
    assert summary.mean_per_customer == pytest.approx(want.interactions.mean())
    assert summary.median_per_customer == pytest.approx(want.interactions.median())
    assert summary.by_source == {k: int(want[k].sum()) for k in parts}


def test_empty_tables_give_empty_results(stores: Stores) -> None:
    wh = stores.warehouse
    r = repeat_buying(wh.table("orders"), wh.table("order_items"))
    assert (r.buyers, r.repurchase_rate, r.upsell_rate) == (0, 0.0, 0.0)
    s = loyalty_summary(wh.table("survey_responses"))
    assert (s.respondents, s.loyalty_index) == (0, None)
    names = ("orders", "events", "feedback", "survey_responses", "campaign_contacts")
    i = interaction_summary(*(wh.table(n) for n in names))
    assert (i.customers, i.interactions, i.mean_per_customer) == (0, 0, 0.0)
    assert i.as_dict()["by_source"]["sessions"] == 0
