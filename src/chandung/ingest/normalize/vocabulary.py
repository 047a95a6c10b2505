"""Fixed vocabularies: sales channel, device, platform, preferred contact channel, occupation,
education and marital status.

Sources write "Shopee Mall", "tiktokshop", "điện thoại", "Mac OS X", "Giáo viên", "cấp 3" or
"có gia đình"; the canonical model keeps
the codes of :mod:`chandung.schema.vocab`. Matching goes through :func:`text_key` (no case, no
diacritics, no spaces or punctuation), so each synonym table lists one spelling per word.

Python looks only at the *distinct* values of a column (``pc.unique``) and the result is mapped
back with ``pc.index_in`` + ``take``: a column of a million orders has a few dozen channel
spellings, so the per-row work stays in Arrow.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema.vocab import (
    CONTACT_CHANNELS,
    DEVICES,
    EDUCATION_LEVELS,
    MARITAL_STATUSES,
    OCCUPATIONS,
    PLATFORMS,
    SALES_CHANNELS,
)

from ._result import Normalized, as_array, blank_to_null

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray | list[Any]


def text_key(text: str) -> str:
    """Return the matching key of ``text``: no diacritics (đ→d), lower case, letters and digits.

    Examples
    --------
    >>> text_key("  Thành phố Hồ Chí Minh ")
    'thanhphohochiminh'
    >>> text_key("Bà Rịa - Vũng Tàu") == text_key("ba ria vung tau")
    True
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub("", plain.lower())


def map_distinct(
    values: pa.Array, read: Callable[[str], tuple[Any, str | None]], value_type: pa.DataType
) -> tuple[pa.Array, pa.Array]:
    """Apply ``read`` to each distinct non-blank string of ``values`` and map the results back.

    ``read`` returns ``(value, reason)``. Blank and null inputs give a null value and a null reason.
    """
    text = blank_to_null(values)
    distinct = pc.unique(text).drop_null()
    read_values: list[Any] = []
    read_reasons: list[str | None] = []
    for raw in distinct.to_pylist():
        value, reason = read(raw)
        read_values.append(value)
        read_reasons.append(reason)
    position = pc.index_in(text, value_set=distinct)
    out_values = pa.array(read_values, type=value_type).take(position)
    out_reasons = pa.array(read_reasons, type=pa.string()).take(position)
    return out_values, out_reasons


def _table(canonical: tuple[str, ...], synonyms: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    table = {text_key(code): code for code in canonical}
    for code, words in synonyms.items():
        for word in words:
            table[text_key(word)] = code
    return table


#: Other ways sources name each sales channel (the code itself is always accepted).
CHANNEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "website": ("web", "web site", "trang web", "online store", "e-shop", "webstore"),
    "app": ("mobile app", "ứng dụng", "app mobile"),
    "shopee": ("Shopee Mall", "shopee vn", "shp"),
    "lazada": ("LazMall", "lazada mall", "lzd"),
    "tiki": ("tiki trading", "tiki.vn"),
    "tiktok_shop": ("TikTok Shop", "tiktokshop", "tiktok", "tts"),
    "zalo": ("Zalo OA", "zalo shop"),
    "facebook": ("fb", "messenger", "facebook page", "fanpage"),
    # A chain's own shop counts as modern trade; the neighbourhood store as general trade.
    "store_mt": (
        "cửa hàng",
        "siêu thị",
        "supermarket",
        "store",
        "in store",
        "offline",
        "showroom",
        "chuỗi",
        "modern trade",
        "mt",
    ),
    "store_gt": ("tạp hóa", "tạp hoá", "chợ", "đại lý", "general trade", "gt", "kiosk"),
    "sales_rep": (
        "sales rep",
        "sale",
        "sales",
        "nhân viên kinh doanh",
        "nvkd",
        "b2b",
        "đặt hàng qua sale",
    ),
}
DEVICE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "mobile": ("phone", "điện thoại", "dt", "smartphone", "mobile phone", "cell", "di động"),
    "desktop": ("pc", "máy tính", "laptop", "computer", "máy tính để bàn", "notebook"),
    "tablet": ("ipad", "máy tính bảng", "tab"),
    "unknown": ("n/a", "không rõ", "(not set)"),
}
PLATFORM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "android": ("android os",),
    "ios": ("iphone", "ipados", "iphone os", "apple ios"),
    "windows": ("win", "win10", "windows 10", "windows 11", "microsoft windows"),
    "macos": ("mac", "mac os", "mac os x", "osx", "os x", "macintosh"),
    "linux": ("ubuntu", "chrome os", "chromeos"),
    "other": ("khác",),
}
CONTACT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "zalo": ("zalo oa", "nhắn zalo"),
    "facebook": ("fb", "messenger", "facebook messenger"),
    "phone": ("điện thoại", "gọi điện", "call", "hotline", "dt", "gọi", "tel"),
    "sms": ("tin nhắn", "text", "nhắn tin"),
    "email": ("e-mail", "mail", "thư điện tử"),
    "instagram": ("ig", "insta"),
    "tiktok": ("tik tok",),
    "in_store": ("tại cửa hàng", "trực tiếp", "in person", "cửa hàng", "store", "offline"),
}

