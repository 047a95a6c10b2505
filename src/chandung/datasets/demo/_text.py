"""Vietnamese text helpers: diacritics off, and the name matching key."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """Return ``text`` without Vietnamese diacritics, keeping case (đ→d, Đ→D).

    Examples
    --------
    >>> strip_diacritics("Nguyễn Thị Đào")
    'Nguyen Thi Dao'
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(text: str) -> str:
    """Return the matching key of a name: no diacritics, lower case, single spaces.

    Examples
    --------
    >>> name_key("  Đặng   Thị Ngọc  Ánh ")
    'dang thi ngoc anh'
    """
    return _SPACES.sub(" ", strip_diacritics(text).lower()).strip()


def slug(text: str) -> str:
    """Return a URL slug of ``text`` (``"Sữa rửa mặt"`` → ``"sua-rua-mat"``)."""
    return re.sub(r"[^a-z0-9]+", "-", name_key(text)).strip("-")
