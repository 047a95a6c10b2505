"""Persona cards as PDF and PNG: every text inside its panel, nothing overlapping, one page."""

from __future__ import annotations

import io
import re
import zlib
from functools import cache
from typing import Any

import pytest
from matplotlib.image import imread

from chandung.i18n import translate
from chandung.personas.card_image import (
    PAGE_SIZE,
    CardLayout,
    card_layout,
    render_card_pdf,
    render_card_png,
    render_deck_pdf,
)
from chandung.personas.cards import CARD_SECTIONS

from .test_cards import make_persona

_PAGE = re.compile(rb"/Type\s*/Page[^s]")


def _extreme(language: str) -> dict[str, Any]:
    """So much evidence that even short notes do not fit: they must be grouped by section."""
    persona = make_persona(language, stress=True)
    for section in CARD_SECTIONS:
        for statement in persona[section]:
            if "evidence" in statement:
                evidence = statement["evidence"]
                evidence["source"] = "survey_responses:" + "a_rather_long_question_" * 6
                evidence["source"] += statement["key"]
                evidence["ids"] = [f"F{i}" for i in range(9)]
    return persona


@cache
def _layout(language: str, kind: str) -> CardLayout:
    persona = {
        "plain": lambda: make_persona(language),
        "stress": lambda: make_persona(language, stress=True),
        "extreme": lambda: _extreme(language),
    }[kind]()
    return card_layout(persona, language=language)


def _texts_of(layout: CardLayout, panel: str) -> str:
    return " ".join(item.text for item in layout.texts if item.panel == panel)


def _check_geometry(layout: CardLayout) -> None:
    page = layout.page
    width, height = PAGE_SIZE
    assert page.width == pytest.approx(width * layout.dpi)
    assert page.height == pytest.approx(height * layout.dpi)
    for item in layout.texts:
        assert item.text.strip(), item
        assert item.box.width > 0 and item.box.height > 0, item
        assert page.contains(item.box, tolerance=0), item
        assert item.panel in layout.panels, item
        panel = layout.panels[item.panel]
        assert page.contains(panel, tolerance=0), item.panel
        assert panel.contains(item.box), (item, panel)
    for i, first in enumerate(layout.texts):
        for second in layout.texts[i + 1 :]:
            assert not first.box.overlaps(second.box), (first, second)
    panels = list(layout.panels.items())
    for i, (name, box) in enumerate(panels):
        for other, other_box in panels[i + 1 :]:
            assert not box.overlaps(other_box), (name, other)


