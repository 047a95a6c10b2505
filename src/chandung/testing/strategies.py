"""Hypothesis strategies for values found in customer files, with the answers they should give.

These are public helpers for tests of code built on Chân Dung. Strategies that return pairs
give the raw value as a source could write it and the canonical value a normaliser should
return, worked out independently of the normalisers themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

# --- people ---

# Network codes after the trunk 0 in the 10-digit numbering, and the old 11-digit prefixes of
# 2018 that became some of them (written out again here, not imported, so that tests check the
# normaliser's table against this one).
# fmt: off
_NEW_CODES = (
    "32", "33", "34", "35", "36", "37", "38", "39", "56", "58", "59", "70", "76", "77", "78",
    "79", "81", "82", "83", "84", "85", "86", "88", "89", "90", "91", "92", "93", "94", "96",
    "97", "98", "99",
)
_OLD_TO_NEW = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38",
    "169": "39", "120": "70", "121": "79", "122": "77", "126": "76", "128": "78", "123": "83",
    "124": "84", "125": "85", "127": "81", "129": "82", "186": "56", "188": "58", "199": "59",
}
# fmt: on
_PREFIXES = ("0", "+84", "84", "0084", "+84 ", "84 ", "(+84) ", "+84 (0)", "0084 ")
_SEPARATORS = ("", " ", ".", "-", " - ")


@st.composite
def vn_mobile_numbers(
    draw: st.DrawFn, old_format: bool | None = None, decorations: bool = True
) -> tuple[str, str]:
    """A Vietnamese mobile number as written, and its E.164 form.

    Parameters
    ----------
    old_format
        True for the old 11-digit form (``0162...``), False for the 10-digit one, None for
        either.
    decorations
        Whether to vary the country prefix (``+84``, ``84``, ``0084``) and put spaces, dots,
        dashes or parentheses between digit groups; otherwise ``0`` and bare digits.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(vn_mobile_numbers(old_format=True, decorations=False), lambda pair: True)
    ('01200000000', '+84700000000')
    """
    old = draw(st.booleans()) if old_format is None else old_format
    subscriber = draw(st.text("0123456789", min_size=7, max_size=7))
    if old:
        written_code, new_code = draw(st.sampled_from(sorted(_OLD_TO_NEW.items())))
    else:
        written_code = new_code = draw(st.sampled_from(_NEW_CODES))
    expected = f"+84{new_code}{subscriber}"
    digits = written_code + subscriber
    if not decorations:
        return "0" + digits, expected
    prefix = draw(st.sampled_from(_PREFIXES))
    separator = draw(st.sampled_from(_SEPARATORS))
    head = len(written_code) + draw(st.integers(0, 1))
    groups = [digits[:head], digits[head : head + 3], digits[head + 3 :]]
    if prefix == "0" and draw(st.booleans()):
        # "(091) 234 5678": the trunk 0 and network code in parentheses.
        return f"(0{groups[0]}) {separator.join(groups[1:])}", expected
    return prefix + separator.join(groups), expected


def emails() -> st.SearchStrategy[str]:
    """Well-formed e-mail addresses in canonical form (lower case, no surrounding spaces).

    Examples
    --------
    >>> from hypothesis import find
    >>> find(emails(), lambda address: True)
    '0@gmail.com'
    """
    atom = st.text("abcdefghijklmnopqrstuvwxyz0123456789_+-", min_size=1, max_size=12)
    local = st.lists(atom, min_size=1, max_size=3).map(".".join)
    label = st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?\Z")
    domain = st.one_of(
        st.sampled_from(("gmail.com", "yahoo.com", "yahoo.com.vn", "outlook.com", "fpt.com.vn")),
        st.tuples(st.lists(label, min_size=1, max_size=2), st.from_regex(r"\A[a-z]{2,6}\Z")).map(
            lambda parts: ".".join([*parts[0], parts[1]])
        ),
    )
    return st.builds(lambda lo, do: f"{lo}@{do}", local, domain)


# fmt: off
_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Đoàn", "Trịnh",
)
_FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Phương", "Hồng", "Mỹ", "Thùy", "Diệu")
_MALE_MIDDLE = ("Văn", "Minh", "Đức", "Quốc", "Hữu", "Công", "Gia", "Trọng", "Đình", "Xuân")
_FEMALE_GIVEN = ("Lan", "Hương", "Linh", "Trang", "Thảo", "Huyền", "Yến", "Quỳnh", "Ánh", "Ngân")
_MALE_GIVEN = ("Nam", "Hùng", "Dũng", "Tuấn", "Sơn", "Thắng", "Đức", "Khoa", "Cường", "Lộc")
# fmt: on


def vietnamese_names(
    middle: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[str]:
    """Vietnamese full names with diacritics: family, middle and given name.

    Parameters
    ----------
    middle
        Middle names to draw from; by default any common one, Thị and Văn included.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(vietnamese_names(), lambda name: "Thị" in name)
    'Nguyễn Thị Lan'
    """
    middles = st.sampled_from(_FEMALE_MIDDLE + _MALE_MIDDLE) if middle is None else middle
    return st.builds(
        lambda f, m, g: f"{f} {m} {g}",
        st.sampled_from(_FAMILY),
        middles,
        st.sampled_from(_FEMALE_GIVEN + _MALE_GIVEN),
    )


_CASES: tuple[Callable[[str], str], ...] = (str.lower, str.upper, str.title, str.strip)


@st.composite
def messy_vietnamese_names(draw: st.DrawFn) -> tuple[str, str]:
    """A name as a careless source writes it (case, spacing), and its tidy form.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(messy_vietnamese_names(), lambda pair: pair[0].isupper())
    (' NGUYỄN THỊ LAN ', 'Nguyễn Thị Lan')
    """
    name = draw(vietnamese_names())
    case = draw(st.sampled_from(_CASES))
    spaces = draw(st.lists(st.sampled_from((" ", "  ", "\t", "\u00a0")), min_size=4, max_size=4))
    words = case(name).split(" ")
    raw = spaces[0] + spaces[1].join(words[:2]) + spaces[2] + words[2] + spaces[3]
    return raw, name


_GENDER_LABELS = {
    "female": ("Nữ", "nữ", "NỮ", "nu", "Nữ giới", "F", "f", "Female", "gái", "chị", "Phụ nữ"),
    "male": ("Nam", "nam", "NAM", "Nam giới", "M", "m", "Male", "trai", "anh", "Ông"),
    "other": ("Khác", "khac", "Other"),
    "unknown": ("Không rõ", "unknown", "N/A"),
}


def gender_labels() -> st.SearchStrategy[tuple[str, str]]:
    """A gender as sources write it, and its canonical value.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(gender_labels(), lambda pair: pair[1] == "male")
    ('Nam', 'male')
    """
    pairs = [(raw, gender) for gender, labels in _GENDER_LABELS.items() for raw in labels]
    return st.sampled_from(pairs)


# --- end people ---
