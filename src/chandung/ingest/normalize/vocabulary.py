"""Fixed vocabularies: sales channel, device, platform and preferred contact channel.

Sources write "Shopee Mall", "tiktokshop", "điện thoại" or "Mac OS X"; the canonical model keeps
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

from chandung.schema.vocab import CONTACT_CHANNELS, DEVICES, PLATFORMS, SALES_CHANNELS

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

_CHANNELS = _table(SALES_CHANNELS, CHANNEL_SYNONYMS)
_DEVICES = _table(DEVICES, DEVICE_SYNONYMS)
_PLATFORMS = _table(PLATFORMS, PLATFORM_SYNONYMS)
_CONTACTS = _table(CONTACT_CHANNELS, CONTACT_SYNONYMS)


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
