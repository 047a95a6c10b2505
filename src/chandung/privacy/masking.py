"""Masking of personal data for roles that may not see it.

A masked value keeps just enough to recognise a record one already knows, and not enough to
contact or identify the person: a name keeps its family name and initials ("Nguyễn T. L."), a
phone its first two and last three digits ("09** *** 123"), an e-mail its first letters
("l***@g***.com"), a birth date its year ("1990-**-**"); an address is hidden whole (the
province is a field of its own). Masking happens in the service layer, so every surface and
export gets the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import pyarrow as pa

MASK = "***"
_DIGITS = re.compile(r"\d")


def mask_name(name: str | None) -> str | None:
    """The first word and the initials of the others.

    >>> mask_name("Nguyễn Thị Lan"), mask_name("  lan  "), mask_name(None)
    ('Nguyễn T. L.', 'L.', None)
    """
    if name is None:
        return None
    words = name.split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0].upper()}."
    return " ".join([words[0], *(f"{w[0].upper()}." for w in words[1:])])


def mask_phone(phone: str | None) -> str | None:
    """Vietnamese numbers in national form with the first two and last three digits kept;
    other numbers keep their country code and last three digits.

    >>> mask_phone("+84912345123"), mask_phone("0912 345 123"), mask_phone("+447700900123")
    ('09** *** 123', '09** *** 123', '+44 *** *** 123')
    """
    if phone is None:
        return None
    digits = "".join(_DIGITS.findall(phone))
    if len(digits) < 6:
        return MASK
    if phone.strip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = "0" + digits[2:]
    if digits.startswith("0"):
        return f"{digits[:2]}** *** {digits[-3:]}"
    country = digits[:2]
    return f"+{country} *** *** {digits[-3:]}"


def mask_email(email: str | None) -> str | None:
    """The first letter of the local part and of the domain, and the top-level domain.

    >>> mask_email("lan.nguyen@gmail.com"), mask_email("x@y")
    ('l***@g***.com', 'x***@y***')
    """
    if email is None:
        return None
    local, _, domain = email.strip().partition("@")
    if not local:
        return MASK
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    masked_domain = f"{host[:1]}{MASK}" + (f".{tld}" if tld else "")
    return f"{local[:1]}{MASK}@{masked_domain}"


def mask_address(address: str | None) -> str | None:
    """Hidden whole.

    >>> mask_address("12 Lý Thường Kiệt, Hoàn Kiếm"), mask_address(None)
    ('***', None)
    """
    return None if address is None else MASK


def mask_birth_date(value: date | datetime | str | None) -> str | None:
    """The year only.

    >>> mask_birth_date(date(1990, 5, 17))
    '1990-**-**'
    """
    if value is None:
        return None
    year = value.year if isinstance(value, date | datetime) else str(value)[:4]
    return f"{year}-**-**"


#: How each personal column is masked, by canonical column name.
MASKERS: dict[str, Callable[[Any], str | None]] = {
    "full_name": mask_name,
    "name": mask_name,
    "phone": mask_phone,
    "phone_e164": mask_phone,
    "email": mask_email,
    "address": mask_address,
    "birth_date": mask_birth_date,
}


def mask_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` with its personal fields masked."""
    return {k: MASKERS[k](v) if k in MASKERS else v for k, v in record.items()}


def mask_table(table: pa.Table) -> pa.Table:
    """``table`` with every personal column masked (masked columns become text)."""
    for name in table.column_names:
        masker = MASKERS.get(name)
        if masker is None:
            continue
        values = [masker(v) for v in table.column(name).to_pylist()]
        index = table.column_names.index(name)
        table = table.set_column(index, name, pa.array(values, pa.string()))
    return table
