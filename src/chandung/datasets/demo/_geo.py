"""Where people live: population-weighted provinces, addresses and provinces as written."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from chandung.schema.provinces_vn import ALIASES, CURRENT_PROVINCES, FORMER_TO_CURRENT

from . import _arrow as A
from ._arrow import BoolArray, FloatArray, IntArray
from ._text import strip_diacritics

#: Population of the 63 former units in millions (2019 census, rounded).
# fmt: off
POPULATION_M: dict[str, float] = {
    "Hà Nội": 8.05, "Thừa Thiên Huế": 1.13, "Lai Châu": 0.46, "Điện Biên": 0.6, "Sơn La": 1.25,
    "Lạng Sơn": 0.78, "Quảng Ninh": 1.32, "Thanh Hóa": 3.64, "Nghệ An": 3.33, "Hà Tĩnh": 1.29,
    "Cao Bằng": 0.53, "Tuyên Quang": 0.78, "Hà Giang": 0.85, "Lào Cai": 0.73, "Yên Bái": 0.82,
    "Thái Nguyên": 1.29, "Bắc Kạn": 0.31, "Phú Thọ": 1.46, "Vĩnh Phúc": 1.15, "Hòa Bình": 0.85,
    "Bắc Ninh": 1.37, "Bắc Giang": 1.8, "Hưng Yên": 1.25, "Thái Bình": 1.86, "Hải Phòng": 2.03,
    "Hải Dương": 1.89, "Ninh Bình": 0.98, "Hà Nam": 0.85, "Nam Định": 1.78, "Quảng Trị": 0.63,
    "Quảng Bình": 0.9, "Đà Nẵng": 1.13, "Quảng Nam": 1.5, "Quảng Ngãi": 1.23, "Kon Tum": 0.54,
    "Gia Lai": 1.51, "Bình Định": 1.49, "Khánh Hòa": 1.23, "Ninh Thuận": 0.59, "Lâm Đồng": 1.3,
    "Đắk Nông": 0.62, "Bình Thuận": 1.23, "Đắk Lắk": 1.87, "Phú Yên": 0.96,
    "Thành phố Hồ Chí Minh": 8.99, "Bình Dương": 2.43, "Bà Rịa - Vũng Tàu": 1.15, "Đồng Nai": 3.1,
    "Bình Phước": 0.99, "Tây Ninh": 1.17, "Long An": 1.69, "Cần Thơ": 1.24, "Sóc Trăng": 1.2,
    "Hậu Giang": 0.73, "Vĩnh Long": 1.02, "Bến Tre": 1.29, "Trà Vinh": 1.01, "Đồng Tháp": 1.6,
    "Tiền Giang": 1.76, "Cà Mau": 1.19, "Bạc Liêu": 0.91, "An Giang": 1.91, "Kiên Giang": 1.72,
}
#: How urban a former unit is, 0 to 1: the big cities pull young office workers.
URBANITY: dict[str, float] = {
    "Thành phố Hồ Chí Minh": 1.0, "Hà Nội": 1.0, "Đà Nẵng": 0.75, "Hải Phòng": 0.6, "Cần Thơ": 0.6,
    "Bình Dương": 0.55, "Đồng Nai": 0.4, "Bà Rịa - Vũng Tàu": 0.4, "Khánh Hòa": 0.4,
    "Quảng Ninh": 0.4, "Bắc Ninh": 0.4, "Thừa Thiên Huế": 0.4, "Thái Nguyên": 0.3, "Lâm Đồng": 0.25,
    "Nghệ An": 0.2, "Thanh Hóa": 0.2,
}
# fmt: on

FORMER: tuple[str, ...] = tuple(POPULATION_M)
CURRENT: tuple[str, ...] = CURRENT_PROVINCES
FORMER_CURRENT: IntArray = np.array(
    [CURRENT.index(FORMER_TO_CURRENT[f]) for f in FORMER], dtype=np.int64
)
_POP: FloatArray = np.array([POPULATION_M[f] for f in FORMER])
_URBAN: FloatArray = np.array([URBANITY.get(f, 0.05) for f in FORMER])


def _spellings(canonical: str, with_aliases: bool) -> list[str]:
    plain = strip_diacritics(canonical)
    found = [plain, plain.lower()]
    if canonical.startswith("Thành phố "):
        found.append("TP. " + canonical.removeprefix("Thành phố "))
    elif canonical in ("Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"):
        found.append("TP " + canonical)
    else:
        found.append("Tỉnh " + canonical)
    if with_aliases:
        found += [alias for alias, target in ALIASES.items() if target == canonical]
    return found


#: Other ways sources write each unit: no diacritics, lower case, "Tỉnh ..."/"TP ...", aliases.
_CURRENT_SPELLINGS = [_spellings(c, c in FORMER_TO_CURRENT) for c in CURRENT]
_FORMER_SPELLINGS = [_spellings(f, f not in CURRENT) for f in FORMER]

# fmt: off
STREETS = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
    "Nguyễn Trãi", "Lê Duẩn", "Điện Biên Phủ", "Cách Mạng Tháng Tám", "Nguyễn Văn Linh",
    "Phan Đình Phùng", "Võ Văn Kiệt", "Lê Hồng Phong", "Nguyễn Thị Minh Khai", "Pasteur",
    "Hoàng Văn Thụ", "Trường Chinh", "Phạm Văn Đồng", "Nguyễn Văn Cừ", "Lạc Long Quân", "Bạch Đằng",
    "Hùng Vương", "Trần Phú", "Lê Thánh Tông", "Ngô Quyền", "Nguyễn Du", "Tôn Đức Thắng",
    "Phan Chu Trinh", "Lý Tự Trọng", "Nguyễn Đình Chiểu", "Hoàng Hoa Thám", "Lê Quý Đôn",
    "Trần Quang Khải", "Nguyễn Thái Học", "Quốc lộ 1A", "Phan Bội Châu", "Yersin",
)
WARD_NAMES = (
    "An Khánh", "Hòa Bình", "An Phú", "Tân Phong", "Phước Long", "Hiệp Bình", "Tân Hưng", "Phú Mỹ",
    "Bình Trưng", "Tam Thắng", "Phú Lợi", "Tân Hòa", "Phú Thạnh", "Tân Thới", "Long Thạnh",
    "Thạnh Mỹ", "Quang Trung", "Bình Hưng", "An Lạc", "Đông Hưng", "Minh Khai", "Hưng Phú",
    "Trung Hòa", "Nghĩa Tân", "Phương Liên", "Vĩnh Phúc", "Xuân La", "Tân Lợi",
)
COMMUNE_NAMES = (
    "An Phú", "Tân Hiệp", "Phước Long", "Hòa Bình", "Tân Lập", "Yên Lạc", "Đông Sơn", "Thạnh Phú",
    "Bình Minh", "Vĩnh Hòa", "Quảng Phú", "Nghĩa Hưng", "Mỹ Thạnh", "Xuân Lộc", "Tân Châu",
    "Long Điền", "Hưng Hà", "Kim Sơn", "Thanh Sơn", "Cẩm Mỹ",
)

#: GA4 ``geo.region`` of a current unit: the English name Google reports.
_REGION_NAMES = {
    "Thành phố Hồ Chí Minh": "Ho Chi Minh City", "Hà Nội": "Hanoi", "Đà Nẵng": "Da Nang",
    "Hải Phòng": "Haiphong", "Cần Thơ": "Can Tho", "Huế": "Thua Thien Hue",
}
# fmt: on
REGIONS: tuple[str, ...] = tuple(
    _REGION_NAMES.get(c, strip_diacritics(c) + " Province") for c in CURRENT
)


@dataclass(frozen=True)
class Places:
    """Where a batch of people live, as indices into :data:`FORMER` and :data:`CURRENT`."""

    former: IntArray
    current: IntArray
    hometown: IntArray
    rural: BoolArray


def draw_places(
    rng: np.random.Generator, urban_bias: FloatArray, rural_share: FloatArray
) -> Places:
    """Draw homes weighted by population, tilted towards big cities by ``urban_bias``."""
    n = len(urban_bias)
    former = np.zeros(n, dtype=np.int64)
    for bias in np.unique(urban_bias):
        rows = np.flatnonzero(urban_bias == bias)
        weights = _POP * np.exp(bias * _URBAN)
        former[rows] = rng.choice(len(FORMER), size=len(rows), p=weights / weights.sum())
    current = FORMER_CURRENT[former]
    migrant = rng.random(n) < 0.35 + 0.25 * _URBAN[former]
    born = rng.choice(len(FORMER), size=n, p=_POP / _POP.sum())
    hometown = np.where(migrant, FORMER_CURRENT[born], current)
    rural = (rng.random(n) < rural_share) & (_URBAN[former] < 0.5)
    return Places(former, current, hometown, rural)


def province_raw(rng: np.random.Generator, places: Places, old_address: BoolArray) -> pa.Array:
    """The province as a source wrote it.

    Old addresses (``old_address``) name the former unit; the others name the current one.
    One in five is written another way: without diacritics, as an alias, with a prefix.
    """
    n = len(old_address)
    other_spelling = rng.random(n) < 0.2
    pick = rng.integers(0, 1 << 30, n)
    written = np.where(old_address, places.former, places.current + len(FORMER))
    names = list(FORMER) + list(CURRENT)
    spellings = _FORMER_SPELLINGS + _CURRENT_SPELLINGS
    counts = np.array([len(s) for s in spellings])
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat = [s for group in spellings for s in group]
    alternative = starts[written] + pick % counts[written]
    return A.where(other_spelling, A.take(flat, alternative), A.take(names, written))


def draw_streets(rng: np.random.Generator, rural: BoolArray) -> pa.Array:
    """The part of an address before the province: house and street, ward or commune."""
    n = len(rural)
    house = rng.integers(1, 400, n)
    alley = rng.integers(1, 60, n)
    in_alley = rng.random(n) < 0.3
    number = A.where(
        in_alley, A.join(A.int_strings(alley), "/", A.int_strings(house)), A.int_strings(house)
    )
    street = A.take(STREETS, rng.integers(0, len(STREETS), n))
    ward = A.join("Phường ", A.take(WARD_NAMES, rng.integers(0, len(WARD_NAMES), n)))
    commune = A.join("Xã ", A.take(COMMUNE_NAMES, rng.integers(0, len(COMMUNE_NAMES), n)))
    hamlet = A.join("Thôn ", A.int_strings(rng.integers(1, 12, n)))
    return A.where(rural, A.join(hamlet, ", ", commune), A.join(number, " ", street, ", ", ward))


def current_names(index: IntArray, mask: BoolArray | None = None) -> pa.Array:
    """Names of current units."""
    return A.take(CURRENT, index, mask)


def former_names(index: IntArray, mask: BoolArray | None = None) -> pa.Array:
    """Names of former units."""
    return A.take(FORMER, index, mask)
