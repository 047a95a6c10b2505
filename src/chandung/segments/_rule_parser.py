"""Recursive-descent parser of the rule language, and the resolution of field names."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NoReturn

from ._rule_ast import (
    COMPARE_OPS,
    MAX_RULE_DEPTH,
    MAX_RULE_LENGTH,
    And,
    Between,
    Compare,
    CompareOp,
    Contains,
    FieldInfo,
    FieldType,
    InList,
    Missing,
    Not,
    Or,
    Rule,
    RuleError,
    TimeUnit,
    Value,
    Within,
)
from ._rule_lexer import Lexer, Token, fold_text, parse_date, word_key

#: Keywords, English and Vietnamese, by their spelling (lower case, diacritics required, since
#: ``trong`` (in) and ``trống`` (empty) differ only by them).
KEYWORDS: dict[str, str] = {
    **dict.fromkeys(["and", "và"], "and"),
    **dict.fromkeys(["or", "hoặc"], "or"),
    **dict.fromkeys(["not", "không"], "not"),
    **dict.fromkeys(["between", "giữa"], "between"),
    **dict.fromkeys(["in", "trong", "thuộc"], "in"),
    **dict.fromkeys(["contains", "chứa"], "contains"),
    **dict.fromkeys(["is", "là"], "is"),
    **dict.fromkeys(["missing", "null", "empty", "trống", "thiếu"], "missing"),
    "within": "within",
    **dict.fromkeys(["before", "trước"], "before"),
    **dict.fromkeys(["after", "sau"], "after"),
}
#: ``trong vòng`` (within) is ``trong`` (in) followed by this word.
_WITHIN_VI = "vòng"
_UNITS: dict[str, TimeUnit] = {
    **dict.fromkeys(["day", "days", "ngày"], "days"),
    **dict.fromkeys(["week", "weeks", "tuần"], "weeks"),
    **dict.fromkeys(["month", "months", "tháng"], "months"),
    **dict.fromkeys(["year", "years", "năm"], "years"),
}
#: How far back ``within`` may reach, per unit: about 100 years.
MAX_WITHIN: dict[TimeUnit, int] = {"days": 36_525, "weeks": 5_218, "months": 1_200, "years": 100}
_MAX_WITHIN_YEARS = 100
#: Booleans, matched without diacritics (no keyword clash is possible in a value position).
_BOOLEANS: dict[str, bool] = {
    **dict.fromkeys(["true", "yes", "co", "dung", "1"], True),
    **dict.fromkeys(["false", "no", "khong", "sai", "0"], False),
}
_COMPARE_OPS: dict[str, CompareOp] = {op: op for op in COMPARE_OPS}
#: Numbers must stay within what every warehouse holds exactly as a 64-bit integer.
MAX_NUMBER = 10**18
#: A field name is at most this many words (a longer run of words is never a name).
_MAX_NAME_WORDS = 8

#: Operators each field type accepts ("missing" stands for ``is [not] missing``).
OPERATORS: dict[FieldType, tuple[str, ...]] = {
    "text": ("=", "!=", "in", "contains", "missing"),
    "number": ("=", "!=", "<", "<=", ">", ">=", "between", "in", "missing"),
    "date": ("=", "!=", "<", "<=", ">", ">=", "between", "in", "missing", "within", "before",
             "after"),
    "timestamp": ("=", "!=", "<", "<=", ">", ">=", "between", "in", "missing", "within",
                  "before", "after"),
    "boolean": ("=", "!=", "missing"),
    "list": ("contains", "in", "missing"),
}  # fmt: skip
_PREDICATE_WORDS = frozenset({"between", "in", "contains", "is", "missing", "within", "before",
                              "after"})  # fmt: skip
_NEGATABLE = frozenset({"between", "in", "contains", "missing"})
#: Words that end a field name written as several words.
_STOP_WORDS = _PREDICATE_WORDS | {"and", "or", "not"}


def loose_name(name: str) -> str:
    """How names are compared loosely: folded, with runs of non-letters as one underscore.

    Examples
    --------
    >>> loose_name("Tỉnh / Thành phố"), loose_name("monthly income VND")
    ('tinh_thanh_pho', 'monthly_income_vnd')
    """
    return re.sub(r"[\W_]+", "_", fold_text(name)).strip("_")


def level_key(value: str) -> str:
    """How values of a field with a fixed vocabulary are compared: folded, letters and digits
    only.

    Examples
    --------
    >>> level_key("Nữ"), level_key("office_worker"), level_key("Kỹ sư / IT")
    ('nu', 'officeworker', 'kysuit')
    """
    return re.sub(r"[\W_]+", "", fold_text(value))


class FieldResolver:
    """Finds the catalogue field a name in a rule stands for.

    A name matches a catalogue key or column name ignoring case; failing that, any of key, column
    name and labels ignoring case, diacritics and spaces versus underscores, when that points to
    one field only; failing that, the fields' aliases the same way.
    """

    def __init__(self, fields: Mapping[str, FieldInfo]) -> None:
        self.exact: dict[str, set[FieldInfo]] = {}
        self.loose: dict[str, set[FieldInfo]] = {}
        self.aliases: dict[str, set[FieldInfo]] = {}
        for key, info in fields.items():
            for name in {key, info.name}:
                self.exact.setdefault(unicodedata.normalize("NFC", name).casefold(), set()).add(
                    info
                )
            for name in (key, info.name, info.label_en, info.label_vi):
                if loose_name(name):
                    self.loose.setdefault(loose_name(name), set()).add(info)
            for name in info.aliases:
                if loose_name(name):
                    self.aliases.setdefault(loose_name(name), set()).add(info)

    def lookup(self, name: str) -> list[FieldInfo]:
        """The fields ``name`` may stand for (none, one, or several when ambiguous)."""
        exact = self.exact.get(unicodedata.normalize("NFC", name).casefold(), set())
        if len(exact) == 1:
            return list(exact)
        loose = loose_name(name)
        found = exact or self.loose.get(loose, set()) or self.aliases.get(loose, set())
        return sorted(found, key=lambda f: f.name)

    def suggestions(self, name: str, limit: int = 3) -> list[str]:
        """Field names close to ``name``, closest first."""
        names = {**self.aliases, **self.loose}
        close = difflib.get_close_matches(loose_name(name), list(names), n=10, cutoff=0.6)
        out: list[str] = []
        for key in close:
            for info in sorted(names[key], key=lambda f: f.name):
                if info.name not in out:
                    out.append(info.name)
        return out[:limit]


def to_number(value: Decimal) -> int | float:
    """A parsed number as ``int`` when whole, else ``float``."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