@pytest.mark.parametrize("kind", ["plain", "stress", "extreme"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_text_stays_in_its_panel_and_none_overlap(language: str, kind: str) -> None:
    _check_geometry(_layout(language, kind))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_card_shows_the_persona_in_the_reader_language(language: str) -> None:
    layout = _layout(language, "plain")
    persona = make_persona(language)
    text = layout.text()
    assert _texts_of(layout, "identity").startswith(persona["name"])
    assert persona["nickname"] in text
    assert _texts_of(layout, "avatar") == ("NL" if language == "vi" else "LN")
    for section in CARD_SECTIONS:
        heading = translate(f"persona.card.section.{section}", language)
        assert heading in _texts_of(layout, section), section
    assert translate("persona.card.section.objections", language) not in text
    assert "objections" not in layout.panels
    # Every line is shown (wrapped at whole words, markers glued to the last word).
    for section in ("demographics", "pain_points", "recommendations"):
        shown = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", "", _texts_of(layout, section))
        for statement in persona[section]:
            assert statement["text"] in shown, statement["text"]
    advice = _TEXTS_MISSING[language]
    assert advice in _texts_of(layout, "goals")
    assert [i.role for i in layout.texts if advice.split()[0] in i.text][:1] == ["statement"]
    assert layout.folded == {}
    assert "1.560" in text if language == "vi" else "1,560" in text
    assert "41%" in _texts_of(layout, "buying_criteria")
    assert persona["notes"][0] in _texts_of(layout, "footer")
    assert "82%" in _texts_of(layout, "footer")


_TEXTS_MISSING = {
    "vi": "Chưa đủ câu trả lời khảo sát: gửi khảo sát hồ sơ khách hàng cho phân khúc này.",
    "en": "Not enough survey answers: send the profile survey to this segment.",
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_evidence_is_numbered_in_footnotes(language: str) -> None:
    layout = _layout(language, "plain")
    assert layout.note_mode == "full"
    markers = [i for i in layout.texts if i.role == "note_marker"]
    assert len(markers) == len(layout.notes) > 10
    source = "nguồn: people.gender" if language == "vi" else "source: people.gender"
    assert any(source in note for note in layout.notes)
    statements = " ".join(i.text for i in layout.texts if i.role in ("statement", "summary"))
    for number in range(1, len(layout.notes) + 1):
        marker = str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
        assert marker in statements
    assert all(i.box.height < 0.12 * layout.dpi for i in layout.texts if i.panel == "footnotes")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_crowded_cards_fold_lines_and_shorten_notes(language: str) -> None:
    stress = _layout(language, "stress")
    assert stress.note_mode == "compact"
    assert set(stress.folded) >= {"demographics", "pain_points", "recommendations"}
    more = [i.text for i in stress.texts if i.role == "more"]
    for section, count in stress.folded.items():
        assert translate("persona.card.more", language, count=count) in more, section
    assert any(i.text.endswith("…") or "…" in i.text for i in stress.texts)
    extreme = _layout(language, "extreme")
    assert extreme.note_mode == "section"
    assert len(extreme.notes) <= len(CARD_SECTIONS) + 1


def test_words_are_never_cut_unless_longer_than_a_line() -> None:
    layout = _layout("vi", "stress")
    persona = make_persona("vi", stress=True)
    texts = [x.get("text") or x["missing_data"] for s in CARD_SECTIONS for x in persona[s]]
    words = {w for text in texts for w in text.split()}
    words |= set(persona["summary"]["text"].split())
    words |= set(f"{translate('persona.card.missing', 'vi')}:".split())
    for item in layout.texts:
        if item.role not in ("statement", "summary") or "rất_dài" in item.text:
            continue
        for word in item.text.split():
            bare = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹…“”]+", "", word)
            assert not bare or bare in words or any(bare in w for w in words), word


def test_unknown_glyphs_are_left_out_without_warnings() -> None:
    layout = _layout("vi", "stress")
    emoji = [i.text for i in layout.texts if "emoji" in i.text]
    assert emoji and "🦄" not in emoji[0] and "漢" not in emoji[0]
    assert "$x$" in emoji[0]


def test_layout_is_the_same_at_any_resolution() -> None:
    persona = make_persona("en", stress=True)
    low = card_layout(persona, language="en", dpi=72)
    high = card_layout(persona, language="en", dpi=150)
    assert [i.text for i in low.texts] == [i.text for i in high.texts]
    scale = 150 / 72
    for a, b in zip(low.texts, high.texts, strict=True):
        assert b.box.x0 == pytest.approx(a.box.x0 * scale, abs=2)
        assert b.box.y1 == pytest.approx(a.box.y1 * scale, abs=2)


def test_png_decodes_at_the_asked_resolution() -> None:
    png = render_card_png(make_persona("vi"), language="vi", dpi=60)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (int(PAGE_SIZE[1] * 60), int(PAGE_SIZE[0] * 60))
    assert image.std() > 0.05  # something is drawn
    default = render_card_png(make_persona("en"), language="en")
    height, width = imread(io.BytesIO(default), format="png").shape[:2]
    assert abs(width - PAGE_SIZE[0] * 150) <= 1 and abs(height - PAGE_SIZE[1] * 150) <= 1


def _pdf_strings(data: bytes) -> list[bytes]:
    out = []
    for literal in re.findall(rb"\(((?:[^\\()]|\\.)*)\)", data, re.S):
        out.append(re.sub(rb"\\(.)", lambda m: {b"n": b"\n", b"r": b"\r"}.get(m[1], m[1]), literal))
    return out


def _pdf_text(pdf: bytes) -> str:
    """The text of a PDF matplotlib wrote with TrueType (type 42) fonts, one text a line."""
    lines = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        for block in re.findall(rb"\bBT\b(.*?)\bET\b", data, re.S):
            lines.append("".join(s.decode("utf-16-be") for s in _pdf_strings(block)))
    return "\n".join(lines)


def _pdf_title(pdf: bytes) -> str:
    match = re.search(rb"/Title\s*\(((?:[^\\()]|\\.)*)\)", pdf, re.S)
    assert match is not None
    raw = _pdf_strings(b"(" + match[1] + b")")[0]
    return raw.decode("utf-16") if raw.startswith(b"\xfe\xff") else raw.decode("ascii")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_pdf_is_one_page_with_searchable_text(language: str) -> None:
    persona = make_persona(language)
    pdf = render_card_pdf(persona, language=language)
    assert pdf.startswith(b"%PDF-") and 20_000 < len(pdf) < 2_000_000
    assert len(_PAGE.findall(pdf)) == 1
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf and b"/ToUnicode" in pdf
    text = _pdf_text(pdf)
    assert persona["name"] in text
    assert persona["pain_points"][0]["text"] in text
    assert translate("persona.card.section.pain_points", language) in text
    assert _pdf_title(pdf) == translate("persona.card.title", language, name=persona["name"])
    assert b"http" not in pdf


def test_stressed_pdf_stays_one_page() -> None:
    pdf = render_card_pdf(_extreme("vi"), language="vi")
    assert len(_PAGE.findall(pdf)) == 1


def test_deck_has_one_page_a_persona() -> None:
    personas = [make_persona("vi"), make_persona("en"), make_persona("vi", stress=True)]
    pdf = render_deck_pdf(personas, language="en")
    assert len(_PAGE.findall(pdf)) == 3
    assert _pdf_title(pdf) == translate("persona.card.deck_title", "en", count=3)
    text = _pdf_text(pdf)
    assert "Nguyễn Thị Lan" in text and "Lan Nguyen" in text
    assert text.count("Pain points") == 3
    with pytest.raises(ValueError, match="at least one persona"):
        render_deck_pdf([], language="vi")


def test_a_bare_persona_still_makes_a_card() -> None:
    persona = {"id": "p-0", "name": "An", "share_of_revenue": None, "hidden_sections": ["quotes"]}
    layout = card_layout(persona, language="en")
    _check_geometry(layout)
    text = layout.text()
    assert "An" in text and translate("persona.card.empty", "en") in text
    assert translate("persona.card.unknown", "en") in text
    assert "quotes" not in layout.panels and layout.notes == []
    assert len(_PAGE.findall(render_card_pdf(persona, language="vi"))) == 1
