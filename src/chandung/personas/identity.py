"""The fictional person behind a persona: name, nickname and avatar.

A persona stands for a segment of real customers, but the person it shows is made up. Names
are drawn from generic pools (common Vietnamese family names weighted by how often they
occur, middle and given names typical of a gender and a generation; or common English names),
never from the customer file, so a persona can be shown and shared without pointing at anyone.
To be sure that a drawn name is not also a real customer's by chance, the caller may pass the
folded names of its customers (see :func:`fold_name`) as ``avoid``: a name found there is
drawn again with the next seed.

Everything here is pure and deterministic: the same inputs and seed give the same name and the
same avatar, so a persona keeps its face from one run to the next.

* :func:`persona_name` -- a full name and the given name, Vietnamese or English style.
* :func:`nickname` -- a memorable nickname in the spirit of "Frugal Fred", from the
  ``persona.nickname`` texts of the i18n catalogues.
* :func:`avatar_svg` -- a small self-contained inline SVG (no links, scripts or fonts).
* :func:`initials` -- the initials shown for a name.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Collection, Sequence
from typing import Literal

from chandung.i18n import catalogue, normalise_language

__all__ = [
    "NAME_STYLES",
    "PALETTE",
    "TRAITS",
    "avatar_svg",
    "fold_name",
    "initials",
    "nickname",
    "nickname_key",
    "persona_name",
]

#: The naming conventions :func:`persona_name` knows.
NAME_STYLES = ("vi", "en")

#: Trait codes with their own nickname texts; any other code gets the ``other`` texts.
TRAITS = (
    "bargain", "value", "premium", "parent", "beauty", "tech", "b2b", "loyal", "one_off",
    "deal_hunter", "busy", "traditional", "quality", "reputation", "price", "convenience",
)  # fmt: skip

_FALLBACK_TRAIT = "other"
_NICKNAME_PREFIX = "persona.nickname"

#: Other spellings of trait codes that callers may use.
_TRAIT_ALIASES = {
    "thrifty": "bargain",
    "frugal": "bargain",
    "value_for_money": "value",
    "luxury": "premium",
    "parents": "parent",
    "children": "parent",
    "kids": "parent",
    "technology": "tech",
    "business": "b2b",
    "wholesale": "b2b",
    "repeat": "loyal",
    "loyalty": "loyal",
    "one_time": "one_off",
    "oneoff": "one_off",
    "deal": "deal_hunter",
    "deals": "deal_hunter",
    "promo": "deal_hunter",
    "promotion": "deal_hunter",
    "promotions": "deal_hunter",
    "local_store": "traditional",
    "brand": "reputation",
}

#: Background colours of avatars; each has a contrast of at least 4.5:1 with white.
PALETTE = (
    "#1d4ed8", "#047857", "#b91c1c", "#7c3aed", "#be185d", "#0f766e",
    "#c2410c", "#4338ca", "#374151", "#15803d", "#0369a1", "#a16207",
)  # fmt: skip

_MAX_ATTEMPTS = 1000

# --------------------------------------------------------------------------- name pools

Weighted = tuple[tuple[str, float], ...]

#: Vietnamese family names with their approximate share of the population (per cent).
#: ``Hoàng/Huỳnh`` and ``Vũ/Võ`` are one name written the northern or southern way.
_VI_FAMILY: Weighted = (
    ("Nguyễn", 38.4), ("Trần", 12.1), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng/Huỳnh", 5.1),
    ("Phan", 4.5), ("Vũ/Võ", 3.9), ("Đặng", 2.1), ("Bùi", 2.0), ("Đỗ", 1.4), ("Hồ", 1.3),
    ("Ngô", 1.3), ("Dương", 1.0), ("Đinh", 0.6), ("Trương", 0.6), ("Lý", 0.5), ("Lâm", 0.5),
    ("Mai", 0.5), ("Trịnh", 0.5), ("Đoàn", 0.4), ("Lương", 0.3), ("Cao", 0.3), ("Hà", 0.3),
    ("Tạ", 0.2), ("Tô", 0.2), ("Châu", 0.2),
)  # fmt: skip

#: Share of the northern spelling (Hoàng, Vũ) of the paired family names, by region.
_NORTHERN_SPELLING = {"north": 0.88, "south": 0.2, None: 0.5}
_PAIRED = {"Hoàng/Huỳnh": ("Hoàng", "Huỳnh"), "Vũ/Võ": ("Vũ", "Võ")}

#: Parts of folded province names (spaces removed) that place a region in the south or north.
_SOUTH = (
    "hochiminh", "hcm", "saigon", "cantho", "dongnai", "angiang", "binhduong", "longan",
    "tiengiang", "bentre", "vinhlong", "kiengiang", "camau", "soctrang", "baclieu", "travinh",
    "dongthap", "haugiang", "bariavungtau", "vungtau", "tayninh", "binhphuoc",
)  # fmt: skip
_NORTH = (
    "hanoi", "haiphong", "bacninh", "namdinh", "thaibinh", "haiduong", "hungyen", "quangninh",
    "thainguyen", "ninhbinh", "vinhphuc", "phutho", "bacgiang", "hanam",
)  # fmt: skip

Generation = Literal["older", "middle", "young"]


def _weighted(text: str) -> Weighted:
    """``"Thị 60, Ngọc 6"`` as ``(("Thị", 60.0), ("Ngọc", 6.0))``."""
    pairs = (item.split() for item in text.split(","))
    return tuple((name, float(weight)) for name, weight in pairs)


def _names(text: str) -> tuple[str, ...]:
    """``"Lan Hương Hoa"`` as ``("Lan", "Hương", "Hoa")``."""
    return tuple(text.split())


#: Vietnamese middle names by gender and generation, with how often they are given.
_VI_MIDDLE: dict[str, dict[Generation, Weighted]] = {
    "female": {
        "older": _weighted("Thị 60, Ngọc 6, Thu 6, Thanh 6, Kim 5, Bích 4, Hồng 5, Xuân 5, Minh 3"),
        "middle": _weighted(
            "Thị 35, Ngọc 10, Thanh 10, Thu 8, Minh 6, Phương 6, Thùy 6, Hoài 5, Diệu 4, Kim 4"
        ),
        "young": _weighted(
            "Thị 12, Ngọc 12, Minh 8, Phương 8, Bảo 8, Khánh 8, Thu 6, Thanh 6, Gia 6, Quỳnh 6,"
            " Tường 5, Thảo 4"
        ),
    },
    "male": {
        "older": _weighted(
            "Văn 55, Đức 8, Hữu 7, Minh 6, Quang 6, Công 6, Xuân 5, Đình 5, Ngọc 4, Mạnh 3"
        ),
        "middle": _weighted(
            "Văn 30, Đức 10, Minh 10, Quang 8, Hoàng 6, Thành 6, Hữu 6, Tuấn 5, Anh 5, Duy 5,"
            " Việt 4"
        ),
        "young": _weighted(
            "Văn 10, Minh 10, Gia 10, Đức 8, Hoàng 8, Quang 6, Tuấn 6, Bảo 6, Đăng 6, Nhật 6,"
            " Anh 6, Trung 4, Thiên 4"
        ),
    },
}
_VI_MIDDLE_NEUTRAL = _weighted("Minh 10, Thanh 10, Gia 8, Bảo 8, Khánh 6, Ngọc 6, Hoài 6, Nhật 6")

#: Vietnamese given names by gender and generation (born ~1960s-70s, ~1980s, ~1990s-2000s).
_VI_GIVEN: dict[str, dict[Generation, tuple[str, ...]]] = {
    "female": {
        "older": _names(
            "Lan Hương Hoa Hồng Mai Nga Loan Hạnh Thủy Cúc Liên Tuyết Xuân Bình Nhung Oanh"
            " Phượng Dung Hiền Yến"
        ),
        "middle": _names(
            "Thảo Huyền Hà Trang Phương Ngọc Thúy Hằng Giang Vân Quyên Tâm Hạnh Thu Dung Nhung"
            " Hiền Yến Uyên Hoa"
        ),
        "young": _names(
            "Trang Linh Ngân Vy Nhi Anh Thư Hân My Quỳnh Như Tiên Châu Trâm Uyên Ngọc Diệp Hà"
            " Thảo Khuê"
        ),
    },
    "male": {
        "older": _names(
            "Hùng Dũng Tuấn Hải Sơn Thắng Bình Cường Thanh Hòa Lâm Tâm Chiến Hưng Phong Quý"
            " Toàn Vinh Lợi Thuận"
        ),
        "middle": _names(
            "Tuấn Cường Dũng Hải Sơn Long Nam Thắng Hiếu Trung Thành Quang Việt Tùng Đức Tú"
            " Hoàng Hưng Phong Toàn"
        ),
        "young": _names(
            "Khang Huy Phúc Bảo An Khôi Minh Đạt Duy Khoa Quân Kiệt Nhân Thịnh Phát Tín Anh"
            " Nam Long Hiếu"
        ),
    },
}
#: Vietnamese given names used for both women and men.
_VI_GIVEN_NEUTRAL = _names("Anh Minh An Khánh Bình Thanh Tâm Ngọc Giang Bảo Phương")

_EN_GIVEN: dict[str, dict[Generation, tuple[str, ...]]] = {
    "female": {
        "older": _names(
            "Susan Linda Karen Patricia Deborah Barbara Mary Nancy Donna Carol Sandra Lisa"
            " Julie Margaret Cheryl Brenda"
        ),
        "middle": _names(
            "Jessica Jennifer Sarah Amanda Ashley Emily Rachel Laura Megan Nicole Hannah"
            " Rebecca Lauren Stephanie Melissa Heather"
        ),
        "young": _names(
            "Emma Olivia Chloe Sophia Ava Mia Isabella Grace Lily Zoe Ella Amelia Harper"
            " Charlotte Ruby Bella"
        ),
    },
    "male": {
        "older": _names(
            "David Robert Michael James John William Richard Mark Steven Gary Paul Kevin Brian"
            " Thomas Fred Kenneth"
        ),
        "middle": _names(
            "Christopher Matthew Daniel Andrew Joshua Ryan Justin Jason Brandon Tyler Adam"
            " Jonathan Nathan Kyle Eric Aaron"
        ),
        "young": _names(
            "Liam Noah Ethan Lucas Oliver Jack Leo Mason Logan Aiden Elijah Henry Owen Theo"
            " Tom Finn"
        ),
    },
}
_EN_GIVEN_NEUTRAL = _names(
    "Alex Jordan Taylor Sam Casey Morgan Jamie Riley Avery Quinn Robin Charlie"
)
_EN_FAMILY = _names(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Thomas Moore Martin"
    " Thompson White Harris Clark Lewis Walker Hall Young King Wright Green Baker Adams Nelson"
    " Hill Campbell Evans Turner Parker Collins Edwards Nguyen Tran Lee Patel Garcia Chen"
    " Kim"
)

#: Words that end an English name without being the family name.
_EN_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
#: Vietnamese forms of address, which do not count when looking for alliteration.
_VI_TITLES = frozenset({"anh", "chị", "em", "cô", "chú", "bác", "ông", "bà", "mẹ", "bố", "ba"})

# --------------------------------------------------------------------------- helpers


def fold_name(name: str) -> str:
    """The key names are compared on: no diacritics, ``đ`` as ``d``, lower case, one space.

    The same key as the customer file's name key, so that the folded names of real customers
    can be passed to :func:`persona_name` as ``avoid``.

    Examples
    --------
    >>> fold_name("  Đặng   Thị Ngọc  Ánh ")
    'dang thi ngoc anh'
    """
    bare = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def _rng(*parts: object) -> random.Random:
    """A random generator seeded from ``parts`` the same way on every platform and run."""
    digest = hashlib.sha256(repr(("chandung.personas.identity", *parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _pick(rng: random.Random, pool: Weighted) -> str:
    names = [n for n, _ in pool]
    weights = [w for _, w in pool]
    return rng.choices(names, weights=weights)[0]


def _gender(gender: str | None) -> str | None:
    """``"female"`` or ``"male"``; ``None`` for unknown, other or missing."""
    value = (gender or "").strip().lower()
    return value if value in ("female", "male") else None


def _generation(age: int | None) -> Generation:
    """The naming generation of someone ``age`` years old (born ~1960s-70s, 80s, 90s-2000s)."""
    if age is None:
        return "middle"
    if age >= 50:
        return "older"
    if age >= 30:
        return "middle"
    return "young"


def _region(region: str | None) -> Literal["north", "south"] | None:
    compact = re.sub(r"[^a-z]", "", fold_name(region or ""))
    if not compact:
        return None
    if any(key in compact for key in _SOUTH):
        return "south"
    if any(key in compact for key in _NORTH):
        return "north"
    return None


def _vi_name(
    rng: random.Random, gender: str | None, age: int | None, region: str | None
) -> tuple[str, str]:
    family = _pick(rng, _VI_FAMILY)
    if family in _PAIRED:
        northern, southern = _PAIRED[family]
        family = northern if rng.random() < _NORTHERN_SPELLING[_region(region)] else southern
    generation = _generation(age)
    if gender is None:
        middle_pool, given_pool = _VI_MIDDLE_NEUTRAL, _VI_GIVEN_NEUTRAL
    else:
        middle_pool = _VI_MIDDLE[gender][generation]
        given_pool = _VI_GIVEN[gender][generation]
    given = rng.choice(given_pool)
    middle = _pick(rng, middle_pool)
    while middle == given:
        middle = _pick(rng, middle_pool)
    while given == family:
        given = rng.choice(given_pool)
        while middle == given:
            middle = _pick(rng, middle_pool)
    return f"{family} {middle} {given}", given


def _en_name(rng: random.Random, gender: str | None, age: int | None) -> tuple[str, str]:
    pool = _EN_GIVEN_NEUTRAL if gender is None else _EN_GIVEN[gender][_generation(age)]
    given = rng.choice(pool)
    family = rng.choice(_EN_FAMILY)
    while family == given:
        family = rng.choice(_EN_FAMILY)
    return f"{given} {family}", given


# --------------------------------------------------------------------------- names


def persona_name(
    *,
    gender: str | None,
    age: int | None,
    region: str | None,
    name_style: str,
    seed: int,
    avoid: Collection[str] = (),
) -> tuple[str, str]:
    """A fictional name for a persona: ``(full_name, given_name)``.

    Parameters
    ----------
    gender
        ``"female"`` or ``"male"``; anything else (``None``, ``"unknown"``, ``"other"``) gives
        a name used by both (Anh, Minh, An, Khánh...; Alex, Sam, Taylor...).
    age
        Picks the generation of the given name (and, for Vietnamese, how likely the middle
        names Thị and Văn are): 50 and over, 30 to 49, under 30. ``None`` is the middle one.
    region
        Province or city of the persona. Vietnamese family names are written Huỳnh and Võ
        more often in the south, Hoàng and Vũ in the north.
    name_style
        ``"vi"``: family name first, family names weighted by how common they are in Vietnam
        (Nguyễn about 38%). ``"en"``: given name first, common English names.
    seed
        The same seed (with the same other inputs) gives the same name.
    avoid
        Folded names (see :func:`fold_name`) the persona must not have, such as the names of
        real customers; a name found there is drawn again with the next seed.

    Raises
    ------
    ValueError
        When ``name_style`` is unknown, or when ``avoid`` holds every name tried.
    """
    style = (name_style or "").strip().lower()
    if style not in NAME_STYLES:
        raise ValueError(f"name_style must be one of {NAME_STYLES}, not {name_style!r}")
    sex = _gender(gender)
    blocked = avoid if isinstance(avoid, (set, frozenset)) else frozenset(avoid)
    for attempt in range(_MAX_ATTEMPTS):
        rng = _rng("name", style, seed + attempt)
        if style == "vi":
            full, given = _vi_name(rng, sex, age, region)
        else:
            full, given = _en_name(rng, sex, age)
        if not blocked or fold_name(full) not in blocked:
            return full, given
    raise ValueError(f"every name drawn in {_MAX_ATTEMPTS} tries is in the avoid set")


def initials(full_name: str, name_style: str) -> str:
    """Up to two upper-case initials of ``full_name``, in the order the name is written.

    Vietnamese names (family name first) give the family name's and the given name's
    initials; English names the given name's and the family name's, skipping a suffix such
    as ``Jr.``. A single word gives one letter; a name without letters or digits gives ``""``.

    Examples
    --------
    >>> initials("Nguyễn Thị Lan", "vi"), initials("Đặng Văn Đức", "vi")
    ('NL', 'ĐĐ')
    >>> initials("Robert Smith Jr.", "en"), initials("Lan", "vi")
    ('RS', 'L')
    """
    words = unicodedata.normalize("NFC", full_name).split()
    if name_style.strip().lower() == "en":
        while len(words) > 1 and words[-1].lower() in _EN_SUFFIXES:
            words.pop()
    letters = [letter for letter in (_first_letter(w) for w in words) if letter]
    if len(letters) > 2:
        letters = [letters[0], letters[-1]]
    return "".join(letters)


def _first_letter(word: str) -> str:
    for ch in word:
        if ch.isalnum():
            upper = unicodedata.normalize("NFC", ch.upper())[:1]
            return upper if upper == upper.upper() else ""
    return ""


# --------------------------------------------------------------------------- nicknames


def _trait_code(trait: str) -> str:
    code = trait.strip().lower().removeprefix(_NICKNAME_PREFIX + ".")
    code = re.sub(r"[\s-]+", "_", code.rpartition(":")[2])
    code = _TRAIT_ALIASES.get(code, code)
    return code if code in TRAITS else _FALLBACK_TRAIT


def nickname_key(trait: str) -> str:
    """The catalogue key of the nickname texts of ``trait`` (``persona.nickname.<code>``).

    Unknown traits get ``persona.nickname.other``.

    Examples
    --------
    >>> nickname_key("bargain"), nickname_key("Deal hunter"), nickname_key("astrology")
    ('persona.nickname.bargain', 'persona.nickname.deal_hunter', 'persona.nickname.other')
    """
    return f"{_NICKNAME_PREFIX}.{_trait_code(trait)}"


def _variants(code: str, language: str, gender: str | None) -> list[str]:
    keys = [f"{_NICKNAME_PREFIX}.{code}"]
    if gender is not None:
        keys.insert(0, f"{_NICKNAME_PREFIX}.{gender}.{code}")
    texts = catalogue(language)
    for key in keys:
        text = texts.get(key) or catalogue("en").get(key)
        if text:
            found = [v.strip() for v in text.split("|") if "{name}" in v]
            if found:
                return found
    return ["{name}"]


def _alliterates(variant: str, letter: str) -> bool:
    """Whether the first describing word of ``variant`` (not a title) starts with ``letter``."""
    words = [w for w in variant.replace("{name}", " ").split() if w.lower() not in _VI_TITLES]
    return bool(words) and fold_name(words[0])[:1] == letter


def nickname(*, given_name: str, trait: str, language: str, gender: str | None = None) -> str:
    """A memorable nickname such as "Frugal Fred" or "Lan Săn Sale".

    The wording comes from the ``persona.nickname.<trait>`` texts of the language's catalogue
    (several variants separated by ``|``); the first variant whose describing word (the first
    word other than the name and a form of address such as ``Chị``) starts with the given
    name's letter, diacritics folded, is taken, so that the nickname alliterates; else the
    first. With ``gender`` ``"female"`` or ``"male"``, the texts under
    ``persona.nickname.<gender>.<trait>`` come first where there are some (``Mẹ Bỉm Thảo``,
    ``Anh Tuấn Công Nghệ``).

    Parameters
    ----------
    given_name
        The persona's given name (see :func:`persona_name`).
    trait
        What most sets the persona apart: one of :data:`TRAITS` (a few other spellings such as
        ``"promotion"`` and a ``"mindset:"`` prefix are understood); unknown traits get a
        neutral nickname.
    language
        ``"vi"`` or ``"en"``.
    gender
        The persona's gender code, for the Vietnamese forms of address.

    Examples
    --------
    >>> nickname(given_name="Fred", trait="bargain", language="en")
    'Frugal Fred'
    >>> nickname(given_name="Pamela", trait="premium", language="en")
    'Premium Pamela'
    >>> nickname(given_name="Thảo", trait="parent", language="vi", gender="female")
    'Mẹ Bỉm Thảo'
    """
    name = " ".join(given_name.split())
    variants = _variants(_trait_code(trait), normalise_language(language), _gender(gender))
    letter = fold_name(name)[:1]
    chosen = next((v for v in variants if letter and _alliterates(v, letter)), variants[0])
    return " ".join(chosen.replace("{name}", name).split())


# --------------------------------------------------------------------------- avatars

# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_SKIN = "#f1f5f9"
#: Hair by age: dark, greying (45-59), grey (60 and over).
_HAIR = ((60, "#9ca3af"), (45, "#4b5563"))
_HAIR_DARK = "#1f2937"

# Drawn on a 100 x 100 view box; the shoulders follow the edge of the background circle.
_SHOULDERS = "M10 80C14 64 30 60 50 60S86 64 90 80A50 50 0 0 1 10 80Z"
_HEAD = '<circle cx="50" cy="40" r="17" fill="{skin}"/>'
_LONG_HAIR = "M31 42C31 19 69 19 69 42L72 66C62 70 38 70 28 66Z"
_FRINGE = {
    "female": "M32.5 42C30.5 14 69.5 14 67.5 42C62 32 44 29 32.5 42Z",
    "male": "M33.5 38C33 16 67 16 66.5 38C58 30 44 29 33.5 38Z",
}


def _escape(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _hair_colour(age: int | None) -> str:
    for least, colour in _HAIR:
        if age is not None and age >= least:
            return colour
    return _HAIR_DARK


def _silhouette(gender: str | None, age: int | None) -> Sequence[str]:
    hair = _hair_colour(age)
    parts: list[str] = [f'<path d="{_SHOULDERS}" fill="{_SKIN}"/>']
    if gender == "female":
        parts.append(f'<path d="{_LONG_HAIR}" fill="{hair}"/>')
    parts.append(_HEAD.format(skin=_SKIN))
    if gender in _FRINGE:
        parts.append(f'<path d="{_FRINGE[gender]}" fill="{hair}"/>')
    return parts


def avatar_svg(
    *,
    full_name: str,
    gender: str | None,
    age: int | None,
    seed: int,
    size: int = 96,
    style: Literal["silhouette", "initials"] = "silhouette",
    name_style: str = "vi",
) -> str:
    """A small round avatar as inline SVG markup.

    A coloured disc (picked from :data:`PALETTE` by ``seed`` and the name, white reads well on
    every colour) with a head-and-shoulders silhouette -- long hair for women, short for men,
    none when the gender is unknown; greying from 45, grey from 60 -- or, with
    ``style="initials"``, the :func:`initials` of the name (``name_style`` as there). A name
    without initials falls back to the silhouette.

    The markup is self-contained: no links, scripts, styles or fonts from anywhere, and no
    ``xmlns`` either, since it is meant to be placed inside an HTML page; it is labelled with
    the name (``role="img"``, ``aria-label`` and ``<title>``), escaped for XML.

    Raises
    ------
    ValueError
        When ``size`` is not a positive number of pixels.
    """
    if size <= 0:
        raise ValueError(f"size must be a positive number of pixels, not {size}")
    name = " ".join(full_name.split())
    label = _escape(name)
    colour = PALETTE[_rng("avatar", seed, fold_name(name)).randrange(len(PALETTE))]
    letters = _escape(initials(name, name_style)) if style == "initials" else ""
    if letters:
        font_size = 40 if len(letters) > 1 else 46
        body: Sequence[str] = [
            f'<text x="50" y="50" dy="0.35em" text-anchor="middle" font-size="{font_size}" '
            f'font-weight="600" font-family="system-ui, sans-serif" fill="#ffffff">'
            f"{letters}</text>"
        ]
    else:
        body = _silhouette(_gender(gender), age)
    return "".join(
        [
            f'<svg width="{size}" height="{size}" viewBox="0 0 100 100" role="img" '
            f'aria-label="{label}">',
            f"<title>{label}</title>",
            f'<circle cx="50" cy="50" r="50" fill="{colour}"/>',
            *body,
            "</svg>",
        ]
    )
