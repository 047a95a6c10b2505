"""Write personas from facts: every statement a template, its parameters and its evidence.

:class:`PersonaBuilder` is a pure function of :class:`~.facts.Facts`: it chooses, for each
section, what the data supports (the most common level of each attribute, the goals and pain
points most often named, the criteria ranked highest...) and keeps the figures behind each
choice. Where the data is too thin it writes a *missing* statement saying what to collect,
never a guess. Text is written later, in the reader's language (:mod:`.render`).

Rules of choice
---------------
- A demographic attribute is described when at least ``min_known`` of the segment have it on
  file; its most common level is stated with its share in the segment and in the base.
- Lists (goals, pain points, motivations, objections, channels, categories) keep the levels
  named by at least ``min_share`` of the segment's units and at least ``min_count`` units,
  most common first, at most ``max_items``.
- Psychographic sections need at least ``min_respondents`` survey respondents (goals, buying
  criteria) or ``min_texts`` texts (motivations, objections, quotes) in the segment; pain
  points use the survey when it has enough respondents and the texts otherwise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..segments._rule_lexer import fold_text
from ..voc.topics import topic_of_label
from .facts import Distribution, Facts, Numeric, SegmentInfo
from .identity import avatar_svg, persona_name
from .model import Evidence, Persona, PersonaIdentity, Statement

#: Demographic attributes, in the order they are shown.
DEMOGRAPHICS = (
    "gender", "age_band", "marital_status", "children", "occupation", "income_band",
    "education", "province",
)  # fmt: skip
#: Business attributes, shown for segments of business buyers.
BUSINESS = ("industry", "company_size", "decision_maker_title", "is_decision_maker")
#: Survey questions (ids) each section reads, in the shipped profile survey's codes.
SURVEY_QUESTIONS: dict[str, tuple[str, ...]] = {
    "goals": ("goals",),
    "pain_points": ("pain_points",),
    "info_sources": ("info_sources",),
    "interests": ("hobbies", "interests"),
    "b2b_criteria": ("b2b_top_criterion",),
    "decision_days": ("decision_days",),
}
#: Prefix of the survey questions ranking the buying criteria (1 = most important).
CRITERIA_RANK_PREFIX = "criteria_rank_"
#: Category words that say what kind of shopper a segment is (folded, for the nickname).
_CATEGORY_TRAITS = (
    ("beauty", re.compile(r"lam dep|my pham|beauty|cosmetic|skin ?care|makeup|trang diem")),
    ("parent", re.compile(r"me (&|va) be|baby|tre em|tre so sinh|kids|children")),
    ("tech", re.compile(r"dien tu|cong nghe|electronic|tech|dien thoai|laptop|phone")),
)


@dataclass(frozen=True)
class BuildSettings:
    """Thresholds of the builder (see the module docstring)."""

    min_known: float = 0.5
    min_share: float = 0.1
    min_count: int = 5
    max_items: int = 4
    min_respondents: int = 15
    min_texts: int = 15


def _lift(share: float | None, base: float | None) -> float | None:
    if share is None or not base:
        return None
    return share / base


def level_evidence(dist: Distribution, segment: int, level: str) -> Evidence:
    """Evidence of one level of a distribution in a segment."""
    share = dist.share(segment, level)
    base = dist.base_share(level)
    return Evidence(
        source=dist.source,
        n=dist.count(segment, level),
        segment_size=dist.total(segment),
        share_in_segment=share,
        share_in_base=base,
        lift=_lift(share, base),
        ids=tuple(dist.ids.get((segment, level), ())),
    )


def numeric_evidence(num: Numeric, segment: int, *, use_median: bool = False) -> Evidence | None:
    summary = num.of(segment)
    value = summary.median if use_median else summary.mean
    base = num.base.median if use_median else num.base.mean
    if not summary.n or value is None:
        return None
    return Evidence(
        source=num.source,
        n=summary.n,
        segment_size=summary.n,
        segment_value=value,
        base_value=base,
        lift=value / base if base else None,
    )


class PersonaBuilder:
    """Personas of the segments of one :class:`~.facts.Facts`.

    Parameters
    ----------
    settings
        Thresholds (:class:`BuildSettings`).
    """

    def __init__(self, settings: BuildSettings | None = None) -> None:
        self.settings = settings or BuildSettings()

    # -- public -------------------------------------------------------------------------------

    def build(
        self,
        facts: Facts,
        segments: Sequence[int],
        *,
        ids: Mapping[int, str],
        version: int,
        segment_meta: Mapping[str, object],
        avoid_names: Sequence[str] = (),
    ) -> list[Persona]:
        """One persona per segment of ``segments`` (ids of ``facts.segments``)."""
        out = []
        used = set(avoid_names)
        for sid in segments:
            persona = self._persona(facts, sid, ids[sid], version, segment_meta, used)
            used.add(fold_text(persona.identity.full_name))
            out.append(persona)
        return out

    # -- one persona --------------------------------------------------------------------------

    def _persona(
        self,
        facts: Facts,
        sid: int,
        persona_id: str,
        version: int,
        segment_meta: Mapping[str, object],
        used: set[str],
    ) -> Persona:
        info = facts.segments[sid]
        sections = {
            "demographics": self._demographics(facts, sid),
            "behaviour": self._behaviour(facts, sid),
            "goals": self._goals(facts, sid),
            "motivations": self._motivations(facts, sid),
            "pain_points": self._pain_points(facts, sid),
            "objections": self._objections(facts, sid),
            "buying_criteria": self._criteria(facts, sid),
            "channels": self._channels(facts, sid),
            "mindset": self._mindset(facts, sid),
            "quotes": self._quotes(facts, sid),
        }
        sections["recommendations"] = self._recommendations(sections)
        identity = self._identity(facts, sid, sections, used)
        return Persona(
            id=persona_id,
            version=version,
            segment={**segment_meta, "id": sid, "name": info.name},
            size=info.size,
            share_of_customers=info.size / facts.base_size if facts.base_size else 0.0,
            share_of_revenue=info.revenue / facts.base_revenue if facts.base_revenue else None,
            identity=identity,
            summary=self._summary(info, facts, sections),
            sections=sections,
            quality={"confidence": self._confidence(facts, sid, sections)},
            data_language=facts.name_style,
        )

    def _dominant(self, facts: Facts, sid: int, attribute: str) -> Statement | None:
        dist = facts.customers.get(attribute)
        if dist is None or not dist.total(sid):
            return None
        levels = [(lv, n) for lv, n in dist.levels(sid) if lv not in ("unknown", "")]
        known = sum(n for _, n in levels)
        if not levels or known < self.settings.min_known * dist.total(sid):
            return Statement(
                key=attribute,
                template="persona.missing.field",
                params={"attribute": attribute},
                missing="field",
            )
        level = levels[0][0]
        return Statement(
            key=attribute,
            template="persona.text.level",
            params={"attribute": attribute, "level": level},
            evidence=level_evidence(dist, sid, level),
        )

    def _demographics(self, facts: Facts, sid: int) -> list[Statement]:
        out = []
        for attribute in DEMOGRAPHICS:
            st = self._dominant(facts, sid, attribute)
            if st is not None:
                out.append(st)
        age = facts.numbers.get("age")
        if age is not None and (ev := numeric_evidence(age, sid, use_median=True)):
            out.insert(
                2,
                Statement("age", "persona.text.median_age", {"value": ev.segment_value}, ev),
            )
        if self._is_business(facts, sid):
            for attribute in BUSINESS:
                st = self._dominant(facts, sid, attribute)
                if st is not None:
                    out.append(st)
        return out

    def _is_business(self, facts: Facts, sid: int) -> bool:
        dist = facts.customers.get("is_business")
        share = dist.share(sid, "business") if dist else None
        return bool(share and share >= 0.5)

    def _list(
        self,
        dist: Distribution | None,
        sid: int,
        key_prefix: str,
        template: str,
        *,
        keys: Mapping[str, str] | None = None,
        limit: int | None = None,
        rank_by_lift: bool = False,
    ) -> list[Statement]:
        """The levels of ``dist`` named by enough of the segment, as statements."""
        if dist is None or not dist.total(sid):
            return []
        s = self.settings
        total = dist.total(sid)
        chosen = [
            (lv, n)
            for lv, n in dist.levels(sid)
            if lv not in ("unknown", "") and n >= s.min_count and n / total >= s.min_share
        ]
        if rank_by_lift:
            chosen.sort(key=lambda kv: -(_lift(kv[1] / total, dist.base_share(kv[0])) or 0.0))
        out = []
        for level, _ in chosen[: limit or s.max_items]:
            key = (keys or {}).get(level, level)
            out.append(
                Statement(
                    key=f"{key_prefix}:{key}",
                    template=template,
                    params={"level": level, "attribute": key_prefix},
                    evidence=level_evidence(dist, sid, level),
                )
            )
        return out

    def _behaviour(self, facts: Facts, sid: int) -> list[Statement]:
        out: list[Statement] = []
        for attribute in ("buyer_type", "main_channel_group", "rfm_segment"):
            st = self._dominant(facts, sid, attribute)
            if st is not None and st.evidence is not None:
                out.append(st)
        buyers = facts.customers.get("buyer_type")
        if buyers is not None and buyers.total(sid):
            out.append(
                Statement(
                    "repeat",
                    "persona.behaviour.repeat",
                    {},
                    level_evidence(buyers, sid, "repeat"),
                )
            )
        numbers = (
            ("orders", "persona.behaviour.orders", False),
            ("average_order_value", "persona.behaviour.aov", True),
            ("expected_purchases_90d", "persona.behaviour.expected_purchases", False),
            ("predicted_clv_vnd", "persona.behaviour.clv", False),
            ("churn_risk", "persona.behaviour.churn_risk", False),
        )
        for attribute, template, median in numbers:
            num = facts.numbers.get(attribute)
            ev = numeric_evidence(num, sid, use_median=median) if num else None
            if ev is not None:
                out.append(Statement(attribute, template, {"value": ev.segment_value}, ev))
        # Decision time is what customers say in the survey: the time from need to purchase.
        for question in SURVEY_QUESTIONS["decision_days"]:
            num = facts.survey_numbers.get(question)
            ev = numeric_evidence(num, sid, use_median=True) if num else None
            if ev is not None and ev.n >= self.settings.min_respondents:
                out.append(
                    Statement(
                        "decision_days", "persona.behaviour.decision_days",
                        {"value": ev.segment_value}, ev,
                    )
                )  # fmt: skip
                break
        orders = facts.orders
        for attribute, level, template in (
            ("tet", "tet", "persona.behaviour.tet"),
            ("weekend", "weekend", "persona.behaviour.weekend"),
            ("discount", "discount", "persona.behaviour.discount"),
        ):
            dist = orders.get(attribute)
            if dist is not None and dist.total(sid):
                out.append(Statement(attribute, template, {}, level_evidence(dist, sid, level)))
        season = orders.get("season")
        if season is not None and season.total(sid):
            peak = max(
                (lv for lv, _ in season.levels(sid)),
                key=lambda lv: _lift(season.share(sid, lv), season.base_share(lv)) or 0.0,
            )
            out.append(
                Statement(
                    "season",
                    "persona.behaviour.season",
                    {"level": peak, "attribute": "season"},
                    level_evidence(season, sid, peak),
                )
            )
        out += self._list(
            orders.get("category"), sid, "category", "persona.behaviour.category", limit=3
        )
        pair = facts.pairs.get(sid)
        orders_total = orders["channel"].total(sid) if "channel" in orders else 0
        if pair is not None and pair[2] >= self.settings.min_count:
            first, second, n, share, lift = pair
            out.append(
                Statement(
                    "basket_pair",
                    "persona.behaviour.basket_pair",
                    {"first": first, "second": second},
                    Evidence(
                        source="order_items.category",
                        n=n,
                        segment_size=orders_total or n,
                        share_in_segment=share,
                        lift=lift,
                    ),
                )
            )
        for attribute in ("primary_device", "platform"):
            st = self._dominant(facts, sid, attribute)
            if st is not None and st.evidence is not None:
                out.append(st)
        return out

    def _survey_dist(self, facts: Facts, section: str) -> Distribution | None:
        for question in SURVEY_QUESTIONS[section]:
            if question in facts.survey:
                return facts.survey[question]
        return None

    def _respondents(self, facts: Facts, sid: int) -> int:
        return max((d.total(sid) for d in facts.survey.values()), default=0)

    def _texts(self, facts: Facts, sid: int) -> int:
        dist = facts.feedback.get("topics")
        return dist.total(sid) if dist else 0

    def _missing(self, key: str, what: str) -> list[Statement]:
        return [Statement(key, f"persona.missing.{what}", {}, missing=what)]

    def _goals(self, facts: Facts, sid: int) -> list[Statement]:
        dist = self._survey_dist(facts, "goals")
        if dist is None or dist.total(sid) < self.settings.min_respondents:
            return self._missing("goals", "survey")
        found = self._list(dist, sid, "goal", "persona.text.choice")
        return found or self._missing("goals", "survey")

    def _motivations(self, facts: Facts, sid: int) -> list[Statement]:
        out: list[Statement] = []
        praise = facts.feedback.get("praise")
        if praise is not None and praise.total(sid) >= self.settings.min_texts:
            out += self._list(praise, sid, "praise", "persona.text.praise", limit=3)
        for attribute in ("lifestyle",):
            st = self._dominant(facts, sid, attribute)
            if st is not None and st.evidence is not None:
                out.append(st)
        interests = self._survey_dist(facts, "interests")
        if interests is not None and interests.total(sid) >= self.settings.min_respondents:
            out += self._list(
                interests, sid, "interest", "persona.text.interest", limit=3, rank_by_lift=True
            )
        return out or self._missing("motivations", "feedback")

    def _pain_points(self, facts: Facts, sid: int) -> list[Statement]:
        s = self.settings
        survey = self._survey_dist(facts, "pain_points")
        complaints = facts.feedback.get("complaints")
        by_survey = survey is not None and survey.total(sid) >= s.min_respondents
        by_texts = complaints is not None and complaints.total(sid) >= s.min_texts
        if not by_survey and not by_texts:
            return self._missing("pain_points", "survey_or_feedback")
        out: list[Statement] = []
        if by_survey and survey is not None:
            keys = {lv: topic_of_label(lv) or lv for lv, _ in survey.levels(sid)}
            for st in self._list(survey, sid, "pain", "persona.text.pain_survey", keys=keys):
                topic = st.key.split(":", 1)[1]
                also = complaints.share(sid, topic) if complaints and by_texts else None
                params = {**st.params, "topic": topic, "texts_share": also}
                out.append(Statement(st.key, st.template, params, st.evidence))
        else:
            out = [
                Statement(
                    st.key, st.template, {**st.params, "topic": st.params["level"]}, st.evidence
                )
                for st in self._list(complaints, sid, "pain", "persona.text.pain_texts")
            ]
        return out or self._missing("pain_points", "survey_or_feedback")

    def _objections(self, facts: Facts, sid: int) -> list[Statement]:
        dist = facts.feedback.get("objections")
        if dist is None or dist.total(sid) < max(self.settings.min_texts // 2, 1):
            return self._missing("objections", "lost_customers")
        found = [
            Statement(st.key, st.template, {**st.params, "topic": st.params["level"]}, st.evidence)
            for st in self._list(dist, sid, "objection", "persona.text.objection", limit=3)
        ]
        return found or self._missing("objections", "lost_customers")

    def _criteria(self, facts: Facts, sid: int) -> list[Statement]:
        s = self.settings
        if self._is_business(facts, sid):
            dist = self._survey_dist(facts, "b2b_criteria")
            if dist is not None and dist.total(sid) >= s.min_respondents:
                total = dist.total(sid)
                return [
                    Statement(
                        f"criterion:{level}",
                        "persona.text.criterion_b2b",
                        {"level": level, "attribute": "criterion"},
                        level_evidence(dist, sid, level),
                        weight=n / total,
                    )
                    for level, n in dist.levels(sid)
                ]
        ranks = {
            q.removeprefix(CRITERIA_RANK_PREFIX): num
            for q, num in facts.survey_numbers.items()
            if q.startswith(CRITERIA_RANK_PREFIX)
        }
        usable = {c: num for c, num in ranks.items() if num.of(sid).n >= s.min_respondents}
        if not usable:
            return self._missing("buying_criteria", "survey")
        m = len(usable)
        # Borda weights: with m criteria, rank r is worth m + 1 - r points.
        points = {c: max(m + 1 - (num.of(sid).mean or m), 0.0) for c, num in usable.items()}
        total_points = sum(points.values()) or 1.0
        out = []
        for criterion, num in sorted(usable.items(), key=lambda kv: -points[kv[0]]):
            summary = num.of(sid)
            out.append(
                Statement(
                    f"criterion:{criterion}",
                    "persona.text.criterion",
                    {"level": criterion, "attribute": "criterion", "rank": summary.mean},
                    Evidence(
                        source=num.source,
                        n=summary.n,
                        segment_size=summary.n,
                        segment_value=summary.mean,
                        base_value=num.base.mean,
                    ),
                    weight=points[criterion] / total_points,
                )
            )
        return out

    def _channels(self, facts: Facts, sid: int) -> list[Statement]:
        out = self._list(
            facts.customers.get("main_channel"), sid, "channel", "persona.text.channel", limit=3
        )
        contact = self._dominant(facts, sid, "preferred_contact_channel")
        if contact is not None:
            out.append(contact)
        sources = self._survey_dist(facts, "info_sources")
        if sources is not None and sources.total(sid) >= self.settings.min_respondents:
            out += self._list(sources, sid, "info_source", "persona.text.info_source", limit=3)
        return out or self._missing("channels", "orders")

    def _mindset(self, facts: Facts, sid: int) -> list[Statement]:
        out: list[Statement] = []
        st = self._dominant(facts, sid, "mindset")
        if st is not None and st.evidence is not None:
            out.append(Statement("mindset", "persona.text.mindset", st.params, st.evidence))
        discount = facts.orders.get("discount")
        if discount is not None and discount.total(sid):
            ev = level_evidence(discount, sid, "discount")
            if ev.lift is not None and abs(math.log(ev.lift)) >= math.log(1.2):
                template = "persona.text.deal_seeker" if ev.lift > 1 else "persona.text.full_price"
                out.append(Statement("discount_mindset", template, {}, ev))
        return out or self._missing("mindset", "survey")

    def _quotes(self, facts: Facts, sid: int) -> list[Statement]:
        quotes = facts.quotes.get(sid, ())
        texts = self._texts(facts, sid)
        if not quotes:
            return self._missing("quotes", "feedback")
        wanted: list[tuple[str, int]] = []
        pains = self._pain_points(facts, sid)
        praise = facts.feedback.get("praise")
        top_pain = next((p.params.get("topic") for p in pains if p.evidence is not None), None)
        if top_pain:
            wanted.append((str(top_pain), -1))
        if praise is not None:
            top_praise = next((lv for lv, _ in praise.levels(sid)), None)
            if top_praise:
                wanted.append((top_praise, 1))
        out = []
        taken: set[str] = set()
        for topic, mood in wanted:
            for q in quotes:
                if (
                    q.topic == topic
                    and (q.sentiment < 0) == (mood < 0)
                    and q.feedback_id not in taken
                ):
                    taken.add(q.feedback_id)
                    out.append(
                        Statement(
                            f"quote:{q.feedback_id}",
                            "persona.text.quote",
                            {"quote": q.text, "topic": topic},
                            Evidence(
                                source="feedback", n=1, segment_size=texts, ids=(q.feedback_id,)
                            ),
                        )
                    )
                    break
        return out or self._missing("quotes", "feedback")

    def _recommendations(self, sections: Mapping[str, list[Statement]]) -> list[Statement]:
        """What to do, each derived from a statement with evidence (and carrying it)."""

        def first(section: str, prefix: str = "") -> Statement | None:
            return next(
                (
                    s
                    for s in sections.get(section, [])
                    if s.evidence is not None and s.key.startswith(prefix)
                ),
                None,
            )

        out = []
        if (channel := first("channels", "channel:")) is not None:
            out.append(("rec:channel", "persona.rec.channel", channel))
        if (contact := first("channels", "preferred_contact_channel")) is not None:
            out.append(("rec:contact", "persona.rec.contact", contact))
        if (pain := first("pain_points", "pain:")) is not None:
            topic = str(pain.params.get("topic", ""))
            template = f"persona.rec.pain.{topic}" if _known_pain(topic) else "persona.rec.pain"
            out.append(("rec:pain", template, pain))
        if (criterion := first("buying_criteria", "criterion:")) is not None:
            level = str(criterion.params.get("level", ""))
            template = (
                f"persona.rec.criterion.{level}"
                if level in ("price", "quality", "convenience", "reputation")
                else "persona.rec.criterion"
            )
            out.append(("rec:criterion", template, criterion))
        behaviour = {s.key: s for s in sections.get("behaviour", []) if s.evidence is not None}
        tet = behaviour.get("tet")
        if tet is not None and tet.evidence is not None and (tet.evidence.lift or 0) >= 1.2:
            out.append(("rec:tet", "persona.rec.tet", tet))
        churn = behaviour.get("churn_risk")
        if churn is not None and churn.evidence is not None and (churn.evidence.lift or 0) >= 1.2:
            out.append(("rec:winback", "persona.rec.winback", churn))
        repeat = behaviour.get("repeat")
        if (
            repeat is not None
            and repeat.evidence is not None
            and (repeat.evidence.lift or 0) >= 1.1
        ):
            out.append(("rec:loyalty", "persona.rec.loyalty", repeat))
        discount = next(
            (s for s in sections.get("mindset", []) if s.key == "discount_mindset"), None
        )
        if discount is not None and discount.template == "persona.text.deal_seeker":
            out.append(("rec:deals", "persona.rec.deals", discount))
        return [
            Statement(key, template, {**source.params, "of": source.key}, source.evidence)
            for key, template, source in out
        ]

    def _summary(
        self, info: SegmentInfo, facts: Facts, sections: Mapping[str, list[Statement]]
    ) -> Statement:
        def level(section: str, key: str) -> str | None:
            for s in sections.get(section, []):
                if s.evidence is not None and (s.key == key or s.key.startswith(f"{key}:")):
                    value = s.params.get("topic") or s.params.get("level")
                    return None if value is None else str(value)
            return None

        params: dict[str, str | float | None] = {
            "gender": level("demographics", "gender"),
            "age_band": level("demographics", "age_band"),
            "province": level("demographics", "province"),
            "category": level("behaviour", "category"),
            "channel": level("channels", "channel"),
            "criterion": level("buying_criteria", "criterion"),
            "pain": level("pain_points", "pain"),
        }
        province = next(
            (st for st in sections.get("demographics", []) if st.key == "province"), None
        )
        if province is not None and province.evidence is not None:
            params["province_share"] = province.evidence.share_in_segment
        share = info.size / facts.base_size if facts.base_size else None
        return Statement(
            "summary",
            "persona.summary",
            {k: v for k, v in params.items() if v is not None},
            Evidence(
                source="segment", n=info.size, segment_size=facts.base_size, share_in_segment=share
            ),
        )

    def _confidence(
        self, facts: Facts, sid: int, sections: Mapping[str, list[Statement]]
    ) -> dict[str, object]:
        s = self.settings
        statements = [st for section in sections.values() for st in section]
        backed = sum(st.evidence is not None for st in statements)
        size = facts.segments[sid].size
        respondents = self._respondents(facts, sid)
        texts = self._texts(facts, sid)
        parts = {
            "sections_backed": backed / len(statements) if statements else 0.0,
            "size": min(1.0, size / 300),
            "survey": min(1.0, respondents / (3 * s.min_respondents)),
            "feedback": min(1.0, texts / (3 * s.min_texts)),
        }
        score = sum(parts.values()) / len(parts)
        return {
            "score": score,
            "level": "high" if score >= 0.75 else "medium" if score >= 0.45 else "low",
            "respondents": respondents,
            "texts": texts,
            **{f"{k}_part": v for k, v in parts.items()},
        }

    # -- identity -----------------------------------------------------------------------------

    def _identity(
        self, facts: Facts, sid: int, sections: Mapping[str, list[Statement]], used: set[str]
    ) -> PersonaIdentity:
        demo = {s.key: s for s in sections["demographics"] if s.evidence is not None}
        gender = demo["gender"].params["level"] if "gender" in demo else None
        age_statement = demo.get("age")
        age = (
            round(age_statement.evidence.segment_value)
            if age_statement is not None
            and age_statement.evidence is not None
            and age_statement.evidence.segment_value is not None
            else None
        )
        province = demo["province"].params["level"] if "province" in demo else None
        seed = sid * 7919 + facts.segments[sid].size
        full_name, given = persona_name(
            gender=gender, age=age, region=province, name_style=facts.name_style, seed=seed,
            avoid=used,
        )  # fmt: skip
        return PersonaIdentity(
            given_name=given,
            full_name=full_name,
            gender=gender,
            age=age,
            province=province,
            nickname_key=self._trait(facts, sid, sections),
            avatar_svg=avatar_svg(full_name=full_name, gender=gender, age=age, seed=seed),
        )

    def _trait(self, facts: Facts, sid: int, sections: Mapping[str, list[Statement]]) -> str:
        """What most sets the segment apart, as a nickname trait."""
        if self._is_business(facts, sid):
            return "b2b"
        mindset = facts.customers.get("mindset")
        if mindset is not None:
            for level in ("premium", "bargain"):
                lift = _lift(mindset.share(sid, level), mindset.base_share(level))
                if lift and lift >= 1.5 and (mindset.share(sid, level) or 0) >= 0.3:
                    return level
        categories = facts.orders.get("category")
        if categories is not None:
            for level, _ in categories.levels(sid)[:1]:
                folded = fold_text(level)
                for trait, pattern in _CATEGORY_TRAITS:
                    if pattern.search(folded):
                        return trait
        channel = facts.customers.get("main_channel")
        if channel is not None and (channel.share(sid, "store_gt") or 0) >= 0.4:
            return "traditional"
        discount = facts.orders.get("discount")
        if discount is not None:
            lift = _lift(discount.share(sid, "discount"), discount.base_share("discount"))
            if lift and lift >= 1.3:
                return "deal_hunter"
        buyers = facts.customers.get("buyer_type")
        if buyers is not None:
            repeat = _lift(buyers.share(sid, "repeat"), buyers.base_share("repeat"))
            if repeat and repeat >= 1.2:
                return "loyal"
            one_off = _lift(buyers.share(sid, "one_off"), buyers.base_share("one_off"))
            if one_off and one_off >= 1.5:
                return "one_off"
        criterion = next(
            (s for s in sections.get("buying_criteria", []) if s.evidence is not None), None
        )
        if criterion is not None:
            return str(criterion.params.get("level", "value"))
        return "value"


_KNOWN_PAINS = (
    "slow_delivery", "fake_goods", "packaging", "out_of_stock", "app_bugs", "price_high",
    "rude_staff", "customer_service", "hard_return", "warranty", "invoice", "payment_terms",
)  # fmt: skip


def _known_pain(topic: str) -> bool:
    return topic in _KNOWN_PAINS
