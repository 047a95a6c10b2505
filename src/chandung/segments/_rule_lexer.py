"""Tokens of the rule language, and the diacritics folding shared with the compiler.

The lexer is pulled by the parser one token at a time, so the first problem reported is the
leftmost one. Positions are 0-based offsets in the rule text exactly as given.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from ._rule_ast import RuleError

# --- Diacritics folding ------------------------------------------------------------------------

_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # none, huyền, sắc, hỏi, ngã, nặng
_VOWELS = {"a": "aăâ", "e": "eê", "i": "i", "o": "oôơ", "u": "uư", "y": "y"}
#: Combining marks of Vietnamese letters; deleted, so that decomposed (NFD) text folds too.
_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"


def _fold_pairs() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for base, letters in _VOWELS.items():
        for letter in letters:
            for tone in _TONES:
                composed = unicodedata.normalize("NFC", letter + tone)
                if len(composed) != 1:  # pragma: no cover - guards the table itself
                    raise AssertionError(f"{letter + tone!r} has no precomposed form")
                if composed != base:
                    pairs.append((composed, base))
                    pairs.append((composed.upper(), base.upper()))
    pairs += [("đ", "d"), ("Đ", "D")]
    return pairs


_PAIRS = _fold_pairs()
#: ``translate(text, FOLD_FROM, FOLD_TO)`` maps every Vietnamese letter with diacritics (both
#: cases) to its base letter and deletes stray combining marks; DuckDB, PostgreSQL and Spark
#: all delete the characters of ``from`` that have no counterpart in ``to``. Uppercase letters
#: map to uppercase so that ``lower()`` runs afterwards on ASCII only, which even a
#: PostgreSQL database in the C locale lowers correctly.
FOLD_FROM = "".join(a for a, _ in _PAIRS) + _MARKS
FOLD_TO = "".join(b for _, b in _PAIRS)
_PY_TABLE: dict[int, int | None] = {ord(a): ord(b) for a, b in _PAIRS}
_PY_TABLE.update({ord(m): None for m in _MARKS})


def fold_text(text: str) -> str:
    """``text`` without Vietnamese diacritics, in lower case: what text values are compared on.

    The warehouse side does the same with ``translate`` then ``lower``.

    Examples
    --------
    >>> fold_text("Hà Nội"), fold_text("ĐÀ NẴNG"), fold_text("Giáo viên")
    ('ha noi', 'da nang', 'giao vien')
    """
    return unicodedata.normalize("NFC", text).translate(_PY_TABLE).lower()


def word_key(text: str) -> str:
    """How keywords are matched: NFC, lower case, diacritics kept (``trong`` is not ``trống``)."""
    return unicodedata.normalize("NFC", text).lower()


# --- Tokens ------------------------------------------------------------------------------------

TokenKind = Literal[
    "word", "number", "string", "name", "date", "op", "(", ")", "[", "]", ",", "bad", "end"
]


@dataclass(frozen=True)
class Token:
    """One token: its kind, where it is, its source text and its decoded value.

    ``value`` is the decoded string of a ``string``/``name``, the canonical operator of an
    ``op``, and the source text otherwise; ``number`` is set for numbers; ``plain`` says a
    number was written as bare digits (no sign, fraction, grouping or unit).
    """

    kind: TokenKind
    start: int
    end: int
    text: str
    value: str
    number: Decimal | None = None
    plain: bool = False

    @property
    def key(self) -> str:
        """The keyword form of a word."""
        return word_key(self.text) if self.kind == "word" else ""


_OPS = {
    "!=": "!=", "<>": "!=", "<=": "<=", ">=": ">=", "==": "=",
    "=": "=", "<": "<", ">": ">", "≠": "!=", "≤": "<=", "≥": ">=",
}  # fmt: skip
_PUNCT: dict[str, TokenKind] = {"(": "(", ")": ")", "[": "[", "]": "]", ",": ","}
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}
_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "`": "`", "n": "\n", "t": "\t", "r": "\r"}
_DIGITS = "0123456789"
#: Units after a number: thousand, million, billion (VND shorthand), currency, percent.
_UNITS: dict[str, Decimal] = {
    **dict.fromkeys(["k", "nghìn", "ngàn", "nghin", "ngan"], Decimal(1_000)),
    **dict.fromkeys(["tr", "triệu", "trieu", "m"], Decimal(1_000_000)),
    **dict.fromkeys(["tỷ", "tỉ", "ty", "ti", "b"], Decimal(1_000_000_000)),
    **dict.fromkeys(["đ", "vnd", "vnđ", "₫"], Decimal(1)),
    "%": Decimal("0.01"),
}
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3}){2,}(?!\d)|\d+(?:\.\d+)?|\.\d+)", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w-])", re.ASCII)
_VN_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}(?![\w/])", re.ASCII)


def _is_word_char(ch: str) -> bool:
    # Letters, digits, underscores and combining marks (decomposed Vietnamese stays one word).
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def parse_date(text: str) -> date | None:
    """``text`` as a date when written ``YYYY-MM-DD`` or ``DD/MM/YYYY``; None when not a date
    shape; raises ``ValueError`` for a date shape that is no real day (``2025-02-30``)."""
    text = text.strip()
    if _ISO_DATE.fullmatch(text):
        return date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    if _VN_DATE.fullmatch(text):
        day, month, year = (int(p) for p in text.split("/"))
        return date(year, month, day)
    return None


class Lexer:
    """Splits a rule into tokens on demand."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def _fail(self, position: int, expected: str, code: str = "segment.rule.syntax") -> RuleError:
        if position >= len(self.text) and code == "segment.rule.syntax":
            code = "segment.rule.syntax_end"
        return RuleError(code, text=self.text, position=position, expected=expected)

    def next(self) -> Token:
        """The next token (an ``end`` token at the end, again and again)."""
        text, n = self.text, len(self.text)
        i = self.pos
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            self.pos = n
            return Token("end", n, n, "", "")
        ch = text[i]
        if ch in _PUNCT:
            return self._emit(_PUNCT[ch], i, i + 1, ch)
        two = text[i : i + 2]
        if two in _OPS:
            return self._emit("op", i, i + 2, _OPS[two])
        if ch in _OPS:
            return self._emit("op", i, i + 1, _OPS[ch])
        if ch in _QUOTES:
            return self._string(i)
        if ch == "`":
            return self._name(i)
        nxt = text[i + 1 : i + 2]
        if ch in _DIGITS or (ch in "+-." and nxt != "" and nxt in _DIGITS):
            return self._number(i)
        if ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and _is_word_char(text[j]):
                j += 1
            return self._emit("word", i, j, text[i:j])
        # Anything else (";", "@", a stray mark) is a token no rule accepts: the parser then
        # reports what it expected at this place.
        return self._emit("bad", i, i + 1, ch)

    def _emit(self, kind: TokenKind, start: int, end: int, value: str, **extra: object) -> Token:
        self.pos = end
        number = extra.get("number")
        return Token(
            kind,
            start,
            end,
            self.text[start:end],
            value,
            number=number if isinstance(number, Decimal) else None,
            plain=bool(extra.get("plain", False)),
        )

    def _string(self, start: int) -> Token:
        text, n = self.text, len(self.text)
        close = _QUOTES[text[start]]
        out: list[str] = []
        i = start + 1
        while True:
            if i >= n:
                raise self._fail(n, "quote")
            ch = text[i]
            if ch == close:
                return self._emit("string", start, i + 1, "".join(out))
            if ch == "\0" or "\ud800" <= ch <= "\udfff":
                raise self._fail(i, "", "segment.rule.bad_character")
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            decoded, i = self._escape(i)
            out.append(decoded)

    def _escape(self, i: int) -> tuple[str, int]:
        """The character an escape at ``i`` (a backslash) stands for, and where it ends."""
        text = self.text
        kind = text[i + 1 : i + 2]
        if kind in _ESCAPES:
            return _ESCAPES[kind], i + 2
        width = {"u": 4, "U": 8}.get(kind)
        digits = text[i + 2 : i + 2 + width] if width else ""
        if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
            code = int(digits, 16)
            # NUL and lone surrogates cannot be stored (PostgreSQL text, UTF-8).
            if code == 0 or 0xD800 <= code <= 0xDFFF:
                raise self._fail(i, "", "segment.rule.bad_character")
            if code <= 0x10FFFF:
                return chr(code), i + 2 + width
        raise self._fail(i, "escape")

    def _name(self, start: int) -> Token:
        end = self.text.find("`", start + 1)
        if end < 0:
            raise self._fail(len(self.text), "backtick")
        name = self.text[start + 1 : end]
        bad = [i for i, ch in enumerate(name) if ch == "\0" or "\ud800" <= ch <= "\udfff"]
        if bad:
            raise self._fail(start + 1 + bad[0], "", "segment.rule.bad_character")
        if not name.strip():
            raise self._fail(start, "field")
        return self._emit("name", start, end + 1, name)

    def _unit_at(self, i: int) -> tuple[Decimal, int] | None:
        """A unit (``k``, ``tr``, ``tỷ``, ``%`` ...) at ``i``, spaces allowed before it."""
        text, n = self.text, len(self.text)
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] in "%₫":
            return _UNITS[text[i]], i + 1
        j = i
        while j < n and (text[j].isalpha() or unicodedata.category(text[j]).startswith("M")):
            j += 1
        if j == i or (j < n and _is_word_char(text[j])):
            return None
        factor = _UNITS.get(word_key(text[i:j]))
        return (factor, j) if factor is not None else None

    def _number(self, start: int) -> Token:
        text, n = self.text, len(self.text)
        for pattern in (_ISO_DATE, _VN_DATE):
            match = pattern.match(text, start)
            if match:
                return self._emit("date", start, match.end(), match.group())
        match = _NUMBER.match(text, start)
        if match is None:  # "+" or "-" before a digit always matches; kept for the type checker
            return self._emit("bad", start, start + 1, text[start])
        digits = match.group()
        end = match.end()
        grouped = digits.count(".") > 1
        mantissa = digits.replace(".", "") if grouped else digits
        # "1,2tr": a decimal comma only when a unit follows, so that "[1,2]" stays two numbers.
        comma = re.match(r",(\d+)", text[end:], re.ASCII)
        if comma and not grouped and "." not in digits:
            unit = self._unit_at(end + comma.end())
            if unit is not None:
                mantissa = f"{digits}.{comma.group(1)}"
                end += comma.end()
        unit = self._unit_at(end)
        factor = Decimal(1)
        if unit is not None:
            factor, end = unit
        if end < n and (_is_word_char(text[end]) or text[end] == "."):
            raise self._fail(end, "number_end")
        value = Decimal(mantissa) * factor
        plain = unit is None and digits.isdigit()
        return self._emit("number", start, end, text[start:end], number=value, plain=plain)
