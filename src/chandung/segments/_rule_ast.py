"""The rule language's syntax tree, its field catalogue entries and its error.

The tree is made of frozen dataclasses so that two rules compare equal exactly when they say the
same thing, which is what the round trip ``parse_rule(rule_to_text(r), fields) == r`` relies on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeAlias, get_args

from ..errors import InputError, Where
from ..i18n import DEFAULT_LANGUAGE, translate

FieldType = Literal["text", "number", "date", "timestamp", "boolean", "list"]
FIELD_TYPES: tuple[FieldType, ...] = get_args(FieldType)

CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]
COMPARE_OPS: tuple[CompareOp, ...] = get_args(CompareOp)

TimeUnit = Literal["days", "weeks", "months", "years"]
TIME_UNITS: tuple[TimeUnit, ...] = get_args(TimeUnit)

#: A literal in a rule. Its Python type follows the field's type: ``str`` for text and list
#: fields, ``int``/``float`` for numbers, :class:`datetime.date` for dates and timestamps,
#: ``bool`` for booleans.
Value: TypeAlias = str | int | float | bool | date

#: Rules longer than this are refused before parsing (a segment rule is a line, not a program).
MAX_RULE_LENGTH = 10_000
#: Brackets and ``not`` may nest this deep; deeper rules are refused rather than overflowing.
MAX_RULE_DEPTH = 50


@dataclass(frozen=True)
class FieldInfo:
    """One field of the catalogue a rule may name.

    Parameters
    ----------
    name
        The column name in the table.
    type
        What the column holds; decides which operators and values the rule may use.
    label_en, label_vi
        Human names, also accepted in rules (for autocompletion and suggestions).
    aliases
        Other names accepted in rules (shorter or older names, in either language), after the
        name and the labels.
    levels
        The fixed vocabulary of a text or list field (the codes stored), or empty when its
        values are free. A value outside it is refused rather than matching nobody.
    level_words
        ``(key, code)`` pairs: other ways of writing each level (its labels in either
        language, synonyms), each key as :func:`~chandung.segments._rule_parser.level_key`
        makes it.
    """

    name: str
    type: FieldType
    label_en: str = ""
    label_vi: str = ""
    aliases: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    level_words: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            # A programming error in the catalogue, not a person's mistake.
            raise ValueError(f"unknown field type {self.type!r} for {self.name!r}")


@dataclass(frozen=True)
class Compare:
    """``field op value``; ``before``/``after`` parse to ``<``/``>``."""

    field: FieldInfo
    op: CompareOp
    value: Value


@dataclass(frozen=True)
class Between:
    """``field [not] between low and high``, both ends included."""

    field: FieldInfo
    low: Value
    high: Value
    negated: bool = False


@dataclass(frozen=True)
class InList:
    """``field [not] in [v1, v2, ...]``; for a list field: holds any (none) of the values."""

    field: FieldInfo
    values: tuple[Value, ...]
    negated: bool = False

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("InList needs at least one value")


@dataclass(frozen=True)
class Contains:
    """``field [not] contains value``: substring of text, or element of a list."""

    field: FieldInfo
    value: str
    negated: bool = False


@dataclass(frozen=True)
class Missing:
    """``field is [not] missing``."""

    field: FieldInfo
    negated: bool = False


@dataclass(frozen=True)
class Within:
    """``field within amount unit``: a date in the last ``amount`` units up to ``today``."""

    field: FieldInfo
    amount: int
    unit: TimeUnit


@dataclass(frozen=True)
class Not:
    """``not rule``."""

    rule: Rule


@dataclass(frozen=True)
class And:
    """``r1 and r2 and ...`` (two or more)."""

    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        if len(self.rules) < 2:
            raise ValueError("And needs at least two rules")


@dataclass(frozen=True)
class Or:
    """``r1 or r2 or ...`` (two or more)."""

    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        if len(self.rules) < 2:
            raise ValueError("Or needs at least two rules")


Condition: TypeAlias = Compare | Between | InList | Contains | Missing | Within
Rule: TypeAlias = Condition | Not | And | Or


def _visible(text: str) -> str:
    """``text`` with control characters written as escapes, safe to show in a message."""
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


def excerpt(text: str, position: int, width: int = 24) -> str:
    """The rule text from ``position`` on, shortened, for error messages."""
    piece = text[position : position + width]
    suffix = "…" if len(text) > position + width else ""
    return _visible(piece) + suffix


class RuleError(InputError):
    """A rule that cannot be read, names an unknown field or misuses an operator.

    Parameters
    ----------
    code
        Message code under ``errors.``, e.g. ``segment.rule.syntax``.
    text
        The whole rule text (to quote the part near the problem).
    position
        0-based character offset of the problem in ``text``.
    expected
        Key of what the parser expected there (``errors.segment.rule.expected.<key>``), or "".
    **params
        Further message values (field names, suggestions, limits).

    Attributes
    ----------
    position : int
        0-based character offset of the problem.
    expected : str
        What the parser expected there, in English words ("" when it does not apply).
    expected_key : str
        The catalogue key of ``expected``; :meth:`render` translates it.
    """

    default_code = "segment.rule.syntax"

    def __init__(
        self,
        code: str | None = None,
        *,
        text: str = "",
        position: int = 0,
        expected: str = "",
        where: Where | None = None,
        **params: Any,
    ) -> None:
        self.position = position
        self.expected_key = expected
        self.expected = self._expected_text("en")
        params.setdefault("position", position)
        params.setdefault("column", position + 1)
        params.setdefault("near", excerpt(text, position))
        params["expected"] = self.expected
        super().__init__(code, where=where, **params)

    def _expected_text(self, language: str) -> str:
        if not self.expected_key:
            return ""
        return translate(f"errors.segment.rule.expected.{self.expected_key}", language)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The message in ``language``, with what was expected and type names translated."""
        params = dict(self.params)
        params["expected"] = self._expected_text(language)
        if "type" in params:
            params["type"] = translate(f"errors.segment.rule.type.{params['type']}", language)
        message = translate(f"errors.{self.code}", language, **params)
        if self.where is not None:
            message = f"{self.where}: {message}"
        hint = translate(f"errors.{self.code}.hint", language, default="", **params)
        return f"{message} {hint}".strip()