#: Other ways sources name each occupation group, in Vietnamese and English.
OCCUPATION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "office_worker": (
        "nhân viên văn phòng", "văn phòng", "nhân viên", "nhân viên công ty", "nv văn phòng",
        "kế toán", "thư ký", "hành chính", "office worker", "office staff", "office",
        "employee", "staff", "clerk", "accountant", "secretary", "white collar",
    ),
    "manager": (
        "quản lý", "quản lí", "nhà quản lý", "trưởng phòng", "phó phòng", "giám đốc",
        "trưởng nhóm", "director", "team leader", "executive", "head of department",
    ),
    "business_owner": (
        "chủ doanh nghiệp", "doanh nhân", "kinh doanh", "buôn bán", "tiểu thương",
        "chủ cửa hàng", "chủ shop", "chủ cơ sở", "tự kinh doanh", "business owner",
        "entrepreneur", "shop owner", "business", "merchant", "trader",
    ),
    "civil_servant": (
        "công chức, viên chức",
        "công chức", "viên chức", "công viên chức", "cán bộ", "cán bộ công chức",
        "công chức nhà nước", "nhà nước", "công an", "bộ đội", "quân đội", "civil servant",
        "public servant", "government employee", "government", "police", "military",
    ),
    "teacher": (
        "giáo viên", "cô giáo", "thầy giáo", "giảng viên", "nhà giáo", "gia sư", "teacher",
        "lecturer", "tutor", "professor", "gv",
    ),
    "healthcare": (
        "y tế", "nhân viên y tế", "y bác sĩ", "bác sĩ", "bác sỹ", "y sĩ", "y tá",
        "điều dưỡng", "dược sĩ", "dược sỹ", "healthcare worker", "health care", "health worker",
        "medical", "doctor", "nurse", "pharmacist",
    ),
    "engineer_it": (
        "kỹ sư, it",
        "kỹ sư", "kĩ sư", "kỹ sư it", "kỹ sư phần mềm", "lập trình viên", "it",
        "công nghệ thông tin", "cntt", "engineer", "engineer it", "software engineer",
        "developer", "programmer", "it engineer",
    ),
    "skilled_worker": (
        "thợ", "thợ lành nghề", "thợ điện", "thợ may", "thợ xây", "thợ mộc", "thợ sửa xe",
        "thợ cắt tóc", "kỹ thuật viên", "tài xế", "lái xe", "skilled worker", "technician",
        "tradesman", "craftsman", "electrician", "mechanic", "driver",
    ),
    "factory_worker": (
        "công nhân", "công nhân nhà máy", "công nhân may", "lao động phổ thông",
        "factory worker", "worker", "blue collar", "labourer", "laborer",
    ),
    "farmer": (
        "nông dân", "làm nông", "làm ruộng", "nông nghiệp", "ngư dân", "farmer", "fisherman",
        "agriculture",
    ),
    "student": (
        "sinh viên", "học sinh", "học viên", "sv", "hs", "học sinh, sinh viên", "student",
        "university student", "pupil",
    ),
    "homemaker": (
        "nội trợ", "làm nội trợ", "nội trợ gia đình", "ở nhà", "housewife", "house husband",
        "homemaker", "stay at home", "stay-at-home parent",
    ),
    "freelancer": (
        "tự do", "làm tự do", "nghề tự do", "lao động tự do", "freelance", "freelancer",
        "self-employed",
    ),
    "retired": (
        "nghỉ hưu", "đã nghỉ hưu", "về hưu", "hưu trí", "hưu", "retired", "retiree",
        "pensioner",
    ),
    "other": ("khác", "nghề khác", "others", "other occupation", "thất nghiệp", "unemployed"),
}  # fmt: skip
#: Other ways sources name each education level, in Vietnamese and English.
EDUCATION_SYNONYMS: dict[str, tuple[str, ...]] = {
    "primary": (
        "tiểu học", "cấp 1", "cấp i", "lớp 5", "primary school", "elementary",
        "elementary school",
    ),
    "secondary": (
        "trung học cơ sở", "thcs", "cấp 2", "cấp ii", "lớp 9", "lower secondary",
        "lower secondary school", "secondary school", "middle school", "junior high",
    ),
    "high_school": (
        "trung học phổ thông", "thpt", "cấp 3", "cấp iii", "phổ thông", "lớp 12", "12/12",
        "tốt nghiệp thpt", "high school", "upper secondary", "senior high",
    ),
    "vocational": (
        "trung cấp", "trung cấp nghề", "học nghề", "sơ cấp nghề", "dạy nghề", "nghề",
        "vocational training", "trade school",
    ),
    "college": ("cao đẳng", "cđ", "cao đẳng nghề", "associate degree", "associate"),
    "bachelor": (
        "đại học", "đh", "cử nhân", "kỹ sư", "kĩ sư", "tốt nghiệp đại học", "bachelor's degree",
        "bachelors", "bachelor degree", "university", "undergraduate", "bsc", "ba",
    ),
    "postgraduate": (
        "sau đại học", "cao học", "thạc sĩ", "thạc sỹ", "tiến sĩ", "tiến sỹ", "ths", "ts",
        "master", "masters", "master's degree", "mba", "msc", "phd", "doctorate",
        "post graduate", "graduate school",
    ),
    "unknown": (
        "không rõ học vấn", "education unknown", "không rõ", "chưa rõ", "không xác định", "n/a",
    ),
}  # fmt: skip
#: Other ways sources name each marital status, in Vietnamese and English.
MARITAL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "single": (
        "độc thân", "chưa kết hôn", "chưa lập gia đình", "chưa có gia đình", "chưa chồng",
        "chưa vợ", "never married", "unmarried",
    ),
    "married": (
        "đã kết hôn", "kết hôn", "có gia đình", "đã có gia đình", "đã lập gia đình",
        "lập gia đình", "có vợ", "có chồng", "đã có vợ", "đã có chồng", "có gđ",
    ),
    "divorced": ("ly hôn", "đã ly hôn", "ly dị", "đã ly dị", "ly thân", "separated"),
    "widowed": ("góa", "góa chồng", "góa vợ", "góa phụ", "quả phụ", "widow", "widower"),
    "unknown": (
        "không rõ tình trạng hôn nhân", "marital status unknown", "không rõ", "chưa rõ",
        "không xác định", "n/a",
    ),
}  # fmt: skip

