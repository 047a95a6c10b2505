"""Persona cards as HTML: the one page a marketer pins on the wall.

A card shows who the persona is (name, nickname, avatar, one-line summary), how big the
segment is, then its demographics, goals, pain points, motivations, buying criteria (a bar
chart), channels, one quote and what to do, with a line on how far the data can be trusted and
the notes people added. Every line keeps its evidence: on hover (``title``), and for keyboard
and screen-reader users in a visually hidden text that shows when the line has focus. A line
the data was too thin for is shown as missing, with its advice, never hidden.

:func:`card_content` turns a rendered persona (the dict :mod:`.render` makes) into the texts of
a card in one language; :func:`render_card_html` and :func:`render_deck_html` lay them out as a
self-contained page (inline CSS and SVG, nothing fetched from anywhere), and
:mod:`.card_image` draws the same content as PDF and PNG.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from html import escape
from typing import Any

import jinja2

from ..i18n import normalise_language, translate
from ..i18n.formats import format_compact_vnd, format_number, format_percent

__all__ = [
    "CARD_SECTIONS",
    "CardContent",
    "CardFigure",
    "CardSection",
    "CardStatement",
    "card_content",
    "evidence_text",
    "render_card_html",
    "render_deck_html",
    "safe_avatar_svg",
]

#: The sections a card shows, in reading order (a persona has more; see ``model.SECTIONS``).
CARD_SECTIONS = (
    "demographics", "goals", "pain_points", "motivations",
    "buying_criteria", "channels", "quotes", "recommendations",
)  # fmt: skip

#: Accent colours of cards (dark enough for text on white and on the light panels).
PALETTE = ("#1f5f8b", "#8a3b12", "#2e6b30", "#6a2c70", "#8b1e3f", "#0f5e63")

#: Lines an HTML section shows before the rest folds under "+N more".
HTML_VISIBLE = 4
#: Text ids an evidence line names before "+N more".
_IDS_SHOWN = 5
#: Statement keys whose numbers are money.
_MONEY_HINTS = ("vnd", "revenue", "order_value", "clv", "income", "spend")

_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)
_SVG_FORBIDDEN = re.compile(
    r"<\s*/?\s*(?:script|style|foreignobject|iframe|object|embed|image|use|a|link|meta"
    r"|animate\w*|set)\b"
    r"|href|javascript:|data:|@import|<!|<\?|\bon[a-z]+\s*=|url\(\s*['\"]?\s*(?!#)",
    re.IGNORECASE,
)
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class CardStatement:
    """One line of a card: its text, its evidence in words, and whether data was missing."""

    key: str
    text: str
    evidence: str = ""
    missing: bool = False
    weight: float | None = None
    weight_text: str = ""
    compact: str = ""


@dataclass(frozen=True)
class CardSection:
    """A section of a card: its heading and its lines (buying criteria by weight, largest first)."""

    name: str
    heading: str
    statements: tuple[CardStatement, ...]

    @property
    def chart(self) -> bool:
        """Whether the section is drawn as bars (buying criteria with weights)."""
        return self.name == "buying_criteria" and any(
            s.weight is not None and not s.missing for s in self.statements
        )

    def bar_share(self, statement: CardStatement) -> float:
        """Length of ``statement``'s bar, in percent of the longest bar (0 to 100)."""
        top = max((s.weight or 0.0 for s in self.statements), default=0.0)
        if statement.weight is None or top <= 0:
            return 0.0
        return max(0.0, min(100.0, statement.weight / top * 100))

    def split(
        self, limit: int = HTML_VISIBLE
    ) -> tuple[tuple[CardStatement, ...], tuple[CardStatement, ...]]:
        """The lines shown first and the rest ("+N more"); never folds away a single line."""
        if len(self.statements) <= limit + 1:
            return self.statements, ()
        return self.statements[:limit], self.statements[limit:]


@dataclass(frozen=True)
class CardFigure:
    """A headline number of the card (segment size, shares) and what it counts."""

    value: str
    label: str


@dataclass(frozen=True)
class CardContent:
    """Everything a card shows, as texts of one language (headings, numbers, evidence)."""

    id: str
    language: str
    text_language: str
    name: str
    nickname: str
    initials: str
    accent: str
    avatar_colour: str
    avatar_svg: str
    avatar_label: str
    summary: CardStatement | None
    segment: str
    figures: tuple[CardFigure, ...]
    sections: tuple[CardSection, ...]
    quality: str
    version: str
    notes: tuple[str, ...]
    labels: Mapping[str, str]


