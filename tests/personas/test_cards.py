"""Persona cards as HTML: headings in the reader's language, evidence on every line, safe markup."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from chandung.i18n import translate
from chandung.personas.cards import (
    CARD_SECTIONS,
    card_content,
    evidence_text,
    render_card_html,
    render_deck_html,
    safe_avatar_svg,
)

AVATAR = (
    '<svg width="96" height="96" viewBox="0 0 100 100" role="img" aria-label="{name}">'
    '<title>{name}</title><circle cx="50" cy="50" r="50" fill="#be185d"/>'
    '<path d="M10 80C14 64 30 60 50 60S86 64 90 80A50 50 0 0 1 10 80Z" fill="#f1f5f9"/>'
    '<circle cx="50" cy="40" r="17" fill="#f1f5f9"/></svg>'
)


def _ev(source: str, n: int, size: int = 1560, **extra: Any) -> dict[str, Any]:
    return {"source": source, "n": n, "segment_size": size, **extra}


_TEXTS: dict[str, dict[str, Any]] = {
    "vi": {
        "name": "Nguyễn Thị Lan",
        "nickname": "Lan Săn Sale",
        "province": "Thành phố Hồ Chí Minh",
        "summary": "Nữ 25-34 tuổi ở TP.HCM, mua mỹ phẩm trên Shopee vào các ngày sale lớn.",
        "segment": "Phân khúc 2",
        "demographics": [
            "Nữ: 92% (toàn bộ 45%, gấp 2,0 lần)",
            "25-34 tuổi: 61% (toàn bộ 33%, gấp 1,8 lần)",
            "Sống ở Thành phố Hồ Chí Minh: 48% (toàn bộ 30%)",
        ],
        "goals": ["Da đẹp mà không tốn quá nhiều tiền", "Mua đúng hàng chính hãng"],
        "pain_points": ["Giao hàng chậm trong mùa sale", "Sợ mua phải hàng giả"],
        "motivations": ["Mã giảm giá và quà tặng kèm", "Đánh giá tốt từ người quen"],
        "criteria": ["Giá tốt", "Hàng chính hãng", "Giao nhanh", "Đổi trả dễ"],
        "channels": ["Shopee: 71% đơn hàng", "Facebook: 18% đơn hàng"],
        "quotes": ["Chờ sale 9.9 mới mua, hàng về chậm quá trời."],
        "recommendations": [
            "Gửi mã giảm giá trước các ngày sale lớn",
            "Nêu rõ cam kết hàng chính hãng trên trang sản phẩm",
        ],
        "objections": ["Phí vận chuyển cao"],
        "missing": "Chưa đủ câu trả lời khảo sát: gửi khảo sát hồ sơ khách hàng cho phân khúc này.",
        "notes": ["Đã kiểm tra với đội bán hàng tháng 5."],
    },
    "en": {
        "name": "Lan Nguyen",
        "nickname": "Lan the Bargain Hunter",
        "province": "Ho Chi Minh City",
        "summary": "Women aged 25-34 in Ho Chi Minh City who buy cosmetics on Shopee on sale days.",
        "segment": "Segment 2",
        "demographics": [
            "Female: 92% (overall 45%, 2.0 times)",
            "Aged 25-34: 61% (overall 33%, 1.8 times)",
            "Lives in Ho Chi Minh City: 48% (overall 30%)",
        ],
        "goals": ["Good skin without spending too much", "Buy genuine products only"],
        "pain_points": ["Slow delivery during sales", "Afraid of fake products"],
        "motivations": ["Vouchers and free gifts", "Good reviews from friends"],
        "criteria": ["Good price", "Genuine products", "Fast delivery", "Easy returns"],
        "channels": ["Shopee: 71% of orders", "Facebook: 18% of orders"],
        "quotes": ["I wait for the 9.9 sale, then delivery takes forever."],
        "recommendations": [
            "Send vouchers before the big sale days",
            "State the genuine-product guarantee on product pages",
        ],
        "objections": ["High shipping fees"],
        "missing": "Not enough survey answers: send the profile survey to this segment.",
        "notes": ["Checked with the sales team in May."],
    },
}


def make_persona(language: str = "vi", *, stress: bool = False) -> dict[str, Any]:
    """A rendered persona as the card functions receive it; ``stress`` makes it long and full."""
    t = _TEXTS[language]

    def statements(section: str, texts: list[str], source: str) -> list[dict[str, Any]]:
        out = []
        for i, text in enumerate(texts):
            share = round(0.7 - 0.1 * i, 2)
            evidence = _ev(source, int(1560 * share), share_in_segment=share)
            if i % 2 == 0:
                evidence.update(share_in_base=round(share / 2, 2), lift=2.0)
            out.append({"key": f"{section}:{i}", "text": text, "evidence": evidence})
        return out

    weights = [0.41, 0.29, 0.18, 0.12]
    persona: dict[str, Any] = {
        "id": "p-1a2b3c",
        "version": 1,
        "language": language,
        "name": t["name"],
        "nickname": t["nickname"],
        "avatar_svg": AVATAR.format(name=t["name"]),
        "identity": {
            "full_name": t["name"],
            "given_name": "Lan",
            "gender": "female",
            "age": 27,
            "province": t["province"],
        },
        "summary": {
            "key": "summary",
            "text": t["summary"],
            "evidence": _ev("people", 1560, share_in_segment=1.0),
        },
        "segment": {"source": "auto", "segmentation_id": "seg-9f8e", "id": 2, "name": t["segment"]},
        "size": 1560,
        "share_of_customers": 0.26,
        "share_of_revenue": 0.21,
        "demographics": [
            {
                "key": "gender",
                "text": t["demographics"][0],
                "evidence": _ev(
                    "people.gender", 1435, share_in_segment=0.92, share_in_base=0.45, lift=2.04
                ),
            },
            *statements("demographics", t["demographics"][1:], "people.age_band"),
            {
                "key": "average_order_value",
                "text": "AOV 420k" if language == "en" else "Giá trị đơn 420 nghìn",
                "evidence": _ev(
                    "customer_value.average_order_value",
                    1560,
                    segment_value=420_000.0,
                    base_value=350_000.0,
                ),
            },
        ],
        "behaviour": statements("behaviour", t["channels"], "orders.channel"),
        "goals": [
            *statements("goals", t["goals"], "survey_responses:goals"),
            {"key": "goals", "missing_data": t["missing"]},
        ],
        "motivations": statements("motivations", t["motivations"], "survey_responses:motives"),
        "pain_points": statements("pain_points", t["pain_points"], "feedback"),
        "objections": statements("objections", t["objections"], "feedback"),
        "buying_criteria": [
            {**s, "weight": w}
            for s, w in zip(
                statements("criteria", t["criteria"], "survey_responses:criteria"),
                weights,
                strict=True,
            )
        ],
        "channels": statements("channels", t["channels"], "orders.channel"),
        "mindset": [],
        "quotes": [
            {
                "key": "quote:F12",
                "text": t["quotes"][0],
                "evidence": _ev("feedback", 1, 240, ids=["F12"]),
            }
        ],
        "recommendations": statements("recommendations", t["recommendations"], "segment_profile"),
        "quality": {
            "confidence": 0.82,
            "stability": 0.91,
            "distinctiveness": 0.64,
            "coverage": 0.97,
        },
        "notes": list(t["notes"]),
        "hidden_sections": ["objections"],
    }
    persona["pain_points"][0]["evidence"]["ids"] = ["F1", "F2", "F7"]
    if stress:
        long = " ".join([t["summary"]] * 6)
        persona["summary"]["text"] = long
        persona["nickname"] = " ".join([t["nickname"]] * 5)
        persona["name"] = " ".join([t["name"]] * 4)
        for section in CARD_SECTIONS:
            base = persona[section] or statements(section, t["goals"], "survey_responses:x")
            grown = []
            for i in range(14):
                item = copy.deepcopy(base[i % len(base)])
                if "text" in item:
                    item["text"] = " ".join([item["text"]] * (1 + i % 4)) + f" ({i})"
                    item["key"] = f"{section}:{i}"
                    if "evidence" in item:
                        item["evidence"]["source"] += f".variant_{i}"
                grown.append(item)
            persona[section] = grown
        persona["buying_criteria"] = [{**s, "weight": 1 / 14} for s in persona["buying_criteria"]]
        persona["quotes"][0]["text"] = " ".join([t["quotes"][0]] * 12)
        persona["notes"] = [" ".join([t["notes"][0]] * 3)] * 6
        persona["demographics"].insert(
            0,
            {
                "key": "emoji",
                "text": "Thích 😍🦄👍 漢字 emoji và ký tự lạ \u200d\u0301 \x07 $x$ trong văn bản",
            },
        )
        persona["channels"].insert(
            0, {"key": "long_word", "text": "survey_responses:" + "rất_dài_" * 30}
        )
    return persona


@pytest.fixture(params=["vi", "en"])
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class _Checker(HTMLParser):
    """Collects titles, text and svg/img tags, and checks that tags nest properly."""

    VOID = frozenset(
        ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr")
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.titles: list[str] = []
        self.text: list[str] = []
        self.headings: list[int] = []
        self.svgs: list[dict[str, str | None]] = []
        self.imgs: list[dict[str, str | None]] = []
        self.ids: list[str] = []
        self.start: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.start.append((tag, attributes))
        if attributes.get("title"):
            self.titles.append(str(attributes["title"]))
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "svg":
            self.svgs.append(attributes)
        if tag == "img":
            self.imgs.append(attributes)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert checker.stack == [], checker.stack
    return checker


def _visible_statements(persona: dict[str, Any]) -> list[dict[str, Any]]:
    out = [persona["summary"]]
    for section in CARD_SECTIONS:
        if section in persona["hidden_sections"]:
            continue
        items = persona[section]
        if section == "quotes":
            items = [s for s in items if "text" in s][:1] or items[:1]
        out.extend(items)
    return out


def test_card_shows_everything_in_the_reader_language(language: str) -> None:
    persona = make_persona(language)
    html = render_card_html(persona, language=language)
    page = _parse(html)
    text = " ".join(" ".join(page.text).split())
    assert html.startswith("<!doctype html>")
    assert f'<html lang="{language}">' in html
    assert persona["name"] in text and persona["nickname"] in text
    for section in CARD_SECTIONS:
        heading = translate(f"persona.card.section.{section}", language)
        assert heading in text, heading
    assert translate("persona.card.section.objections", language) not in text
    for statement in _visible_statements(persona):
        if "text" in statement:
            assert statement["text"] in text, statement["text"]
            wanted = evidence_text(statement["evidence"], language, key=statement["key"])
            assert wanted in page.titles, wanted
        else:
            assert statement["missing_data"] in text
    assert "1.560" in text if language == "vi" else "1,560" in text
    assert "26%" in text and "21%" in text and "82%" in text
    assert persona["notes"][0] in text


def test_headings_keep_their_languages_apart() -> None:
    vi = _parse(render_card_html(make_persona("vi"), language="vi"))
    en = _parse(render_card_html(make_persona("en"), language="en"))
    vi_text, en_text = " ".join(vi.text), " ".join(en.text)
    assert "Điểm đau" in vi_text and "Pain points" not in vi_text
    assert "Pain points" in en_text and "Điểm đau" not in en_text
    assert "nguồn: people.gender" in " ".join(vi.titles)
    assert "source: people.gender" in " ".join(en.titles)


def test_english_headings_over_vietnamese_texts_mark_their_language() -> None:
    html = render_card_html(make_persona("vi"), language="en")
    assert '<html lang="en">' in html
    assert 'lang="vi"' in html
    assert "Pain points" in html and "Giao hàng chậm trong mùa sale" in html


def test_hidden_sections_are_left_out() -> None:
    persona = make_persona("en")
    persona["hidden_sections"] = ["channels", "objections"]
    html = render_card_html(persona, language="en")
    assert "Shopee: 71% of orders" not in html
    assert ">Channels<" not in html
    assert "High shipping fees" not in html


def test_missing_data_is_shown_in_italics_with_its_advice(language: str) -> None:
    persona = make_persona(language)
    html = render_card_html(persona, language=language)
    advice = _TEXTS[language]["missing"]
    match = re.search(r'<li class="statement missing"[^>]*>(.*?)</li>', html, re.S)
    assert match is not None and advice in match.group(1)
    assert translate("persona.card.missing", language) in match.group(1)
    assert ".missing { font-style: italic" in html


def test_empty_sections_say_so() -> None:
    persona = make_persona("vi")
    persona["motivations"] = []
    html = render_card_html(persona, language="vi")
    assert translate("persona.card.empty", "vi") in html


def test_text_is_escaped_and_nothing_comes_from_elsewhere() -> None:
    persona = make_persona("vi")
    persona["goals"][0]["text"] = "<script>alert(1)</script>"
    persona["notes"] = ['<img src="https://evil.example/x.png" onerror="alert(2)">']
    persona["nickname"] = '"><b>bold</b>'
    html = render_card_html(persona, language="vi")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html
    assert "<img" not in html
    page = _parse(html.replace("https://evil.example", "evil.example"))
    assert "<script>alert(1)</script>" in " ".join(page.text)


def test_no_references_to_other_hosts(language: str) -> None:
    for html in (
        render_card_html(make_persona(language), language=language),
        render_card_html(make_persona(language, stress=True), language=language),
        render_deck_html([make_persona("vi"), make_persona("en")], language=language),
    ):
        rest = html.replace("http://www.w3.org/2000/svg", "")
        assert "http://" not in rest and "https://" not in rest
        assert not re.search(r"""(?:src|href)\s*=|@import|url\(""", rest)


@pytest.mark.parametrize(
    "svg",
    [
        "<svg><script>alert(1)</script></svg>",
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        '<svg><a href="x"><circle r="1"/></a></svg>',
        '<svg><image href="https://example.com/x.png"/></svg>',
        '<svg><circle style="fill:url(https://example.com/x)"/></svg>',
        "not an svg",
        None,
    ],
)
def test_avatar_that_is_not_a_plain_drawing_becomes_initials(svg: Any) -> None:
    out = safe_avatar_svg(svg, initials="NL", colour="#1f5f8b", label="Lan")
    assert ">NL</text>" in out and 'aria-label="Lan"' in out
    persona = make_persona("vi")
    persona["avatar_svg"] = svg
    html = render_card_html(persona, language="vi")
    assert "alert" not in html and "example.com" not in html
    assert ">NL</text>" in html


def test_avatar_keeps_a_plain_drawing_and_names_it() -> None:
    persona = make_persona("vi")
    html = render_card_html(persona, language="vi")
    assert persona["avatar_svg"] in html
    bare = '<svg viewBox="0 0 100 100"><circle cx="50" cy="50" r="50" fill="#047857"/></svg>'
    out = safe_avatar_svg(bare, initials="L", colour="#1f5f8b", label="Ảnh Lan")
    assert out.startswith('<svg viewBox="0 0 100 100" aria-label="Ảnh Lan" role="img">')


def test_page_is_accessible(language: str) -> None:
    page = _parse(render_card_html(make_persona(language), language=language))
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    for attributes in page.svgs:
        assert attributes.get("aria-label") or attributes.get("aria-labelledby"), attributes
        assert attributes.get("role") == "img"
    for attributes in page.imgs:
        assert attributes.get("alt"), attributes
    assert len(page.ids) == len(set(page.ids))
    focusable = [a for t, a in page.start if a.get("tabindex") == "0"]
    assert focusable and all(a.get("title") for a in focusable)
    html = render_card_html(make_persona(language), language=language)
    hidden = re.findall(r'<span class="ev">([^<]*)</span>', html)
    assert len(hidden) == len(focusable)


def test_chart_bars_carry_their_values(language: str) -> None:
    html = render_card_html(make_persona(language), language=language)
    rows = re.findall(r'<li class="statement bar-row".*?</li>', html, re.S)
    assert len(rows) == 4
    assert 'style="width: 100.0%"' in rows[0] and ">41%<" in rows[0]
    assert ">12%<" in rows[-1]
    assert all('aria-hidden="true"' in row for row in rows)


def test_long_sections_fold_the_rest_under_more(language: str) -> None:
    persona = make_persona(language, stress=True)
    html = render_card_html(persona, language=language)
    page = _parse(html)
    text = " ".join(" ".join(page.text).split())
    assert translate("persona.card.more", language, count=10) in text
    for statement in persona["pain_points"]:
        assert statement["text"] in text
    assert "<details" in html


def test_deck_has_every_card_with_page_breaks() -> None:
    personas = [make_persona("vi"), make_persona("en")]
    personas[1]["id"] = "p-other"
    html = render_deck_html(personas, language="vi")
    page = _parse(html)
    assert html.count('<article class="card"') == 2
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert "break-after: page" in html
    assert personas[0]["name"] in html and personas[1]["name"] in html
    assert card_content(personas[0], language="vi").accent in html


def test_evidence_text_reads_numbers_and_ids() -> None:
    money = {
        "source": "customer_value",
        "n": 1560,
        "segment_size": 1560,
        "segment_value": 420_000.0,
        "base_value": 350_000.0,
    }
    assert evidence_text(money, "vi", key="average_order_value") == (
        "n = 1.560/1.560 · 420,0 nghìn ₫ so với 350,0 nghìn ₫ toàn bộ · nguồn: customer_value"
    )
    age = {"source": "people.age", "n": 10, "segment_size": 12, "segment_value": 27.5}
    assert evidence_text(age, "en") == "n = 10/12 · 27.5 in the segment · source: people.age"
    ids = {"source": "feedback", "n": 7, "segment_size": 9, "ids": [f"F{i}" for i in range(7)]}
    assert evidence_text(ids, "en") == (
        "n = 7/9 · texts: F0, F1, F2, F3, F4 +2 more · source: feedback"
    )
    assert evidence_text({}, "vi") == ""


def test_a_bare_persona_still_makes_a_page() -> None:
    html = render_card_html({"id": "p-0", "name": "An", "share_of_revenue": None}, language="en")
    page = _parse(html)
    assert "An" in page.text and translate("persona.card.unknown", "en") in html
    assert html.count(translate("persona.card.empty", "en")) == len(CARD_SECTIONS)
    assert ">A</text>" in html  # no avatar given: the initials