_CHANNELS = _table(SALES_CHANNELS, CHANNEL_SYNONYMS)
_DEVICES = _table(DEVICES, DEVICE_SYNONYMS)
_PLATFORMS = _table(PLATFORMS, PLATFORM_SYNONYMS)
_CONTACTS = _table(CONTACT_CHANNELS, CONTACT_SYNONYMS)
_OCCUPATIONS = _table(OCCUPATIONS, OCCUPATION_SYNONYMS)
_EDUCATION = _table(EDUCATION_LEVELS, EDUCATION_SYNONYMS)
_MARITAL = _table(MARITAL_STATUSES, MARITAL_SYNONYMS)


def _normalize(values: ArrayLike, table: Mapping[str, str], field: str) -> Normalized:
    reason = f"{field}.unknown"

    def read(raw: str) -> tuple[str | None, str | None]:
        code = table.get(text_key(raw))
        return (code, None) if code is not None else (None, reason)

    out, reasons = map_distinct(as_array(values), read, pa.string())
    return Normalized(out, reasons)


def normalize_channel(values: ArrayLike) -> Normalized:
    """Read sales channels onto :data:`~chandung.schema.vocab.SALES_CHANNELS`.

    Parameters
    ----------
    values
        The channel as sources wrote it; see :data:`CHANNEL_SYNONYMS`.

    Returns
    -------
    Normalized
        Channel codes; reason ``channel.unknown`` where nothing matched.

    Examples
    --------
    >>> normalize_channel(["Shopee Mall", "tiktokshop", "Siêu thị", "tạp hoá"]).values.to_pylist()
    ['shopee', 'tiktok_shop', 'store_mt', 'store_gt']
    """
    return _normalize(values, _CHANNELS, "channel")


