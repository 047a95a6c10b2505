"""Phone numbers: any way a Vietnamese file writes them, to E.164 (``+84912345678``).

Vietnamese numbers are read by fixed rules, vectorised over the column:

- decorations (spaces, dots, dashes, parentheses; not slashes, which join two numbers) are dropped,
  and full-width digits are read as digits (NFKC);
- the country prefix may be written ``+84``, ``0084`` or ``84`` (the bare ``84`` only when
  enough digits follow for it to be a prefix), with or without the trunk ``0`` after it
  (``+84 (0) 91 ...``); without a country prefix the trunk ``0`` is expected, but a 9- or
  10-digit number that lost its leading zero in a spreadsheet is read too;
- old 11-digit mobile numbers (``0162...``, ``0120...``, see :data:`OLD_MOBILE_PREFIXES`)
  are rewritten to their 10-digit form, so both forms of one person's number agree;
- a mobile is ``0`` + 9 digits starting 3, 5, 7, 8 or 9 (any network code in those ranges, so
  that a newly allocated code is not refused); a landline is ``02`` + 9 digits (the 11-digit
  form in use since 2017). Older 10-digit landlines (``04 ...``, ``08 ...``) cannot be told
  apart from mobiles and are read as mobiles when they fit, refused otherwise.

Numbers that clearly belong to another country (``+`` or ``00`` and a code other than 84) are
checked with :mod:`phonenumbers`, once per distinct value. With ``default_region`` other than
``"VN"``, numbers written without a country prefix are read by :mod:`phonenumbers` too.
"""

from __future__ import annotations

import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from ...schema.phones_vn import OLD_MOBILE_PREFIXES
from ._result import Normalized, as_array, blank_to_null

__all__ = [
    "OLD_MOBILE_PREFIXES",
    "PHONE_REASONS",
    "normalize_phone",
    "normalize_phone_one",
]


#: Reason codes this module gives, with what they mean.
PHONE_REASONS: dict[str, str] = {
    "phone.not_a_number": "characters other than digits and decorations",
    "phone.too_short": "too few digits for a phone number",
    "phone.too_long": "too many digits for a phone number",
    "phone.invalid": "the right length but not a number in use",
}

_OLD_KEYS = pa.array(list(OLD_MOBILE_PREFIXES), pa.string())
_OLD_VALUES = pa.array(list(OLD_MOBILE_PREFIXES.values()), pa.string())
_NULL = pa.scalar(None, pa.string())
# Separators people type inside a number, including the Unicode dashes word processors insert.
_DECORATION = r"[\s.()\-\x{2010}-\x{2015}]"


def _reason(mask: pa.Array, code: str) -> pa.Array:
    return pc.if_else(mask, pa.scalar(code, pa.string()), _NULL)


def _national(digits: pa.Array) -> pa.Array:
    """The national significant number of Vietnamese numbers (no country code, no trunk 0)."""
    with_country = pc.match_substring_regex(digits, r"^(\+|00)84")
    bare_country = pc.match_substring_regex(digits, r"^840?\d{9,10}$")
    trunk = pc.match_substring_regex(digits, r"^0[1-9]")
    return pc.if_else(
        with_country,
        pc.replace_substring_regex(digits, r"^(\+|00)840?", ""),
        pc.if_else(
            bare_country,
            pc.replace_substring_regex(digits, r"^840?", ""),
            pc.if_else(
                trunk,
                pc.utf8_slice_codeunits(digits, 1),
                pc.replace_substring_regex(digits, r"^\+", ""),
            ),
        ),
    )


def _renumber_old_mobiles(national: pa.Array) -> pa.Array:
    """Old 10-digit national numbers (11 with the trunk 0) rewritten to the 2018 numbering."""
    old = pc.match_substring_regex(national, r"^1\d{9}$")
    new_prefix = pc.take(
        _OLD_VALUES, pc.index_in(pc.utf8_slice_codeunits(national, 0, 3), _OLD_KEYS)
    )
    renumbered = pc.binary_join_element_wise(new_prefix, pc.utf8_slice_codeunits(national, 3), "")
    return pc.if_else(pc.and_(old, pc.is_valid(new_prefix)), renumbered, national)


