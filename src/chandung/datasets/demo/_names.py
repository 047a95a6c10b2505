"""Vietnamese (and a few English) personal names, and e-mail addresses made from them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import _arrow as A
from ._arrow import BoolArray, IntArray
from ._random import choice
from ._text import name_key, strip_diacritics

#: Family names with their approximate share of the population (Nguyễn is about 38%).
# fmt: off
FAMILY_NAMES: dict[str, float] = {
    "Nguyễn": 38.0, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 3.4, "Huỳnh": 2.1, "Phan": 4.5,
    "Vũ": 2.6, "Võ": 1.9, "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1.0,
    "Lý": 0.5, "Đinh": 0.6, "Trương": 0.6, "Lâm": 0.4, "Mai": 0.4, "Đoàn": 0.4, "Cao": 0.3,
    "Lương": 0.3, "Tạ": 0.2, "Hà": 0.3, "Tô": 0.2, "Châu": 0.2, "Quách": 0.1, "Thái": 0.1,
    "Kiều": 0.1, "Trịnh": 0.4, "Lưu": 0.2, "La": 0.1,
}
#: Women's middle names other than "Thị", which takes the rest (more often for older women).
FEMALE_MIDDLE: dict[str, float] = {
    "Ngọc": 8, "Thu": 6, "Thanh": 6, "Minh": 3, "Kim": 4, "Phương": 3, "Hồng": 3, "Bảo": 3,
    "Khánh": 3, "Hoài": 2, "Diệu": 2, "Mỹ": 3, "Thùy": 3, "Quỳnh": 2, "Hải": 1, "Tường": 1,
}
#: Men's middle names other than "Văn".
MALE_MIDDLE: dict[str, float] = {
    "Minh": 10, "Đức": 8, "Quốc": 6, "Hữu": 6, "Thanh": 4, "Công": 4, "Hoàng": 3, "Gia": 3,
    "Trọng": 3, "Xuân": 2, "Ngọc": 2, "Đình": 3, "Anh": 3, "Tuấn": 2, "Thành": 2, "Bá": 1,
}
FEMALE_GIVEN = (
    "Lan", "Hương", "Hoa", "Linh", "Trang", "Hà", "Mai", "Ngọc", "Thảo", "Phương", "Anh", "Huyền",
    "Nhung", "Hằng", "Thu", "Yến", "Vy", "Nhi", "Trâm", "Quỳnh", "Hạnh", "Loan", "Oanh", "Dung",
    "Uyên", "Giang", "Thủy", "Hiền", "Vân", "My", "Châu", "Ngân", "Diệp", "Tâm", "Xuân", "Hồng",
    "Nga", "Liên", "Thư", "Tú", "Chi", "Duyên", "Hậu", "Lụa", "Mến",
)
MALE_GIVEN = (
    "Nam", "Hùng", "Dũng", "Minh", "Tuấn", "Hải", "Long", "Sơn", "Thắng", "Quang", "Hiếu", "Đức",
    "Trung", "Phong", "Khoa", "Huy", "Bảo", "Khang", "Phúc", "Thành", "Tài", "Vinh", "Hoàng",
    "Tùng", "Cường", "Hưng", "Lâm", "Nghĩa", "Tâm", "Toàn", "Kiên", "Đạt", "Duy", "Hòa", "Lộc",
    "Quân", "An", "Khôi", "Nhân", "Tín", "Trí", "Việt", "Thịnh", "Tiến", "Lực",
)
EN_FEMALE = (
    "Emily", "Sarah", "Jessica", "Anna", "Laura", "Olivia", "Sophie", "Rachel", "Kate", "Emma",
    "Hannah", "Chloe",
)
EN_MALE = (
    "James", "John", "Michael", "David", "Daniel", "Thomas", "Mark", "Peter", "Chris", "Andrew",
    "Ben", "Ryan",
)
EN_FAMILY = (
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Miller", "Davis", "Clark", "Walker", "Wright",
    "Evans", "Carter", "Harris", "Martin", "Moore", "Baker",
)
# fmt: on

_THI, _VAN = "Thị", "Văn"
_EMPTY = ""

#: Every name part in one vocabulary, so a name is three indices into it.
# fmt: off
_PARTS: tuple[str, ...] = (
    _EMPTY, _THI, _VAN, *FAMILY_NAMES, *FEMALE_MIDDLE, *MALE_MIDDLE, *FEMALE_GIVEN, *MALE_GIVEN,
    *EN_FEMALE, *EN_MALE, *EN_FAMILY,
)
# fmt: on
_OFFSET: dict[str, int] = {}
_pos = 3
for _label, _items in (
    ("family", FAMILY_NAMES),
    ("fmiddle", FEMALE_MIDDLE),
    ("mmiddle", MALE_MIDDLE),
    ("fgiven", FEMALE_GIVEN),
    ("mgiven", MALE_GIVEN),
    ("en_f", EN_FEMALE),
    ("en_m", EN_MALE),
    ("en_family", EN_FAMILY),
):
    _OFFSET[_label] = _pos
    _pos += len(_items)

_WRITTEN = pa.array(_PARTS, pa.string())
_ASCII = pa.array([strip_diacritics(p) for p in _PARTS], pa.string())
_KEY = pa.array([name_key(p) for p in _PARTS], pa.string())

# fmt: off
EMAIL_DOMAINS: dict[str, float] = {
    "gmail.com": 72, "yahoo.com": 6, "yahoo.com.vn": 3, "outlook.com": 4, "hotmail.com": 4,
    "icloud.com": 5,
}
WORK_DOMAINS = (
    "fpt.com.vn", "viettel.com.vn", "vng.com.vn", "vinamilk.com.vn", "masan.com", "tiki.vn",
    "momo.vn", "vpbank.com.vn", "techcombank.com.vn", "pwc.com",
)
STUDENT_DOMAINS = (
    "st.ueh.edu.vn", "sis.hust.edu.vn", "student.hcmus.edu.vn", "vnu.edu.vn", "ftu.edu.vn",
)
# fmt: on


@dataclass(frozen=True)
class Names:
    """Names of a batch of people, as indices into one vocabulary of name parts.

    A Vietnamese name is (family, middle, given); an English one is (given, family, empty),
    so that joining the three parts with spaces writes both in their usual order.
    """

    first: IntArray
    second: IntArray
    third: IntArray

    def render(self, style: str = "written") -> pa.Array:
        """Full names: ``written`` (with diacritics), ``ascii`` (without) or ``key``."""
        vocabulary = {"written": _WRITTEN, "ascii": _ASCII, "key": _KEY}[style]
        parts = [vocabulary.take(pa.array(p)) for p in (self.first, self.second, self.third)]
        return pc.utf8_trim_whitespace(A.join(*parts, sep=" "))


def draw_names(
    rng: np.random.Generator, female: BoolArray, age: IntArray, english: BoolArray
) -> Names:
    """Draw names that fit each person's sex, age and language."""
    n = len(female)
    family = _OFFSET["family"] + choice(rng, list(FAMILY_NAMES.values()), n)
    # Younger women are given "Thị" less often than their mothers were.
    p_thi = np.clip(0.5 + 0.008 * (age - 25), 0.4, 0.8)
    fmiddle = _OFFSET["fmiddle"] + choice(rng, list(FEMALE_MIDDLE.values()), n)
    mmiddle = _OFFSET["mmiddle"] + choice(rng, list(MALE_MIDDLE.values()), n)
    usual = rng.random(n)
    middle = np.where(
        female,
        np.where(usual < p_thi, 1, fmiddle),
        np.where(usual < 0.45, 2, mmiddle),
    )
    fgiven = _OFFSET["fgiven"] + rng.integers(0, len(FEMALE_GIVEN), n)
    mgiven = _OFFSET["mgiven"] + rng.integers(0, len(MALE_GIVEN), n)
    given = np.where(female, fgiven, mgiven)
    en_given = np.where(
        female,
        _OFFSET["en_f"] + rng.integers(0, len(EN_FEMALE), n),
        _OFFSET["en_m"] + rng.integers(0, len(EN_MALE), n),
    )
    en_family = _OFFSET["en_family"] + rng.integers(0, len(EN_FAMILY), n)
    return Names(
        first=np.where(english, en_given, family).astype(np.int64),
        second=np.where(english, en_family, middle).astype(np.int64),
        third=np.where(english, 0, given).astype(np.int64),
    )


