from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Collection
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.i18n import catalogue
from chandung.personas import identity
from chandung.personas.identity import (
    PALETTE,
    TRAITS,
    avatar_svg,
    fold_name,
    initials,
    nickname,
    nickname_key,
    persona_name,
)

SEEDS = range(300)
AGES = [None, 19, 27, 35, 48, 55, 72]


def _vi(gender: str | None, age: int | None, seed: int, region: str | None = None) -> list[str]:
    full, given_name = persona_name(
        gender=gender, age=age, region=region, name_style="vi", seed=seed
    )
    parts = full.split()
    assert len(parts) == 3, full
    assert parts[-1] == given_name
    return parts


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("age", AGES)
def test_women_never_get_van_and_men_never_get_thi(age: int | None) -> None:
    female_middles = {_vi("female", age, s)[1] for s in SEEDS}
    male_middles = {_vi("male", age, s)[1] for s in SEEDS}
    assert "Văn" not in female_middles
    assert "Thị" not in male_middles
    assert len(female_middles) > 3 and len(male_middles) > 3


@pytest.mark.parametrize("gender", ["female", "male"])
@pytest.mark.parametrize("style", ["vi", "en"])
def test_older_and_younger_people_get_names_of_their_generation(gender: str, style: str) -> None:
    def given_names(age: int) -> set[str]:
        return {
            persona_name(gender=gender, age=age, region=None, name_style=style, seed=s)[1]
            for s in SEEDS
        }

    older, younger = given_names(60), given_names(22)
    assert older.isdisjoint(younger)
    assert len(older) > 8 and len(younger) > 8


@pytest.mark.parametrize(("gender", "marker"), [("female", "Thị"), ("male", "Văn")])
def test_traditional_middle_names_are_more_common_among_older_people(
    gender: str, marker: str
) -> None:
    older = sum(_vi(gender, 65, s)[1] == marker for s in SEEDS)
    younger = sum(_vi(gender, 21, s)[1] == marker for s in SEEDS)
    assert older > 2 * younger


def test_the_generations_match_real_names() -> None:
    assert {_vi("female", 62, s)[2] for s in SEEDS} >= {"Lan", "Hương", "Hoa"}
    assert {_vi("male", 62, s)[2] for s in SEEDS} >= {"Hùng", "Dũng", "Tuấn"}
    assert {_vi("female", 22, s)[2] for s in SEEDS} >= {"Trang", "Linh", "Vy", "Nhi"}
    assert {_vi("male", 22, s)[2] for s in SEEDS} >= {"Khang", "Huy", "Phúc", "Khôi"}


@pytest.mark.parametrize("gender", [None, "unknown", "other", ""])
@pytest.mark.parametrize("age", [None, 25, 60])
def test_unknown_gender_gets_a_name_used_by_both(gender: str | None, age: int | None) -> None:
    neutral_vi = {"Anh", "Minh", "An", "Khánh", "Bình", "Thanh", "Tâm", "Ngọc", "Giang", "Bảo"}
    neutral_vi.add("Phương")
    neutral_en = {"Alex", "Jordan", "Taylor", "Sam", "Casey", "Morgan", "Jamie", "Riley"}
    neutral_en |= {"Avery", "Quinn", "Robin", "Charlie"}
    for seed in range(60):
        parts = _vi(gender, age, seed)
        assert parts[2] in neutral_vi
        assert parts[1] not in ("Văn", "Thị")
        _, given_en = persona_name(gender=gender, age=age, region=None, name_style="en", seed=seed)
        assert given_en in neutral_en


def test_middle_and_given_names_differ() -> None:
    for gender in ("female", "male", None):
        for age in AGES:
            for seed in range(100):
                family, middle, given_name = _vi(gender, age, seed)
                assert middle != given_name and family != given_name


def test_family_names_follow_their_real_frequency() -> None:
    families = Counter(_vi("female", 40, s)[0] for s in range(2000))
    share = families["Nguyễn"] / 2000
    assert 0.32 < share < 0.45
    assert families.most_common(3)[0][0] == "Nguyễn"
    assert families["Trần"] > families["Bùi"]
    assert len(families) > 12