# --------------------------------------------------------------------------- texts


def clean_text(value: Any) -> str:
    """``value`` as one line of NFC text (runs of white space become one space).

    >>> clean_text("  Nguye\u0302\u0303n \\n Lan ")
    'Nguyễn Lan'
    """
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _percent(share: float, language: str) -> str:
    decimals = 1 if 0 < abs(share) < 0.01 else 0
    return format_percent(share, language, decimals)


def _value(value: float, language: str, key: str) -> str:
    if any(hint in key for hint in _MONEY_HINTS):
        return format_compact_vnd(value, language)
    if value.is_integer() or abs(value) >= 100:
        return format_number(value, language, 0)
    return format_number(value, language, 1 if abs(value) >= 10 else 2)


#: Evidence fields compared between the segment and the whole base.
_COMPARED = (("share_in_segment", "share_in_base"), ("segment_value", "base_value"))


def _written(value: float, field: str, language: str, key: str) -> str:
    return _percent(value, language) if field.startswith("share") else _value(value, language, key)


def evidence_text(evidence: Mapping[str, Any], language: str, *, key: str = "") -> str:
    """The figures behind a statement in one line of ``language``.

    ``key`` (the statement's key) tells money apart from other numbers.

    >>> ev = {"source": "people.gender", "n": 1435, "segment_size": 1560,
    ...       "share_in_segment": 0.92, "share_in_base": 0.45, "lift": 2.04}
    >>> evidence_text(ev, "en")
    'n = 1,435/1,560 · 92% vs 45% overall · lift 2.0 · source: people.gender'
    >>> evidence_text(ev, "vi")
    'n = 1.435/1.560 · 92% so với 45% toàn bộ · gấp 2,0 lần · nguồn: people.gender'
    >>> evidence_text({"source": "feedback", "n": 2, "segment_size": 40, "ids": ["F1", "F2"]}, "en")
    'n = 2/40 · texts: F1, F2 · source: feedback'
    """
    language = normalise_language(language)

    parts: list[str] = []
    n, size = _number(evidence.get("n")), _number(evidence.get("segment_size"))
    if n is not None and size is not None:
        parts.append(
            translate(
                "persona.card.evidence.n",
                language,
                n=format_number(n, language),
                size=format_number(size, language),
            )
        )
    elif n is not None:
        parts.append(
            translate("persona.card.evidence.n_only", language, n=format_number(n, language))
        )
    for segment_field, base_field in _COMPARED:
        segment, base = _number(evidence.get(segment_field)), _number(evidence.get(base_field))
        if segment is not None and base is not None:
            parts.append(
                translate(
                    "persona.card.evidence.versus",
                    language,
                    segment=_written(segment, segment_field, language, key),
                    base=_written(base, segment_field, language, key),
                )
            )
        elif segment is not None:
            parts.append(
                translate(
                    "persona.card.evidence.in_segment",
                    language,
                    segment=_written(segment, segment_field, language, key),
                )
            )
    lift = _number(evidence.get("lift"))
    if lift is not None:
        parts.append(
            translate("persona.card.evidence.lift", language, lift=format_number(lift, language, 1))
        )
    raw_ids = evidence.get("ids") or ()
    raw_ids = [raw_ids] if isinstance(raw_ids, str) else raw_ids
    ids = [clean_text(i) for i in raw_ids if clean_text(i)]
    if ids:
        listed = ", ".join(ids[:_IDS_SHOWN])
        if len(ids) > _IDS_SHOWN:
            more = translate("persona.card.more", language, count=len(ids) - _IDS_SHOWN)
            listed = f"{listed} {more}"
        parts.append(translate("persona.card.evidence.ids", language, ids=listed))
    source = clean_text(evidence.get("source"))
    if source:
        parts.append(translate("persona.card.evidence.source", language, source=source))
    return " · ".join(parts)


def compact_evidence_text(evidence: Mapping[str, Any], language: str, *, key: str = "") -> str:
    """The figures behind a statement in as few characters as possible (for crowded pages).

    >>> compact_evidence_text({"source": "people.gender", "n": 1435, "segment_size": 1560,
    ...     "share_in_segment": 0.92, "share_in_base": 0.45, "lift": 2.04}, "vi")
    '1.435/1.560 · 92%/45% · ×2,0 · people.gender'
    """
    language = normalise_language(language)
    parts: list[str] = []
    n, size = _number(evidence.get("n")), _number(evidence.get("segment_size"))
    if n is not None:
        parts.append(format_number(n, language))
        if size is not None:
            parts[-1] += "/" + format_number(size, language)
    for segment_field, base_field in _COMPARED:
        values = [_number(evidence.get(segment_field)), _number(evidence.get(base_field))]
        written = [_written(v, segment_field, language, key) for v in values if v is not None]
        if written and values[0] is not None:
            parts.append("/".join(written))
    lift = _number(evidence.get("lift"))
    if lift is not None:
        parts.append("×" + format_number(lift, language, 1))
    source = clean_text(evidence.get("source"))
    if source:
        parts.append(source)
    return " · ".join(parts)