def normalize_device(values: ArrayLike) -> Normalized:
    """Read device categories onto :data:`~chandung.schema.vocab.DEVICES`.

    Parameters
    ----------
    values
        The device as sources wrote it; see :data:`DEVICE_SYNONYMS`.

    Returns
    -------
    Normalized
        Device codes; reason ``device.unknown`` where nothing matched.

    Examples
    --------
    >>> normalize_device(["Điện thoại", "PC", "iPad"]).values.to_pylist()
    ['mobile', 'desktop', 'tablet']
    """
    return _normalize(values, _DEVICES, "device")


def normalize_platform(values: ArrayLike) -> Normalized:
    """Read operating systems onto :data:`~chandung.schema.vocab.PLATFORMS`.

    Parameters
    ----------
    values
        The platform as sources wrote it; see :data:`PLATFORM_SYNONYMS`.

    Returns
    -------
    Normalized
        Platform codes; reason ``platform.unknown`` where nothing matched.

    Examples
    --------
    >>> normalize_platform(["iPhone", "Mac OS X", "Android"]).values.to_pylist()
    ['ios', 'macos', 'android']
    """
    return _normalize(values, _PLATFORMS, "platform")


def normalize_contact_channel(values: ArrayLike) -> Normalized:
    """Read preferred contact channels onto :data:`~chandung.schema.vocab.CONTACT_CHANNELS`.

    Parameters
    ----------
    values
        The channel as sources wrote it; see :data:`CONTACT_SYNONYMS`.

    Returns
    -------
    Normalized
        Contact channel codes; reason ``contact_channel.unknown`` where nothing matched.

    Examples
    --------
    >>> normalize_contact_channel(["Zalo", "tin nhắn", "E-mail", "bồ câu"]).reasons.to_pylist()
    [None, None, None, 'contact_channel.unknown']
    """
    return _normalize(values, _CONTACTS, "contact_channel")


def normalize_occupation(values: ArrayLike) -> Normalized:
    """Read occupations onto :data:`~chandung.schema.vocab.OCCUPATIONS`.

    Parameters
    ----------
    values
        The occupation as sources wrote it, in Vietnamese or English, with or without
        diacritics; see :data:`OCCUPATION_SYNONYMS`.

    Returns
    -------
    Normalized
        Occupation codes; reason ``occupation.unknown`` where nothing matched.

    Examples
    --------
    >>> normalize_occupation(["Giáo viên", "Kỹ sư", "sinh vien", "Nghỉ hưu"]).values.to_pylist()
    ['teacher', 'engineer_it', 'student', 'retired']
    """
    return _normalize(values, _OCCUPATIONS, "occupation")


def normalize_education(values: ArrayLike) -> Normalized:
    """Read education levels onto :data:`~chandung.schema.vocab.EDUCATION_LEVELS`.

    Parameters
    ----------
    values
        The highest level as sources wrote it; see :data:`EDUCATION_SYNONYMS`.

    Returns
    -------
    Normalized
        Education codes; reason ``education.unknown`` where nothing matched.

    Examples
    --------
    >>> normalize_education(["Đại học", "cấp 3", "Thạc sĩ", "THCS"]).values.to_pylist()
    ['bachelor', 'high_school', 'postgraduate', 'secondary']
    """
    return _normalize(values, _EDUCATION, "education")


def normalize_marital_status(values: ArrayLike) -> Normalized:
    """Read marital statuses onto :data:`~chandung.schema.vocab.MARITAL_STATUSES`.

    Parameters
    ----------
    values
        The status as sources wrote it; see :data:`MARITAL_SYNONYMS`.

    Returns
    -------
    Normalized
        Marital status codes; reason ``marital_status.unknown`` where nothing matched.

    Examples
    --------
    >>> result = normalize_marital_status(["Độc thân", "đã có gia đình", "Married", "ly di"])
    >>> result.values.to_pylist()
    ['single', 'married', 'married', 'divorced']
    """
    return _normalize(values, _MARITAL, "marital_status")
