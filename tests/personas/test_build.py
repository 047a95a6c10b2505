"""The persona builder on hand-made facts: what it states, what it refuses to invent."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from chandung.personas.build import BuildSettings, PersonaBuilder
from chandung.personas.facts import (
    Distribution,
    Facts,
    Numeric,
    NumericSummary,
    Quote,
    SegmentInfo,
)
from chandung.personas.quality import distinctiveness, js_distance, stability
from chandung.personas.render import render_persona


def _dist(source: str, unit: str, seg: dict[int, dict[str, int]], totals: dict[int, int],
          base: dict[str, int], base_total: int) -> Distribution:  # fmt: skip
    return Distribution(source, unit, seg, totals, base, base_total)


def _facts(*, respondents: int = 120, texts: int = 80) -> Facts:
    customers = {
        "gender": _dist(
            "people.gender",
            "customers",
            {1: {"female": 180, "male": 20}, 2: {"female": 40, "male": 160}},
            {1: 200, 2: 200},
            {"female": 220, "male": 180},
            400,
        ),
        "age_band": _dist(
            "people.birth_year",
            "customers",
            {1: {"25-34": 150, "35-44": 50}, 2: {"45-54": 120, "35-44": 80}},
            {1: 200, 2: 200},
            {"25-34": 150, "35-44": 130, "45-54": 120},
            400,
        ),
        # Occupation is known for too few of segment 2: it must not be guessed.
        "occupation": _dist(
            "people.occupation",
            "customers",
            {1: {"office_worker": 150}, 2: {"farmer": 30}},
            {1: 200, 2: 200},
            {"office_worker": 150, "farmer": 30},
            400,
        ),
        "main_channel": _dist(
            "orders.channel",
            "customers",
            {1: {"shopee": 140, "app": 60}, 2: {"store_gt": 170, "shopee": 30}},
            {1: 200, 2: 200},
            {"shopee": 170, "app": 60, "store_gt": 170},
            400,
        ),
    }
    survey = {
        "goals": _dist(
            "survey_responses:goals",
            "respondents",
            {
                1: {"Tiết kiệm chi phí": respondents // 2, "Trông xinh đẹp": respondents // 3},
                2: {"Tiết kiệm chi phí": respondents // 4},
            },
            {1: respondents, 2: respondents},
            {"Tiết kiệm chi phí": respondents},
            2 * respondents,
        ),
        "pain_points": _dist(
            "survey_responses:pain_points",
            "respondents",
            {
                1: {"Giao hàng chậm": respondents // 2, "Giá cao": respondents // 5},
                2: {"Giá cao": respondents // 2},
            },
            {1: respondents, 2: respondents},
            {"Giao hàng chậm": respondents // 2, "Giá cao": respondents},
            2 * respondents,
        ),
    }
    ranks = {
        f"criteria_rank_{c}": Numeric(
            f"survey_responses:criteria_rank_{c}",
            {1: NumericSummary(respondents, r1, r1), 2: NumericSummary(respondents, r2, r2)},
            NumericSummary(2 * respondents, 2.5, 2.5),
        )
        for c, r1, r2 in (("price", 1.2, 3.5), ("quality", 2.5, 1.5),
                          ("convenience", 2.8, 2.0), ("reputation", 3.5, 3.0))
    }  # fmt: skip
    complaints = _dist(
        "feedback",
        "texts",
        {1: {"slow_delivery": texts // 2}, 2: {"price_high": texts // 3}},
        {1: texts, 2: texts},
        {"slow_delivery": texts // 2, "price_high": texts // 3},
        2 * texts,
    )
    topics = _dist("feedback", "texts", {}, {1: texts, 2: texts}, {}, 2 * texts)
    quotes = {
        1: (Quote("F1", "Giao hàng quá chậm, chờ cả tuần.", "slow_delivery", -1),),
    }
    return Facts(
        segments={1: SegmentInfo(1, "1", 200, 6e8), 2: SegmentInfo(2, "2", 200, 4e8)},
        base_size=400,
        base_revenue=1e9,
        customers=customers,
        numbers={
            "age": Numeric(
                "people.birth_year",
                {1: NumericSummary(200, 29, 28), 2: NumericSummary(200, 48, 47)},
                NumericSummary(400, 38, 37),
            )
        },
        survey=survey,
        survey_numbers=ranks,
        feedback={"topics": topics, "complaints": complaints} if texts else {},
        quotes=quotes if texts else {},
    )


def _build(facts: Facts) -> list[dict[str, Any]]:
    personas = PersonaBuilder(BuildSettings()).build(
        facts, [1, 2], ids={1: "P1", 2: "P2"}, version=1, segment_meta={"source": "test"}
    )
    return [render_persona(p, "en") for p in personas]


def _item(persona: dict[str, Any], section: str, key: str) -> dict[str, Any]:
    return next(i for i in persona[section] if i["key"] == key or i["key"].startswith(key + ":"))


def test_dominant_levels_are_stated_with_their_evidence() -> None:
    first, second = _build(_facts())
    gender = _item(first, "demographics", "gender")
    assert gender["value"] == "female"
    assert gender["evidence"]["n"] == 180 and gender["evidence"]["segment_size"] == 200
    assert gender["evidence"]["share_in_segment"] == pytest.approx(0.9)
    assert gender["evidence"]["lift"] == pytest.approx(0.9 / 0.55)
    assert "90%" in gender["text"] and "55%" in gender["text"]
    assert _item(second, "demographics", "gender")["value"] == "male"
    assert _item(second, "channels", "channel")["value"] == "store_gt"


def test_an_attribute_known_for_few_members_is_reported_missing_not_guessed() -> None:
    _, second = _build(_facts())
    occupation = _item(second, "demographics", "occupation")
    assert "text" not in occupation and "occupation" in occupation["missing_data"].lower()


def test_survey_labels_become_topics_and_the_top_pain_point_comes_first() -> None:
    first, second = _build(_facts())
    assert _item(first, "pain_points", "pain")["value"] == "slow_delivery"
    assert _item(second, "pain_points", "pain")["value"] == "price_high"


def test_buying_criteria_weights_follow_the_ranks_and_sum_to_one() -> None:
    first, second = _build(_facts())
    for persona, top in ((first, "price"), (second, "quality")):
        criteria = persona["buying_criteria"]
        assert criteria[0]["value"] == top
        assert sum(c["weight"] for c in criteria) == pytest.approx(1.0)
        weights = [c["weight"] for c in criteria]
        assert weights == sorted(weights, reverse=True)


def test_thin_survey_and_no_texts_give_missing_data_only() -> None:
    (first, _) = _build(_facts(respondents=10, texts=0))
    for section in ("goals", "pain_points", "buying_criteria", "quotes", "objections"):
        assert all("missing_data" in i for i in first[section]), section


def test_recommendations_carry_the_evidence_of_what_they_follow_from() -> None:
    first, _ = _build(_facts())
    recs = {r["key"]: r for r in first["recommendations"]}
    assert recs["rec:pain"]["evidence"] == _item(first, "pain_points", "pain")["evidence"]
    assert "delivery" in recs["rec:pain"]["text"].lower()


def test_js_distance_bounds() -> None:
    assert js_distance(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)
    assert js_distance(np.array([0.3, 0.7]), np.array([0.3, 0.7])) == 0.0


def test_distinct_segments_score_higher_than_alike_ones() -> None:
    facts = _facts()
    apart = distinctiveness(facts, [1, 2])
    assert all(v is not None and v > 0.3 for v in apart.values())


def test_stability_is_high_for_clear_majorities_and_near_half_for_ties() -> None:
    facts = _facts()
    clear = stability(facts, [1], replicates=300, seed=1)[1]
    assert clear is not None and clear > 0.95
    tied = Facts(
        segments=facts.segments, base_size=400, base_revenue=1e9,
        customers={"gender": _dist("people.gender", "customers", {1: {"female": 100, "male": 100}},
                                   {1: 200}, {"female": 200, "male": 200}, 400)},
        numbers={},
    )  # fmt: skip
    coin = stability(tied, [1], replicates=2_000, seed=1)[1]
    assert coin is not None and 0.4 < coin < 0.6