class Parser:
    """Parses one rule text; see :func:`chandung.segments.rules.parse_rule` for the grammar."""

    def __init__(self, text: str, fields: Mapping[str, FieldInfo]) -> None:
        self.text = text
        self.lexer = Lexer(text)
        self.tokens: list[Token] = []
        self.index = 0
        self.depth = 0
        self.fields = FieldResolver(fields)

    # --- token access ----------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        while len(self.tokens) <= self.index + ahead:
            if self.tokens and self.tokens[-1].kind == "end":
                return self.tokens[-1]
            self.tokens.append(self.lexer.next())
        return self.tokens[self.index + ahead]

    def advance(self) -> Token:
        token = self.peek()
        if token.kind != "end":
            self.index += 1
        return token

    @staticmethod
    def keyword(token: Token) -> str | None:
        return KEYWORDS.get(token.key) if token.kind == "word" else None

    def fail(
        self, token: Token, expected: str, code: str = "segment.rule.syntax", **params: Any
    ) -> NoReturn:
        if token.kind == "end" and code in ("segment.rule.syntax", "segment.rule.value"):
            code = "segment.rule.syntax_end"
        raise RuleError(code, text=self.text, position=token.start, expected=expected, **params)

    # --- grammar -----------------------------------------------------------------------------

    def parse(self) -> Rule:
        if len(self.text) > MAX_RULE_LENGTH:
            raise RuleError(
                "segment.rule.too_long",
                text=self.text,
                position=MAX_RULE_LENGTH,
                length=len(self.text),
                limit=MAX_RULE_LENGTH,
            )
        if not self.text.strip():
            raise RuleError("segment.rule.empty", text=self.text, position=0, expected="condition")
        rule = self.or_expr()
        token = self.peek()
        if token.kind != "end":
            self.fail(token, "connective")
        return rule

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_RULE_DEPTH:
            raise RuleError(
                "segment.rule.too_deep", text=self.text, position=token.start, limit=MAX_RULE_DEPTH
            )

    def or_expr(self) -> Rule:
        rules = [self.and_expr()]
        while self.keyword(self.peek()) == "or":
            self.advance()
            rules.append(self.and_expr())
        return rules[0] if len(rules) == 1 else Or(tuple(rules))

    def and_expr(self) -> Rule:
        rules = [self.not_expr()]
        while self.keyword(self.peek()) == "and":
            self.advance()
            rules.append(self.not_expr())
        return rules[0] if len(rules) == 1 else And(tuple(rules))

    def not_expr(self) -> Rule:
        token = self.peek()
        if self.keyword(token) == "not":
            self.advance()
            self.enter(token)
            rule = self.not_expr()
            self.depth -= 1
            return Not(rule)
        return self.primary()

    def primary(self) -> Rule:
        token = self.peek()
        if token.kind == "(":
            self.advance()
            self.enter(token)
            rule = self.or_expr()
            close = self.peek()
            if close.kind != ")":
                self.fail(close, "close_paren")
            self.advance()
            self.depth -= 1
            return rule
        return self.condition()

    def field(self) -> FieldInfo:
        """The field a condition starts with."""
        first = self.peek()
        if first.kind == "name":
            self.advance()
            return self.resolve(first.value, first)
        if first.kind == "string":
            self.fail(first, "field_unquoted")  # '"province" = x': names take no quotes
        if first.kind != "word" or self.keyword(first) in ("and", "or"):
            self.fail(first, "condition")
        words = [first]
        while len(words) < _MAX_NAME_WORDS:
            try:
                token = self.peek(len(words))
            except RuleError:
                # A malformed token after the name: report the name first if it is unknown;
                # the lexer raises the same error again when the parser gets there.
                break
            if token.kind != "word":
                break
            words.append(token)
        count = self.name_length(words)
        self.index += count
        return self.resolve(self.span(words[0], words[count - 1]), first)

    def span(self, first: Token, last: Token) -> str:
        return self.text[first.start : last.end]

    def name_length(self, words: list[Token]) -> int:
        """How many of ``words`` make up the field name.

        The longest run that names a field and is followed by a keyword (or nothing) wins, so
        that labels such as "Ngày mua sau cùng" work although "sau" is a keyword; then the
        longest run that names a field; otherwise the words up to the first keyword, which are
        reported as an unknown field.
        """

        def stops(i: int) -> bool:
            return i == len(words) or self.keyword(words[i]) in _STOP_WORDS

        known = [n for n in range(len(words), 0, -1)
                 if self.fields.lookup(self.span(words[0], words[n - 1]))]  # fmt: skip
        for n in known:
            if stops(n):
                return n
        if known:
            return known[0]
        return next(n for n in range(1, len(words) + 1) if stops(n))

    def resolve(self, name: str, first: Token) -> FieldInfo:
        """The one field ``name`` (starting at token ``first``) stands for."""
        found = self.fields.lookup(name)
        if len(found) == 1:
            return found[0]
        if found:
            self.fail(
                first,
                "field",
                "segment.rule.ambiguous_field",
                field=name,
                candidates=", ".join(f.name for f in found),
            )
        suggestions = self.fields.suggestions(name)
        if suggestions:
            self.fail(
                first,
                "field",
                "segment.rule.unknown_field",
                field=name,
                suggestions=", ".join(suggestions),
            )
        self.fail(first, "field", "segment.rule.unknown_field_nothing_close", field=name)

    def condition(self) -> Rule:
        field = self.field()
        token = self.peek()
        word = self.keyword(token)
        negated = False
        if word == "not" and self.keyword(self.peek(1)) in _NEGATABLE:
            self.advance()
            negated = True
            token = self.peek()
            word = self.keyword(token)
        if token.kind == "op":
            return self.compare(field, token)
        if word == "in" and self.peek(1).key == _WITHIN_VI and not negated:
            return self.within(field, token, words=2)
        if word == "between":
            return self.between(field, token, negated)
        if word == "in":
            return self.in_list(field, token, negated)
        if word == "contains":
            self.check(field, "contains", token)
            self.advance()
            # On a list it is membership, so a level is read as one; on text, a substring.
            value = self.value(field, as_text=True, level=field.type == "list")
            if not isinstance(value, str):  # pragma: no cover - as_text always gives text
                raise AssertionError(value)
            return Contains(field, value, negated)
        if word in ("is", "missing") and not negated:
            return self.missing(field, token)
        if word == "missing":
            self.check(field, "missing", token)
            self.advance()
            return Missing(field, negated=True)
        if word == "within" and not negated:
            return self.within(field, token, words=1)
        if word in ("before", "after") and not negated:
            self.check(field, word, token)
            self.advance()
            op: CompareOp = "<" if word == "before" else ">"
            return Compare(field, op, self.value(field))
        if field.type == "boolean" and not negated:
            # A boolean field alone is a condition: "consent_marketing" means "= true".
            return Compare(field, "=", True)
        self.fail(token, f"operator_{field.type}")

    def check(self, field: FieldInfo, operator: str, token: Token) -> None:
        """Refuses an operator the field's type does not take."""
        if operator not in OPERATORS[field.type]:
            self.fail(
                token,
                f"operator_{field.type}",
                "segment.rule.operator",
                operator=operator,
                field=field.name,
                type=field.type,
            )

    def compare(self, field: FieldInfo, token: Token) -> Compare:
        op = _COMPARE_OPS[token.value]  # the lexer only makes these
        self.check(field, op, token)
        self.advance()
        return Compare(field, op, self.value(field, level=True))

    def between(self, field: FieldInfo, token: Token, negated: bool) -> Between:
        self.check(field, "between", token)
        self.advance()
        low = self.value(field)
        joint = self.peek()
        if self.keyword(joint) != "and":
            self.fail(joint, "between_and")
        self.advance()
        return Between(field, low, self.value(field), negated)

    def in_list(self, field: FieldInfo, token: Token, negated: bool) -> InList:
        self.check(field, "in", token)
        self.advance()
        opening = self.peek()
        if opening.kind not in ("[", "("):
            self.fail(opening, "list")
        self.advance()
        closing = "]" if opening.kind == "[" else ")"
        values: list[Value] = []
        while True:
            values.append(self.value(field, level=True))
            token = self.peek()
            if token.kind == ",":
                self.advance()
                token = self.peek()
            elif token.kind != closing:
                self.fail(token, "list_next")
            if token.kind == closing:
                self.advance()
                return InList(field, tuple(values), negated)

    def missing(self, field: FieldInfo, token: Token) -> Missing:
        self.check(field, "missing", token)
        self.advance()
        negated = False
        if self.keyword(token) == "is":
            if self.keyword(self.peek()) == "not":
                self.advance()
                negated = True
            word = self.peek()
            if self.keyword(word) != "missing":
                self.fail(word, "missing")
            self.advance()
        return Missing(field, negated)

    def within(self, field: FieldInfo, token: Token, words: int) -> Within:
        self.check(field, "within", token)
        for _ in range(words):
            self.advance()
        amount = self.peek()
        if amount.kind != "number" or not amount.plain or amount.number is None:
            self.fail(amount, "whole_number")
        self.advance()
        unit_token = self.peek()
        unit = _UNITS.get(unit_token.key)
        if unit is None:
            self.fail(unit_token, "unit")
        self.advance()
        count = int(amount.number)
        if count > MAX_WITHIN[unit]:
            self.fail(amount, "", "segment.rule.period", limit=_MAX_WITHIN_YEARS)
        return Within(field, count, unit)

    def value(self, field: FieldInfo, *, as_text: bool = False, level: bool = False) -> Value:
        """The value after an operator, read as the field's type wants it (and, with
        ``level``, as one of the field's levels when it has a fixed vocabulary)."""
        token = self.peek()
        kind = "text" if as_text or field.type == "list" else field.type
        value = self.typed_value(token, kind, field)
        if level and field.levels and isinstance(value, str):
            value, more = self.level(field, value, token)
            self.index += more
        self.advance()
        return value

    def level(self, field: FieldInfo, value: str, token: Token) -> tuple[str, int]:
        """The code of the level ``value`` names (a code, a label or a synonym), and how many
        more words it took: a level may be written unquoted in several words (``giáo viên``)."""
        words = dict(field.level_words)
        for code in field.levels:
            words.setdefault(level_key(code), code)
        run: list[Token] = []
        while token.kind == "word" and len(run) < _MAX_NAME_WORDS:
            try:
                following = self.peek(len(run) + 1)
            except RuleError:
                break
            if following.kind != "word" or self.keyword(following) is not None:
                break
            run.append(following)
        # The longest run of words that names a level ("Shopee Mall" before "Shopee").
        for n in range(len(run), -1, -1):
            found = words.get(level_key(self.span(token, run[n - 1]) if n else value))
            if found is not None:
                return found, n
        levels = ", ".join(field.levels)
        close = difflib.get_close_matches(level_key(value), list(words), n=6, cutoff=0.6)
        suggestions = list(dict.fromkeys(words[k] for k in close))[:3]
        if suggestions:
            self.fail(
                token, "", "segment.rule.unknown_level_close", value=token.text,
                field=field.name, levels=levels, suggestions=", ".join(suggestions),
            )  # fmt: skip
        self.fail(
            token, "", "segment.rule.unknown_level", value=token.text, field=field.name,
            levels=levels,
        )  # fmt: skip

    def typed_value(self, token: Token, kind: str, field: FieldInfo) -> Value:
        def wrong(expected: str) -> NoReturn:
            self.fail(token, expected, "segment.rule.value", field=field.name)

        if kind == "text":
            if token.kind == "string":
                return token.value
            if token.kind in ("word", "number", "date") and self.keyword(token) not in (
                "and",
                "or",
            ):
                return token.text  # a bare word, or a number or date meant as text ("007")
            wrong("text")
        if kind == "number":
            if token.kind != "number" or token.number is None:
                wrong("number")
            if abs(token.number) > MAX_NUMBER:
                self.fail(token, "number", "segment.rule.number_range", limit="10^18")
            return to_number(token.number)
        if kind in ("date", "timestamp"):
            if token.kind not in ("date", "string"):
                wrong("date")
            try:
                day = parse_date(token.value)
            except ValueError:
                self.fail(token, "date", "segment.rule.bad_date", value=token.text)
            if day is None:
                wrong("date")
            return day
        # boolean
        if token.kind in ("word", "string", "number"):
            flag = _BOOLEANS.get(fold_text(token.value).strip())
            if flag is not None:
                return flag
        wrong("boolean")


def keyword_word(name: str) -> bool:
    """Whether ``name`` would read as a keyword (so it must be written in backticks)."""
    return word_key(name) in KEYWORDS
