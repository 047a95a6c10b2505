"""Gender: what sources write, mapped to the canonical vocabulary, and what a name suggests.

:func:`normalize_gender` reads stated gender, in Vietnamese or English, with or without
diacritics, into ``female``, ``male``, ``other`` or ``unknown`` (:data:`GENDER_WORDS` lists
what is read). Digit codes are *not* read by default: ``1``/``0`` mean male/female in some
systems and the reverse, or ISO 5218's male/unknown, in others; pass ``codes`` when the
source's convention is known. Honorifics that are ambiguous without their diacritics
(``ba``: *bà* madam or *ba* father; ``co``: *cô* or *có* yes) are read only with them.

:func:`infer_gender_from_name` guesses from a Vietnamese middle name (*Thị* → female,
*Văn* → male). That is an inference, not a statement: it belongs in the separate field
``gender_inferred`` and must never fill ``gender``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema.vocab import GENDERS

from ._result import Normalized, as_array, blank_to_null, composed

__all__ = [
    "GENDER_REASONS",
    "GENDER_WORDS",
    "infer_gender_from_name",
    "normalize_gender",
    "normalize_gender_one",
]

#: Reason codes this module gives, with what they mean.
GENDER_REASONS: dict[str, str] = {
    "gender.unknown_value": "a value that is not a known way of writing a gender",
}

#: Words read as each gender, written without diacritics (they are compared without them).
GENDER_WORDS: dict[str, tuple[str, ...]] = {
    "female": (
        "female", "f", "woman", "women", "girl", "ms", "mrs", "miss",
        "nu", "nu gioi", "phu nu", "gai", "con gai", "be gai", "chi", "dan ba",
    ),
    "male": (
        "male", "m", "man", "men", "boy", "mr",
        "nam", "nam gioi", "trai", "con trai", "be trai", "anh", "ong", "dan ong",
    ),
    "other": ("other", "khac", "gioi tinh khac", "non-binary", "nonbinary", "non binary"),
    "unknown": (
        "unknown", "n/a", "na", "?", "-", "prefer not to say",
        "khong ro", "chua ro", "khong xac dinh", "chua xac dinh", "khong biet",
        "khong muon tiet lo",
    ),
}  # fmt: skip
# Read only as written with diacritics: without them they mean something else.
_WITH_DIACRITICS = {"bà": "female", "cô": "female"}

_NULL = pa.scalar(None, pa.string())
_SPACES = r"[\s\p{Z}]+"


def _lookup(keys: pa.Array, table: Mapping[str, str]) -> pa.Array:
    index = pc.index_in(keys, pa.array(list(table), pa.string()))
    return pc.take(pa.array(list(table.values()), pa.string()), index)


def _folded(values: pa.Array | pa.ChunkedArray | list[object]) -> pa.Array:
    """Composed, lower-case text with single spaces and no trailing full stop."""
    text = blank_to_null(as_array(values))
    text = pc.utf8_lower(composed(text))
    text = pc.replace_substring_regex(text, _SPACES, " ")
    return blank_to_null(pc.utf8_trim(text, characters=" ."))


def _without_diacritics(text: pa.Array) -> pa.Array:
    bare = pc.replace_substring_regex(pc.utf8_normalize(text, "NFD"), r"\p{Mn}+", "")
    return pc.replace_substring(bare, "đ", "d")


def normalize_gender(
    values: pa.Array | pa.ChunkedArray | list[object],
    *,
    codes: Mapping[str, str] | None = None,
) -> Normalized:
    """Stated gender mapped to ``female``, ``male``, ``other`` or ``unknown``.

    Parameters
    ----------
    values
        Gender as the source wrote it (``Nữ``, ``nam giới``, ``F``, ``Male``, ``chị``...).
    codes
        The source's own codes, read before the words, e.g. ``{"1": "male", "0": "female"}``
        for a system known to use them. Compared after trimming and lower-casing.

    Returns
    -------
    Normalized
        Canonical values; ``gender.unknown_value`` where the value is not a known word (the
        value is then null: ``unknown`` is kept for sources that *say* it is unknown).

    Examples
    --------
    >>> result = normalize_gender(["Nữ", "nam giới", "F", "1", "khác", None, "xyz"])
    >>> result.values.to_pylist()
    ['female', 'male', 'female', None, 'other', None, None]
    >>> result.reasons.to_pylist()
    [None, None, None, 'gender.unknown_value', None, None, 'gender.unknown_value']
    >>> normalize_gender(["1", "0"], codes={"1": "male", "0": "female"}).values.to_pylist()
    ['male', 'female']
    """
    words = {word: gender for gender, group in GENDER_WORDS.items() for word in group}
    own = {str(k).strip().lower(): v for k, v in (codes or {}).items()}
    if unexpected := set(own.values()) - set(GENDERS):
        raise ValueError(f"codes map to values outside {GENDERS}: {sorted(unexpected)}")
    text = _folded(values)
    genders = pc.coalesce(
        _lookup(text, own) if own else pa.nulls(len(text), pa.string()),
        _lookup(text, _WITH_DIACRITICS),
        _lookup(_without_diacritics(text), words),
    )
    unread = pc.and_(pc.is_valid(text), pc.is_null(genders))
    reasons = pc.if_else(unread, pa.scalar("gender.unknown_value", pa.string()), _NULL)
    return Normalized(values=genders, reasons=reasons)


def normalize_gender_one(raw: str | None) -> str | None:
    """One stated gender in the canonical vocabulary, or None if empty or not understood.

    Examples
    --------
    >>> normalize_gender_one("Nữ giới")
    'female'
    """
    value: str | None = normalize_gender([raw]).values[0].as_py()
    return value


def _middle_word(words: str) -> str:
    # A middle name sits between the family name (first) and the given name (last).
    return rf"^\S+ (?:\S+ )*(?:{words}) (?:\S+ )*\S+$"


def infer_gender_from_name(names: pa.Array | pa.ChunkedArray | list[object]) -> pa.Array:
    """A gender *guessed* from a Vietnamese middle name: ``Thị`` female, ``Văn`` male.

    The guess is for the field ``gender_inferred`` only, flagged as an inference, and never a
    value of ``gender``. Written with diacritics only ``Thị`` and ``Văn`` count (``Vân`` is a
    woman's name); written without any, ``Thi`` and ``Van`` count too, which may mislead for
    ``Vân``. Names with both, or neither, give null, as do names of fewer than three words.

    Parameters
    ----------
    names
        Full names, family name first.

    Returns
    -------
    pyarrow.Array
        ``female``, ``male`` or null for each name.

    Examples
    --------
    >>> infer_gender_from_name(
    ...     ["Nguyễn Thị Lan", "TRAN VAN NAM", "Lê Vân Anh", "Văn Minh", None]
    ... ).to_pylist()
    ['female', 'male', None, None, None]
    """
    text = _folded(names)
    female = pc.match_substring_regex(text, _middle_word("thị|thi"))
    male = pc.match_substring_regex(text, _middle_word("văn|van"))
    return pc.if_else(
        pc.and_(female, pc.invert(male)),
        pa.scalar("female", pa.string()),
        pc.if_else(pc.and_(male, pc.invert(female)), pa.scalar("male", pa.string()), _NULL),
    )
