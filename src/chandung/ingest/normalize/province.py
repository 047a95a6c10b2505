"""Provinces: any spelling of the 63 former or 34 current units, onto the current unit.

Since 2025-07-01 Vietnam has 34 provincial units. The value is the current unit, written exactly
as in :data:`~chandung.schema.provinces_vn.CURRENT_PROVINCES`; ``extra["province_former"]``
keeps the former unit when the input named one that no longer exists ("Bình Dương"). A name
that is both a former and a current unit ("Bắc Ninh", "Hà Nội") cannot say which it meant, so
its former unit stays null: the current unit already carries that name.

Matching is case- and diacritics-insensitive (:func:`~.vocabulary.text_key`), ignores the
prefixes "Tỉnh", "Thành phố", "TP", "TP.", "T." and the suffixes "Province", "City",
"Việt Nam", and knows the aliases of :data:`~chandung.schema.provinces_vn.ALIASES` plus
:data:`EXTRA_ALIASES`. Abbreviations shared by several units ("ĐN": Đà Nẵng, Đồng Nai or Đắk
Nông; "BD": Bình Dương or Bình Định) are refused rather than guessed.

Python reads each *distinct* spelling once (``pc.unique``, then ``pc.index_in`` + ``take``):
a column of a million addresses has a few hundred spellings of a province.
"""

from __future__ import annotations

import re
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema.provinces_vn import ALIASES, CURRENT_PROVINCES, FORMER_TO_CURRENT

from ._result import Normalized, as_array
from .vocabulary import map_distinct, text_key

ArrayLike: TypeAlias = pa.Array | pa.ChunkedArray | list[Any]

UNKNOWN = "province.unknown"

#: Spellings seen in real files beyond :data:`ALIASES`, each onto a former or current unit name.
EXTRA_ALIASES: dict[str, str] = {
    "TPHCM": "Thành phố Hồ Chí Minh",
    "HCMC": "Thành phố Hồ Chí Minh",
    "SG": "Thành phố Hồ Chí Minh",
    "Ho Chi Minh City": "Thành phố Hồ Chí Minh",
    "Hanoi": "Hà Nội",
    "Haiphong": "Hải Phòng",
    "HP": "Hải Phòng",
    "Danang": "Đà Nẵng",
    "Cantho": "Cần Thơ",
    "TT Huế": "Thừa Thiên Huế",
    "TT-Huế": "Thừa Thiên Huế",
    "BRVT": "Bà Rịa - Vũng Tàu",
    "Bà Rịa": "Bà Rịa - Vũng Tàu",
    "Bà Rịa Vũng Tàu": "Bà Rịa - Vũng Tàu",
    "Đắc Nông": "Đắk Nông",
    "Daknong": "Đắk Nông",
    "Bắc Cạn": "Bắc Kạn",
    "Kontum": "Kon Tum",
}

# Prefixes and suffixes, matched on the key (no spaces): "thanhpho" never starts a unit's key,
# nor does "tinh" or "tp", so stripping them cannot eat part of a name.
_PREFIXES = ("thanhpho", "tinh", "tp")
_SUFFIXES = ("vietnam", "vn", "province", "city")
_SHORT_T = re.compile(r"^\s*t\.\s*", re.IGNORECASE)


def _core(raw: str) -> str:
    key = text_key(_SHORT_T.sub("", raw))
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key.removesuffix(suffix)
    for prefix in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key.removeprefix(prefix)
            break
    return key


def _resolve(name: str) -> tuple[str, str | None]:
    """(current unit, former unit or None) of a unit's official name."""
    if name in CURRENT_PROVINCES:
        return name, None
    return FORMER_TO_CURRENT[name], name


def _lookup() -> dict[str, tuple[str, str | None]]:
    table: dict[str, tuple[str, str | None]] = {}
    # Official names first, so that an alias never overrides one ("Huế" is a current unit,
    # though ALIASES also lists it for the former "Thừa Thiên Huế").
    for name in (*CURRENT_PROVINCES, *FORMER_TO_CURRENT):
        table.setdefault(_core(name), _resolve(name))
    for alias, name in (*ALIASES.items(), *EXTRA_ALIASES.items()):
        table.setdefault(_core(alias), _resolve(name))
    return table


#: Matching key → (current unit, former unit or None).
LOOKUP: dict[str, tuple[str, str | None]] = _lookup()

_PAIR = pa.struct([("current", pa.string()), ("former", pa.string())])


def _read(raw: str) -> tuple[dict[str, str | None] | None, str | None]:
    found = LOOKUP.get(_core(raw))
    if found is None:
        return None, UNKNOWN
    return {"current": found[0], "former": found[1]}, None


def normalize_province(values: ArrayLike) -> Normalized:
    """Read province names onto the 34 current units, keeping the former unit.

    Parameters
    ----------
    values
        Province names as sources wrote them: current or former, any case, with or without
        diacritics or prefixes, or an alias.

    Returns
    -------
    Normalized
        Current unit names; ``extra["province_former"]`` the former unit where the input named
        one that no longer exists; reason ``province.unknown`` where nothing matched.

    Examples
    --------
    >>> result = normalize_province(["TP.HCM", "binh duong", "Tỉnh Quảng Nam", "HÀ NỘI", "Gotham"])
    >>> result.values.to_pylist()
    ['Thành phố Hồ Chí Minh', 'Thành phố Hồ Chí Minh', 'Đà Nẵng', 'Hà Nội', None]
    >>> result.extra["province_former"].to_pylist()
    [None, 'Bình Dương', 'Quảng Nam', None, None]
    >>> result.reasons.to_pylist()
    [None, None, None, None, 'province.unknown']
    """
    pairs, reasons = map_distinct(as_array(values), _read, _PAIR)
    return Normalized(
        pc.struct_field(pairs, 0), reasons, {"province_former": pc.struct_field(pairs, 1)}
    )


def normalize_province_one(raw: object) -> tuple[str | None, str | None]:
    """Read one province name; return ``(current, former)`` or raise ``ValueError``.

    Examples
    --------
    >>> normalize_province_one("Tỉnh Bà Rịa - Vũng Tàu")
    ('Thành phố Hồ Chí Minh', 'Bà Rịa - Vũng Tàu')
    """
    result = normalize_province([raw])
    reason = result.reasons[0].as_py()
    if reason is not None:
        raise ValueError(reason)
    assert result.extra is not None
    return result.values[0].as_py(), result.extra["province_former"][0].as_py()