def card_statement(raw: Any, language: str) -> CardStatement | None:
    """A statement of a rendered persona as a card line (``None`` when it has nothing to show)."""
    if not isinstance(raw, Mapping):
        return None
    key = clean_text(raw.get("key"))
    text = clean_text(raw.get("text"))
    missing = clean_text(raw.get("missing_data"))
    weight = _number(raw.get("weight"))
    weight_text = _percent(weight, language) if weight is not None else ""
    if text:
        evidence = raw.get("evidence")
        if isinstance(evidence, Mapping) and evidence:
            written = evidence_text(evidence, language, key=key)
            compact = compact_evidence_text(evidence, language, key=key) or written
        else:
            written = compact = ""
        return CardStatement(key, text, written, False, weight, weight_text, compact)
    if missing:
        return CardStatement(key, missing, "", True)
    return None


def initials_of(name: str) -> str:
    """Up to two upper-case initials: of the first and the last word of ``name``.

    >>> initials_of("Nguyễn Thị Lan"), initials_of("Ánh"), initials_of("  ")
    ('NL', 'Á', '?')
    """
    words = [w for w in clean_text(name).split() if any(ch.isalnum() for ch in w)]
    if not words:
        return "?"
    picked = words if len(words) == 1 else [words[0], words[-1]]
    letters = [next(ch for ch in w if ch.isalnum()) for w in picked]
    return unicodedata.normalize("NFC", "".join(letters).upper())


def accent_colour(persona_id: str) -> str:
    """The accent colour of a card, the same for a persona on every run."""
    return PALETTE[zlib.crc32(persona_id.encode("utf-8")) % len(PALETTE)]


def _svg_colour(svg: str, fallback: str) -> str:
    match = re.search(r"<circle\b[^>]*\bfill=\"(#[0-9a-fA-F]{6})\"", svg)
    return match.group(1) if match else fallback


def safe_avatar_svg(svg: Any, *, initials: str, colour: str, label: str) -> str:
    """The avatar as SVG markup that is safe to put in a page as it is.

    Avatars are generated by :mod:`.identity`, never taken from users; still, anything that is
    not a plain drawing (scripts, links, styles, event handlers, references to other files or
    hosts) is refused and replaced with a disc with the initials. The drawing gets
    ``role="img"`` and ``aria-label`` when it has no accessible name of its own.

    >>> safe_avatar_svg("<svg><script>alert(1)</script></svg>", initials="L",
    ...                 colour="#1f5f8b", label="Lan")[:60]
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100'
    """
    text = str(svg).strip() if isinstance(svg, str) else ""
    checked = text.replace(_SVG_NAMESPACE, "")
    opening = _SVG_OPEN.match(text)
    plain = (
        opening is not None
        and text.lower().endswith("</svg>")
        and text.lower().count("<svg") == 1
        and not _SVG_FORBIDDEN.search(checked)
        and "//" not in checked
    )
    if not plain or opening is None:
        return (
            f'<svg xmlns="{_SVG_NAMESPACE}" viewBox="0 0 100 100" role="img" '
            f'aria-label="{escape(label)}"><circle cx="50" cy="50" r="50" fill="{colour}"/>'
            f'<text x="50" y="50" dy="0.35em" text-anchor="middle" font-size="40" '
            f'font-weight="600" font-family="sans-serif" fill="#ffffff">{escape(initials)}'
            "</text></svg>"
        )
    tag = opening.group(0)
    if "aria-label" not in tag and "aria-labelledby" not in tag:
        extra = f' aria-label="{escape(label)}"' + ("" if "role=" in tag else ' role="img"')
        text = tag[:-1].rstrip("/") + extra + ">" + text[len(tag) :]
    return text


def _by_weight(statement: CardStatement) -> float:
    """Sort key of buying criteria: heaviest first, then those without weight or data."""
    return 1.0 if statement.missing else -(statement.weight or 0.0)


