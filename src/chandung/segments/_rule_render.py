"""Canonical text of a rule: English keywords, column names, quoted text, ISO dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from ._rule_ast import (
    And,
    Between,
    Compare,
    Contains,
    FieldInfo,
    InList,
    Missing,
    Not,
    Or,
    Rule,
    Value,
    Within,
)
from ._rule_parser import keyword_word

_SIMPLE_NAME = re.compile(r"[^\W\d]\w*")
_ESCAPED = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
#: Characters written as ``\\u`` escapes: controls, format characters, surrogates, private use,
#: unassigned code points and line/paragraph separators, which are invisible or unsafe in text.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def quote(text: str) -> str:
    """``text`` as a double-quoted rule string.

    Examples
    --------
    >>> print(quote('say "hi"\\n'))
    "say \\"hi\\"\\n"
    """
    out = ['"']
    for ch in text:
        if ch in _ESCAPED:
            out.append(_ESCAPED[ch])
        elif unicodedata.category(ch) in _INVISIBLE:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def field_text(field: FieldInfo) -> str:
    """The field's column name, in backticks unless it reads as one plain word."""
    name = field.name
    if _SIMPLE_NAME.fullmatch(name) and not keyword_word(name):
        return name
    return f"`{name}`"


def value_text(value: Value) -> str:
    """A value as the parser reads it back to the same Python value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # repr round-trips; Decimal's "f" format spells it without an exponent.
        return format(Decimal(repr(value)), "f")
    if isinstance(value, date):
        return quote(value.isoformat())
    return quote(value)


def _wrapped(rule: Rule, parens: bool) -> str:
    text = rule_text(rule)
    return f"({text})" if parens else text


def rule_text(rule: Rule) -> str:
    """Canonical text of ``rule``, with only the brackets its structure needs."""
    if isinstance(rule, Or):
        return " or ".join(_wrapped(r, isinstance(r, Or)) for r in rule.rules)
    if isinstance(rule, And):
        return " and ".join(_wrapped(r, isinstance(r, And | Or)) for r in rule.rules)
    if isinstance(rule, Not):
        return "not " + _wrapped(rule.rule, isinstance(rule.rule, And | Or))
    name = field_text(rule.field)
    negation = "not " if getattr(rule, "negated", False) else ""
    if isinstance(rule, Compare):
        return f"{name} {rule.op} {value_text(rule.value)}"
    if isinstance(rule, Between):
        low, high = value_text(rule.low), value_text(rule.high)
        return f"{name} {negation}between {low} and {high}"
    if isinstance(rule, InList):
        return f"{name} {negation}in [{', '.join(value_text(v) for v in rule.values)}]"
    if isinstance(rule, Contains):
        return f"{name} {negation}contains {value_text(rule.value)}"
    if isinstance(rule, Missing):
        return f"{name} is {negation}missing"
    if isinstance(rule, Within):
        return f"{name} within {rule.amount} {rule.unit}"
    raise TypeError(f"not a rule: {rule!r}")  # pragma: no cover - the union is exhausted