@pytest.mark.parametrize(
    ("region", "more", "fewer"),
    [
        ("TP. Hồ Chí Minh", "Huỳnh", "Hoàng"),
        ("Cần Thơ", "Võ", "Vũ"),
        ("tinh an giang", "Huỳnh", "Hoàng"),
        ("Hà Nội", "Hoàng", "Huỳnh"),
        ("Thành phố Hải Phòng", "Vũ", "Võ"),
    ],
)
def test_regional_spellings_of_family_names(region: str, more: str, fewer: str) -> None:
    families = Counter(_vi("male", 40, s, region)[0] for s in range(3000))
    assert families[more] > 2 * families[fewer]


@pytest.mark.parametrize("style", ["vi", "en"])
@pytest.mark.parametrize("gender", ["female", "male", None])
def test_names_are_deterministic_and_spread_over_seeds(style: str, gender: str | None) -> None:
    def draw(seed: int) -> tuple[str, str]:
        return persona_name(gender=gender, age=33, region="Đà Nẵng", name_style=style, seed=seed)

    assert [draw(s) for s in range(20)] == [draw(s) for s in range(20)]
    assert len({draw(s)[0] for s in range(200)}) > 100


def test_english_names_put_the_given_name_first() -> None:
    full, given_name = persona_name(gender="female", age=24, region=None, name_style="en", seed=3)
    assert full.startswith(given_name + " ")
    assert len(full.split()) == 2


def _lan(seed: int, avoid: Collection[str] = ()) -> str:
    return persona_name(
        gender="female", age=30, region=None, name_style="vi", seed=seed, avoid=avoid
    )[0]


@pytest.mark.parametrize("seed", [0, 1, 7, 123])
def test_the_avoid_set_is_respected(seed: int) -> None:
    first = _lan(seed)
    avoid = {fold_name(first)}
    second = _lan(seed, avoid)
    assert fold_name(second) not in avoid
    assert second == _lan(seed + 1)  # the next seed
    # Any collection of folded names works, and an empty one changes nothing.
    assert _lan(seed, list(avoid)) == second
    assert _lan(seed, ()) == first


def test_a_run_of_avoided_names_is_skipped() -> None:
    avoid = frozenset(fold_name(_lan(s)) for s in range(5))
    assert fold_name(_lan(0, avoid)) not in avoid
    assert _lan(0, avoid) == _lan(5)


def test_an_unknown_name_style_is_refused() -> None:
    with pytest.raises(ValueError, match="name_style"):
        persona_name(gender=None, age=None, region=None, name_style="fr", seed=1)


def test_fold_name_matches_the_customer_name_key() -> None:
    assert fold_name("  NGUYỄN  Thị Đào ") == "nguyen thi dao"
    assert fold_name("Nguye\u0302\u0303n") == "nguyen"


# --------------------------------------------------------------------------- nicknames


@pytest.mark.parametrize(
    ("name", "trait", "expected"),
    [
        ("Fred", "bargain", "Frugal Fred"),
        ("Pamela", "premium", "Premium Pamela"),
        ("Tom", "tech", "Techie Tom"),
        ("Bella", "busy", "Busy Bella"),
        ("Sam", "bargain", "Savvy Sam"),
        ("Linda", "loyal", "Loyal Linda"),
        ("Émile", "premium", "Elegant Émile"),
        ("Xavier", "bargain", "Frugal Xavier"),  # no X adjective: the first one
        ("Fred", "mindset:bargain", "Frugal Fred"),
        ("Dana", "promotion", "Deal-Hunting Dana"),
    ],
)
def test_english_nicknames_alliterate_when_they_can(name: str, trait: str, expected: str) -> None:
    assert nickname(given_name=name, trait=trait, language="en") == expected


