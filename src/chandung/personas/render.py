"""A persona in words: its statements written in Vietnamese or English from their templates.

The JSON a persona is shown as (``personas show --json``, the API, the cards) is made here:
every statement becomes ``{"key", "value", "text", "evidence"}``, or ``{"key",
"missing_data"}`` where the data was too thin. Codes (``female``, ``shopee``,
``slow_delivery``) are written as labels of the language; numbers as that language writes
them. Manual edits (a new name or nickname, notes, hidden sections) are applied last.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..i18n import catalogue, translate
from ..i18n.formats import format_compact_vnd, format_number, format_percent
from ..voc.topics import TOPICS, topic_label
from .identity import nickname
from .model import SECTIONS, Evidence, Persona, Statement

#: Catalogue tables that already name the levels of some attributes.
_LEVEL_TABLES = {
    "gender": "gender",
    "rfm_segment": "rfm.segments",
    "main_channel_group": "channel_group",
    "primary_device": "device",
}
#: Attributes whose levels are topics of what customers say.
_TOPIC_ATTRIBUTES = ("pain", "praise", "objection")
#: Numbers written as money, as shares, or as whole days.
_MONEY = ("average_order_value", "predicted_clv_vnd", "monthly_income_vnd", "total_revenue")
_SHARES = ("churn_risk", "probability_alive")


def level_label(attribute: str, level: str, language: str) -> str:
    """The name of one level of an attribute, in ``language`` (the level itself if unnamed)."""
    if attribute in _TOPIC_ATTRIBUTES:
        return topic_text(level, language)
    table = _LEVEL_TABLES.get(attribute, f"persona.level.{attribute}")
    key = f"{table}.{level}"
    if key in catalogue(language) or key in catalogue("en"):
        return translate(key, language)
    if attribute == "age_band":
        return translate("persona.level.age_band", language, band=level)
    return level


def topic_text(topic: str, language: str) -> str:
    """The name of a topic of what customers say; a survey's own wording stays as written."""
    return topic_label(topic, language) if topic in TOPICS else topic


def attribute_label(attribute: str, language: str) -> str:
    text: str = translate(f"persona.attribute.{attribute}", language, default=attribute)
    return text


def _value_text(key: str, value: float | None, language: str) -> str:
    if value is None:
        return "—"
    if key in _MONEY:
        return format_compact_vnd(value, language)
    if key in _SHARES:
        return format_percent(value, language, 0)
    if key in ("age", "decision_days"):
        return format_number(value, language, 0)
    return format_number(value, language, 1)


def _figures(evidence: Evidence | None, key: str, language: str) -> dict[str, str]:
    if evidence is None:
        return {}
    out = {
        "n": format_number(evidence.n, language),
        "total": format_number(evidence.segment_size, language),
    }
    if evidence.share_in_segment is not None:
        out["share"] = format_percent(evidence.share_in_segment, language, 0)
    if evidence.share_in_base is not None:
        out["base_share"] = format_percent(evidence.share_in_base, language, 0)
    if evidence.lift is not None:
        out["lift"] = format_number(evidence.lift, language, 1)
    if evidence.segment_value is not None:
        out["value"] = _value_text(key, evidence.segment_value, language)
    if evidence.base_value is not None:
        out["base_value"] = _value_text(key, evidence.base_value, language)
    return out


def statement_text(statement: Statement, language: str) -> str:
    """The sentence of one statement in ``language``."""
    params: dict[str, Any] = {}
    attribute = str(statement.params.get("attribute", statement.key))
    for name, value in statement.params.items():
        if name == "level":
            params["level"] = level_label(attribute, str(value), language)
        elif name == "attribute":
            params["attribute"] = attribute_label(str(value), language)
        elif name == "topic":
            params["topic"] = topic_text(str(value), language)
        elif name == "texts_share":
            params["texts_share"] = "" if value is None else format_percent(value, language, 0)
        elif name == "rank":
            params["rank"] = format_number(value, language, 1)
        else:
            params[name] = value
    # A recommendation shows the figures of the statement it follows from, written as such.
    figures_of = str(statement.params.get("of", statement.key))
    params.update(_figures(statement.evidence, figures_of, language))
    text = translate(statement.template, language, **params)
    if statement.template == "persona.text.pain_survey" and params.get("texts_share"):
        text += translate("persona.text.pain_also_texts", language, share=params["texts_share"])
    return text[:1].upper() + text[1:]