def card_content(persona: Mapping[str, Any], *, language: str) -> CardContent:
    """The texts of ``persona``'s card, headings and figures in ``language``."""
    language = normalise_language(language)

    identity = persona.get("identity") or {}
    name = clean_text(persona.get("name")) or clean_text(identity.get("full_name")) or "—"
    persona_id = clean_text(persona.get("id")) or name
    accent = accent_colour(persona_id)
    letters = initials_of(name)
    label = translate("persona.card.avatar_label", language, name=name)
    raw_svg = persona.get("avatar_svg")
    avatar = safe_avatar_svg(raw_svg, initials=letters, colour=accent, label=label)
    hidden = set(persona.get("hidden_sections") or ())

    sections: list[CardSection] = []
    for section in CARD_SECTIONS:
        if section in hidden:
            continue
        statements = [card_statement(s, language) for s in persona.get(section) or ()]
        lines = [s for s in statements if s is not None]
        if section == "buying_criteria":
            lines.sort(key=_by_weight)
        if section == "quotes":
            quoted = [s for s in lines if not s.missing]
            lines = (quoted or lines)[:1]
        sections.append(
            CardSection(
                section, translate(f"persona.card.section.{section}", language), tuple(lines)
            )
        )

    segment_raw = persona.get("segment") or {}
    segment_name = clean_text(segment_raw.get("name")) if isinstance(segment_raw, Mapping) else ""
    size = _number(persona.get("size"))
    share_customers = _number(persona.get("share_of_customers"))
    share_revenue = _number(persona.get("share_of_revenue"))
    unknown = translate("persona.card.unknown", language)
    figures = (
        CardFigure(
            format_number(size, language) if size is not None else unknown,
            translate("persona.card.customers", language),
        ),
        CardFigure(
            _percent(share_customers, language) if share_customers is not None else unknown,
            translate("persona.card.share_of_customers", language),
        ),
        CardFigure(
            _percent(share_revenue, language) if share_revenue is not None else unknown,
            translate("persona.card.share_of_revenue", language),
        ),
    )

    quality = persona.get("quality") or {}
    confidence = _number(quality.get("confidence"))
    parts = [
        translate(
            "persona.card.confidence",
            language,
            confidence=_percent(confidence, language) if confidence is not None else unknown,
        )
    ]
    for field in ("stability", "distinctiveness", "coverage"):
        value = _number(quality.get(field))
        if value is not None:
            parts.append(
                translate(f"persona.card.{field}", language, value=_percent(value, language))
            )
    version = persona.get("version")
    labels = {
        key: translate(f"persona.card.{key}", language)
        for key in ("missing", "empty", "ev_label", "notes", "chart", "figures", "unknown")
    }
    return CardContent(
        id=persona_id,
        language=language,
        text_language=normalise_language(clean_text(persona.get("language")) or language),
        name=name,
        nickname=clean_text(persona.get("nickname")),
        initials=letters,
        accent=accent,
        avatar_colour=_svg_colour(avatar, accent),
        avatar_svg=avatar,
        avatar_label=label,
        summary=card_statement(persona.get("summary"), language),
        segment=translate("persona.card.segment", language, name=segment_name)
        if segment_name
        else "",
        figures=figures,
        sections=tuple(sections),
        quality=" · ".join(parts),
        version=translate(
            "persona.card.version",
            language,
            id=persona_id,
            version=version if version is not None else "—",
        ),
        notes=tuple(n for n in (clean_text(x) for x in persona.get("notes") or ()) if n),
        labels=labels,
    )


# --------------------------------------------------------------------------- HTML


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("chandung.personas", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _more(language: str, count: int) -> str:
    return translate("persona.card.more", language, count=count)


def _render(cards: Sequence[CardContent], *, language: str, title: str, deck: bool) -> str:
    template = _environment().get_template("card.html.j2")
    return template.render(
        cards=cards,
        lang=language,
        title=title,
        deck=deck,
        more=partial(_more, language),
    )


def render_card_html(persona: Mapping[str, Any], *, language: str) -> str:
    """The card of ``persona`` as a self-contained HTML page (one A4 landscape page in print)."""
    language = normalise_language(language)
    card = card_content(persona, language=language)
    title = translate("persona.card.title", language, name=card.name)
    return _render([card], language=language, title=title, deck=False)


def render_deck_html(personas: Sequence[Mapping[str, Any]], *, language: str) -> str:
    """The cards of all ``personas`` in one HTML page, one card per printed page."""
    language = normalise_language(language)
    cards = [card_content(p, language=language) for p in personas]
    title = translate("persona.card.deck_title", language, count=len(cards))
    return _render(cards, language=language, title=title, deck=True)