def draw_emails(
    rng: np.random.Generator,
    names: Names,
    english: BoolArray,
    domain_kind: IntArray,
    record_number: IntArray,
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """E-mail addresses from people's names, as (local part, separator, domain).

    ``domain_kind`` is 0 for a personal address, 1 for a work one and 2 for a student one.
    The parts are returned apart so that dirt can be planted in any of them.

    Two people never share an address (a mail provider does not allow it, and identity
    resolution rightly treats a shared address as one person), so every local part ends in a
    number unique to the record: ``record_number`` scrambled by a bijection of [0, 10^8), so
    that it looks like the numbers people add to a taken name. Names hold no digits, so the
    number keeps the whole address unique. Prospects who are not customers use numbers from
    10^8 up, so they never take a customer's address either.
    """
    n = len(english)
    family_key = _KEY.take(pa.array(np.where(english, names.second, names.first)))
    given_key = _KEY.take(pa.array(np.where(english, names.first, names.third)))
    middle_key = _KEY.take(pa.array(np.where(english, 0, names.second)))
    initial = pc.utf8_slice_codeunits(middle_key, 0, 1)
    pattern = rng.choice(4, size=n, p=[0.4, 0.25, 0.2, 0.15])
    # 7_919 is prime and coprime with 10: multiplying by it permutes the residues mod 10^8.
    number = record_number.astype(np.int64)
    scrambled = (number % 100_000_000) * 7_919 % 100_000_000 + number // 100_000_000 * 100_000_000
    digits = A.int_strings(scrambled)
    dot = A.where(pattern == 1, ".", "")
    local = A.where(
        pattern == 2,
        A.join(family_key, initial, given_key, digits),
        A.where(
            pattern == 3,
            A.join(given_key, "_", family_key, digits),
            A.join(given_key, dot, family_key, digits),
        ),
    )
    personal = A.take(list(EMAIL_DOMAINS), choice(rng, list(EMAIL_DOMAINS.values()), n))
    work = A.take(WORK_DOMAINS, rng.integers(0, len(WORK_DOMAINS), n))
    student = A.take(STUDENT_DOMAINS, rng.integers(0, len(STUDENT_DOMAINS), n))
    domain = A.where(domain_kind == 1, work, A.where(domain_kind == 2, student, personal))
    return local, pa.repeat(pa.scalar("@"), n), domain