def _with_library(text: pa.Array, region: str | None) -> tuple[pa.Array, pa.Array]:
    """E.164 values and reasons by :mod:`phonenumbers`, computed once per distinct value."""
    distinct = pc.unique(pc.drop_null(text))
    values: list[str | None] = []
    reasons: list[str | None] = []
    for raw in distinct.to_pylist():
        value, reason = _parse_one(raw, region)
        values.append(value)
        reasons.append(reason)
    where = pc.index_in(text, distinct)
    return (
        pc.take(pa.array(values, pa.string()), where),
        pc.take(pa.array(reasons, pa.string()), where),
    )


def _parse_one(raw: str, region: str | None) -> tuple[str | None, str | None]:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        too_short = error.error_type in (
            phonenumbers.NumberParseException.TOO_SHORT_NSN,
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD,
        )
        return None, "phone.too_short" if too_short else "phone.invalid"
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == phonenumbers.ValidationResult.TOO_SHORT:
        return None, "phone.too_short"
    if possible == phonenumbers.ValidationResult.TOO_LONG:
        return None, "phone.too_long"
    return None, "phone.invalid"


def normalize_phone(
    values: pa.Array | pa.ChunkedArray | list[object], *, default_region: str = "VN"
) -> Normalized:
    """Phone numbers as E.164 strings, with a reason for each number that cannot be read.

    Parameters
    ----------
    values
        Phone numbers as written (strings; integers are read as their digits).
    default_region
        Country of numbers written without a country prefix. ``"VN"`` applies the
        Vietnamese rules of this module; another ISO code reads them with :mod:`phonenumbers`.

    Returns
    -------
    Normalized
        ``+84`` and 9 digits for a Vietnamese mobile (10 digits for a landline), E.164 for
        foreign numbers; reasons from :data:`PHONE_REASONS`. Empty input gives null, no reason.

    Examples
    --------
    >>> result = normalize_phone(["0162 345 6789", "+84 91-234-5678", "12345", "", "abc"])
    >>> result.values.to_pylist()
    ['+84323456789', '+84912345678', None, None, None]
    >>> result.reasons.to_pylist()
    [None, None, 'phone.too_short', None, 'phone.not_a_number']
    """
    text = blank_to_null(as_array(values))
    digits = pc.replace_substring_regex(pc.utf8_normalize(text, "NFKC"), _DECORATION, "")
    # "00" is the international call prefix: written "+" from here on.
    digits = pc.replace_substring_regex(digits, r"^00", "+")
    number_like = pc.match_substring_regex(digits, r"^\+?\d+$")
    international = pc.starts_with(digits, "+")
    vietnamese = pc.starts_with(digits, "+84")
    by_library = pc.and_(
        number_like,
        pc.invert(vietnamese)
        if default_region.upper() != "VN"
        else pc.and_(international, pc.invert(vietnamese)),
    )

    national = _renumber_old_mobiles(_national(digits))
    length = pc.utf8_length(national)
    in_use = pc.match_substring_regex(national, r"^([35789]\d{8}|2\d{9})$")
    vn_reason = pc.coalesce(
        _reason(pc.invert(number_like), "phone.not_a_number"),
        _reason(pc.less(length, 9), "phone.too_short"),
        _reason(pc.greater(length, 10), "phone.too_long"),
        _reason(pc.invert(in_use), "phone.invalid"),
    )
    vn_value = pc.if_else(
        pc.is_null(vn_reason), pc.binary_join_element_wise("+84", national, ""), _NULL
    )

    region = None if default_region.upper() == "VN" else default_region.upper()
    lib_value, lib_reason = _with_library(pc.if_else(by_library, digits, _NULL), region)
    by_library = pc.fill_null(by_library, False)
    return Normalized(
        values=pc.if_else(by_library, lib_value, vn_value),
        reasons=pc.if_else(by_library, lib_reason, vn_reason),
    )


def normalize_phone_one(raw: str | None, *, default_region: str = "VN") -> str | None:
    """One phone number in E.164 form, or None if empty or unreadable.

    Examples
    --------
    >>> normalize_phone_one("(091) 234.5678")
    '+84912345678'
    >>> normalize_phone_one("+1 650 253 0000")
    '+16502530000'
    """
    value: str | None = normalize_phone([raw], default_region=default_region).values[0].as_py()
    return value