def render_statement(statement: Statement, language: str) -> dict[str, Any]:
    out: dict[str, Any] = {"key": statement.key}
    value = statement.params.get("topic") or statement.params.get("level")
    if value is not None:
        out["value"] = value
    if statement.evidence is None:
        out["missing_data"] = translate(
            statement.template, language, **_labelled(statement, language)
        )
        return out
    out["text"] = statement_text(statement, language)
    out["evidence"] = statement.evidence.as_dict()
    if statement.weight is not None:
        out["weight"] = statement.weight
    return out


def _labelled(statement: Statement, language: str) -> dict[str, str]:
    attribute = statement.params.get("attribute")
    return {"attribute": attribute_label(str(attribute), language)} if attribute else {}


def summary_text(persona: Persona, language: str) -> str:
    """The one-line summary, from the clauses the data supports."""
    p = persona.summary.params
    clauses = []
    who = [
        level_label("gender", str(p["gender"]), language) if "gender" in p else None,
        level_label("age_band", str(p["age_band"]), language) if "age_band" in p else None,
    ]
    who_text = ", ".join(w for w in who if w)
    if who_text:
        clauses.append(who_text)
    if "province" in p:
        share = p.get("province_share")
        # A region held by under a third of the segment is its largest, not its home.
        key = "where" if share is None or share >= 1 / 3 else "spread"
        clauses.append(
            translate(
                f"persona.summary.{key}",
                language,
                province=p["province"],
                share=format_percent(share or 0.0, language, 0),
            )
        )
    if "channel" in p:
        channel = level_label("channel", str(p["channel"]), language)
        if "category" in p:
            clauses.append(
                translate("persona.summary.buys", language, category=p["category"], channel=channel)
            )
        else:
            clauses.append(translate("persona.summary.buys_on", language, channel=channel))
    if "criterion" in p:
        criterion = level_label("criterion", str(p["criterion"]), language)
        clauses.append(translate("persona.summary.cares", language, criterion=criterion))
    if "pain" in p:
        clauses.append(
            translate("persona.summary.pain", language, pain=topic_text(str(p["pain"]), language))
        )
    if not clauses:
        return translate("persona.summary.empty", language)
    text = "; ".join(clauses)
    return text[:1].upper() + text[1:] + "."


def _summary(persona: Persona, language: str) -> dict[str, Any]:
    template_text = summary_text(persona, language)
    out: dict[str, Any] = {"key": "summary", "text": template_text}
    rephrased = persona.rephrased.get(language)
    if rephrased:
        out["text"] = rephrased
        out["rephrased"] = True
        out["template_text"] = template_text
    out["evidence"] = persona.summary.evidence.as_dict() if persona.summary.evidence else {}
    return out


def quality_summary(
    quality: Mapping[str, Any], set_quality: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A persona's quality as shown: confidence, stability, distinctiveness, and the set's
    coverage."""
    confidence = quality.get("confidence") or {}
    out: dict[str, Any] = {
        "confidence": confidence.get("score"),
        "confidence_level": confidence.get("level"),
        "stability": quality.get("stability"),
        "distinctiveness": quality.get("distinctiveness"),
        "survey_respondents": confidence.get("respondents"),
        "feedback_texts": confidence.get("texts"),
    }
    if set_quality is not None:
        out["coverage"] = set_quality.get("coverage")
        out["segmentation_stability"] = set_quality.get("segmentation_stability")
    return out


def render_persona(
    persona: Persona,
    language: str,
    edits: Mapping[str, Any] | None = None,
    set_quality: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The persona as shown: the JSON of ``personas show --json``."""
    edits = edits or {}
    identity = persona.identity
    name = edits.get("name") or identity.full_name
    nick = edits.get("nickname") or nickname(
        given_name=identity.given_name,
        trait=identity.nickname_key,
        language=language,
        gender=identity.gender,
    )
    hidden = [s for s in edits.get("hidden_sections", []) if s in SECTIONS]
    out: dict[str, Any] = {
        "id": persona.id,
        "version": persona.version,
        "language": language,
        "name": name,
        "nickname": nick,
        "summary": _summary(persona, language),
        "avatar_svg": identity.avatar_svg,
        "identity": {
            "full_name": name,
            "given_name": identity.given_name,
            "gender": identity.gender,
            "age": identity.age,
            "province": identity.province,
            "trait": identity.nickname_key,
        },
        "segment": persona.segment,
        "size": persona.size,
        "share_of_customers": persona.share_of_customers,
        "share_of_revenue": persona.share_of_revenue,
    }
    for section in SECTIONS:
        out[section] = [render_statement(s, language) for s in persona.sections.get(section, [])]
    out["quality"] = quality_summary(persona.quality, set_quality)
    out["notes"] = list(edits.get("notes", []))
    out["hidden_sections"] = hidden
    return out