@pytest.mark.parametrize(
    ("name", "trait", "gender", "expected"),
    [
        ("Lan", "deal_hunter", "female", "Lan Săn Sale"),
        ("Hoa", "beauty", "female", "Chị Hoa Sành Điệu"),
        ("Tuấn", "tech", "male", "Anh Tuấn Công Nghệ"),
        ("Thảo", "parent", "female", "Mẹ Bỉm Thảo"),
        ("Hùng", "b2b", "male", "Sếp Hùng"),
        ("Sơn", "b2b", None, "Sếp Sơn"),
        ("Chi", "tech", "female", "Chị Chi Công Nghệ"),  # "Chị" is a title, not alliteration
        ("Bảo", "parent", "male", "Bố Bỉm Bảo"),
    ],
)
def test_vietnamese_nicknames(name: str, trait: str, gender: str | None, expected: str) -> None:
    assert nickname(given_name=name, trait=trait, language="vi", gender=gender) == expected


@pytest.mark.parametrize("trait", [*TRAITS, "no_such_trait"])
@pytest.mark.parametrize("gender", ["female", "male", None])
@pytest.mark.parametrize("name", ["Lan", "Tuấn", "Anh", "Đức", "Fred"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_nickname_contains_the_given_name(
    trait: str, gender: str | None, name: str, language: str
) -> None:
    text = nickname(given_name=name, trait=trait, language=language, gender=gender)
    assert name in text.split()
    assert text != name
    assert "{" not in text and "|" not in text


@pytest.mark.parametrize("trait", [*TRAITS, "other"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_trait_has_text_in_both_languages(trait: str, language: str) -> None:
    text = catalogue(language)[nickname_key(trait)]
    variants = text.split("|")
    assert variants and all(v.count("{name}") == 1 and v.strip() != "{name}" for v in variants)


def test_gendered_nickname_texts_exist_in_both_languages() -> None:
    gendered = {k for k in catalogue("en") if re.match(r"persona\.nickname\.(fe)?male\.", k)}
    assert gendered
    assert gendered <= set(catalogue("vi"))
    for key in gendered:
        assert key.rpartition(".")[2] in TRAITS


@pytest.mark.parametrize(
    ("trait", "code"),
    [
        ("bargain", "bargain"),
        ("Deal hunter", "deal_hunter"),
        ("one-off", "one_off"),
        ("mindset:premium", "premium"),
        ("persona.nickname.busy", "busy"),
        ("repeat", "loyal"),
        ("horoscope", "other"),
        ("", "other"),
    ],
)
def test_nickname_keys(trait: str, code: str) -> None:
    assert nickname_key(trait) == f"persona.nickname.{code}"


def test_unknown_traits_get_a_neutral_nickname() -> None:
    assert nickname(given_name="Minh", trait="astrology", language="en") == "Modern Minh"
    assert nickname(given_name="Minh", trait="astrology", language="vi") == "Minh Thân Quen"


def test_an_unknown_language_falls_back_to_vietnamese() -> None:
    assert nickname(given_name="Lan", trait="deal_hunter", language="fr") == "Lan Săn Sale"


# --------------------------------------------------------------------------- avatars

NAMES = [
    "Nguyễn Thị Lan",
    "Emma Smith",
    "<script>alert('x')</script>",
    'Tom & "Jerry" <b>',
    "Lan\x00\x1b\ufffe",
    "",
    "   ",
    "]]> <!-- --> <![CDATA[",
]


AvatarStyle = Literal["silhouette", "initials"]


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("style", ["silhouette", "initials"])
@pytest.mark.parametrize(("gender", "age"), [("female", 30), ("male", 65), (None, None)])
def test_avatars_are_safe_valid_xml(
    name: str, style: AvatarStyle, gender: str | None, age: int | None
) -> None:
    svg = avatar_svg(full_name=name, gender=gender, age=age, seed=5, style=style)
    root = _parse(svg)
    assert root.tag == "svg"
    assert root.get("role") == "img"
    clean = " ".join(re.sub("[\x00-\x1f\ufffe]", "", name).split())
    assert root.get("aria-label") == clean
    title = root.find("title")
    assert title is not None and (title.text or "") == clean
    lowered = svg.lower()
    for forbidden in ("http", "href", "<script", "url(", "@import", "<style", "<image", "<use"):
        assert forbidden not in lowered, forbidden
    assert all(el.tag != "script" for el in root.iter())


def test_avatar_colour_size_and_determinism() -> None:
    one = avatar_svg(full_name="Nguyễn Thị Lan", gender="female", age=40, seed=1, size=64)
    assert one == avatar_svg(full_name="Nguyễn Thị Lan", gender="female", age=40, seed=1, size=64)
    root = _parse(one)
    assert root.get("width") == "64" and root.get("height") == "64"
    circle = root.find("circle")
    assert circle is not None and circle.get("fill") in PALETTE
    colours = {
        _parse(avatar_svg(full_name="Lan", gender=None, age=None, seed=s))[1].get("fill")
        for s in range(100)
    }
    assert len(colours) > len(PALETTE) // 2
    with pytest.raises(ValueError, match="size"):
        avatar_svg(full_name="Lan", gender=None, age=None, seed=1, size=0)


def test_avatars_show_gender_and_age() -> None:
    def fills(gender: str | None, age: int | None) -> list[str]:
        root = _parse(avatar_svg(full_name="A", gender=gender, age=age, seed=1))
        return [el.get("fill") or "" for el in root.iter("path")]

    assert len(fills("female", 30)) > len(fills("male", 30)) > len(fills(None, 30))
    assert fills("male", 70) != fills("male", 25)


def test_initials_avatar_shows_the_initials() -> None:
    root = _parse(
        avatar_svg(full_name="Nguyễn Thị Lan", gender="female", age=30, seed=1, style="initials")
    )
    text = root.find("text")
    assert text is not None and text.text == "NL"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("colour", PALETTE)
def test_palette_colours_contrast_with_white(colour: str) -> None:
    assert (1.05) / (_luminance(colour) + 0.05) >= 4.5


# No deadline: drawing an avatar is quick, but a busy machine can stretch any single example.
@settings(deadline=None)
@given(st.text(max_size=40), st.integers(), st.sampled_from(["female", "male", None]))
def test_any_name_gives_valid_markup(name: str, seed: int, gender: str | None) -> None:
    styles: tuple[AvatarStyle, ...] = ("silhouette", "initials")
    for style in styles:
        svg = avatar_svg(full_name=name, gender=gender, age=40, seed=seed, style=style)
        assert _parse(svg).tag == "svg"
        if "href" not in name.lower():
            assert "href" not in svg.lower()


# --------------------------------------------------------------------------- initials


@pytest.mark.parametrize(
    ("name", "style", "expected"),
    [
        ("Nguyễn Thị Lan", "vi", "NL"),
        ("Đặng Văn Đức", "vi", "ĐĐ"),
        ("trần  bảo  ngọc", "vi", "TN"),
        ("Emma Smith", "en", "ES"),
        ("Robert Smith Jr.", "en", "RS"),
        ("Lan", "vi", "L"),
        ("", "vi", ""),
        ("  -- ", "en", ""),
    ],
)
def test_initials_examples(name: str, style: str, expected: str) -> None:
    assert initials(name, style) == expected


@given(st.text(), st.sampled_from(["vi", "en"]))
def test_initials_are_short_upper_case_and_never_empty_for_a_real_name(
    name: str, style: str
) -> None:
    result = initials(name, style)
    assert len(result) <= 2
    assert result == result.upper()
    assert not any(ch.isspace() for ch in result)
    if any(ch.isalnum() for ch in name):
        assert result


def test_generated_names_have_two_initials() -> None:
    for seed in range(50):
        for style in ("vi", "en"):
            full, _ = persona_name(gender="male", age=30, region=None, name_style=style, seed=seed)
            assert len(initials(full, style)) == 2


def test_module_docstring_explains_the_names_are_fictional() -> None:
    assert identity.__doc__ is not None
    assert "made up" in identity.__doc__ and "avoid" in identity.__doc__
