"""Personal names, Vietnamese first: tidy spelling for display, and a key for matching.

A name is kept in the order it was written (Vietnamese names put the family name first,
``Nguyễn Thị Lan``), with its diacritics. The matching key drops what people often leave out
when typing (diacritics, the stroke of ``đ``, case, extra spaces), so that ``NGUYEN THI LAN``,
``nguyễn thị  lan`` and ``Nguyễn Thị Lan`` share the key ``nguyen thi lan``.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ._result import Normalized, as_array, blank_to_null, composed

__all__ = ["NAME_REASONS", "name_key", "normalize_name", "normalize_name_one"]

#: Reason codes this module gives, with what they mean.
NAME_REASONS: dict[str, str] = {
    "name.invalid": "contains digits or an @, or no letter at all",
}

_NULL = pa.scalar(None, pa.string())
# RE2's \s is ASCII only: add the Unicode separators (no-break space, ideographic space...).
_SPACES = r"[\s\p{Z}\x{85}\x{1c}-\x{1f}]+"


def _tidy(values: pa.Array | pa.ChunkedArray | list[object]) -> pa.Array:
    """Composed (NFC) text with runs of whitespace made one space, trimmed; blanks null."""
    text = blank_to_null(as_array(values))
    text = pc.replace_substring_regex(composed(text), _SPACES, " ")
    return blank_to_null(text)


def name_key(values: pa.Array | pa.ChunkedArray | list[object]) -> pa.Array:
    """The matching key of each name: no diacritics, ``đ`` as ``d``, lower case, single spaces.

    Parameters
    ----------
    values
        Names as written.

    Returns
    -------
    pyarrow.Array
        One key per name; null where the name is empty.

    Examples
    --------
    >>> name_key(["  Đặng   Thị Ngọc  Ánh ", "NGUYEN VAN DUC", None]).to_pylist()
    ['dang thi ngoc anh', 'nguyen van duc', None]
    """
    return _key_of_tidy(_tidy(values))


def _key_of_tidy(text: pa.Array) -> pa.Array:
    bare = pc.replace_substring_regex(pc.utf8_normalize(text, "NFD"), r"\p{Mn}+", "")
    # The stroke of đ is not a combining mark: decomposition leaves it, so it is mapped apart.
    bare = pc.replace_substring_regex(bare, "[đĐ]", "d")
    return pc.utf8_lower(bare)


def normalize_name(values: pa.Array | pa.ChunkedArray | list[object]) -> Normalized:
    """Names with tidy spacing and each word capitalised, keeping diacritics.

    Parameters
    ----------
    values
        Full names as written, in any case, with any spacing.

    Returns
    -------
    Normalized
        Names such as ``Nguyễn Thị Lan``; ``extra["name_key"]`` holds the matching key (see
        :func:`name_key`). A name with a digit or an ``@`` (an e-mail or a phone number in the
        name field), or without any letter, is refused with ``name.invalid``.

    Examples
    --------
    >>> result = normalize_name(["nguyễn thị  lan", "NGUYỄN VĂN ĐỨC", "Lan 123", "  "])
    >>> result.values.to_pylist()
    ['Nguyễn Thị Lan', 'Nguyễn Văn Đức', None, None]
    >>> result.extra["name_key"].to_pylist()
    ['nguyen thi lan', 'nguyen van duc', None, None]
    >>> result.reasons.to_pylist()
    [None, None, 'name.invalid', None]
    """
    text = _tidy(values)
    invalid = pc.or_(
        pc.match_substring_regex(text, r"[\p{Nd}@]"),
        pc.invert(pc.match_substring_regex(text, r"\p{L}")),
    )
    reasons = pc.if_else(invalid, pa.scalar("name.invalid", pa.string()), _NULL)
    # utf8_title works per code point on composed text, so Vietnamese letters (Đ, Ữ...) are
    # cased correctly; the rest of each word is lowered, which repairs ALL-CAPS entries.
    names = pc.if_else(pc.is_null(reasons), pc.utf8_title(text), _NULL)
    return Normalized(values=names, reasons=reasons, extra={"name_key": _key_of_tidy(names)})


def normalize_name_one(raw: str | None) -> str | None:
    """One name tidied, or None if empty or refused.

    Examples
    --------
    >>> normalize_name_one("  trần   THỊ   bích ")
    'Trần Thị Bích'
    """
    value: str | None = normalize_name([raw]).values[0].as_py()
    return value
