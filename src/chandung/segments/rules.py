"""The segment rule language: parse, render, compile.

Marketers write a segment as a rule over the wide per-customer table, for example::

    province = "Hà Nội" and (orders >= 3 or total_revenue > 1,2tr) and not churn_risk > 0.7

A rule is read by our own recursive-descent parser (never ``eval``, never SQL text) into a tree
of frozen dataclasses, written back as canonical text by :func:`rule_to_text`, and compiled by
:func:`compile_rule` into an Ibis boolean expression, so that it runs unchanged on DuckDB,
PostgreSQL and Spark. Values reach the warehouse only as Ibis literals.

Grammar (EBNF; keywords are case-insensitive, Vietnamese synonyms in brackets)::

    rule       = or_expr ;
    or_expr    = and_expr { OR and_expr } ;
    and_expr   = not_expr { AND not_expr } ;
    not_expr   = NOT not_expr | primary ;
    primary    = "(" or_expr ")" | condition ;
    condition  = field predicate
               | field ;                                  (* boolean field: "= true" *)
    predicate  = cmp_op value
               | [ NOT ] BETWEEN value AND value
               | [ NOT ] IN list
               | [ NOT ] CONTAINS value
               | [ IS ] [ NOT ] MISSING
               | WITHIN whole_number unit
               | ( BEFORE | AFTER ) value ;               (* same as "<" / ">" *)
    cmp_op     = "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "≠" | "≤" | "≥" ;
    list       = "[" value { "," value } [ "," ] "]"
               | "(" value { "," value } [ "," ] ")" ;
    field      = word { word } | "`" any character but "`" { ... } "`" ;
    value      = string | number | date | word ;
    string     = '"' { character | escape } '"' | "'" { character | escape } "'"
               | "“" { ... } "”" ;
    escape     = "\\" ( "\\" | '"' | "'" | "`" | "n" | "t" | "r" )
               | "\\u" 4 * hex | "\\U" 8 * hex ;
    number     = [ "+" | "-" ] ( digits [ "." digits ] | "." digits
                               | group3 "." 3 * digit "." 3 * digit { "." 3 * digit }
                               | digits "," digits money_unit )   (* "1,2 triệu" *)
                 [ money_unit | "%" ] ;
    money_unit = "k" | "nghìn" | "ngàn" | "tr" | "triệu" | "m" | "tỷ" | "tỉ" | "b"
               | "đ" | "vnd" | "vnđ" | "₫" ;           (* a space may come before it *)
    date       = 4 * digit "-" 2 * digit "-" 2 * digit | day "/" month "/" 4 * digit ;
    unit       = DAYS [ngày] | WEEKS [tuần] | MONTHS [tháng] | YEARS [năm] ;
    AND = "and" [và] ; OR = "or" [hoặc] ; NOT = "not" [không] ;
    BETWEEN = "between" [giữa] ; IN = "in" [trong, thuộc] ; CONTAINS = "contains" [chứa] ;
    IS = "is" [là] ; MISSING = "missing" | "null" | "empty" [trống, thiếu] ;
    WITHIN = "within" [trong vòng] ; BEFORE = "before" [trước] ; AFTER = "after" [sau] ;

Precedence: ``not`` binds tighter than ``and``, which binds tighter than ``or``.

Values follow the field's type: text (a quoted string, or a bare word, number or date taken as
written), numbers (``1200000``, ``1.5``, ``1.200.000đ``, ``1,2tr``, ``500k``, ``2 tỷ``,
``80%`` = 0.8), dates (``"2025-01-31"`` or ``"31/01/2025"``, quoted or not) and booleans
(``true``/``false``, ``yes``/``no``, ``có``/``không``, ``đúng``/``sai``).

Meaning
-------
* Text is compared without case and without Vietnamese diacritics, on both sides:
  ``province = "ha noi"`` matches "Hà Nội", ``province contains "chi minh"`` matches
  "Thành phố Hồ Chí Minh". Ordering (``<``) is not offered on text.
* A field with a fixed vocabulary (:attr:`FieldInfo.levels`: gender, occupation, channels...)
  takes its levels by their code or by any of :attr:`FieldInfo.level_words` (``gender = nữ``
  is ``gender = "female"``) after ``=``, ``!=``, ``in`` and, on a list, ``contains``; the rule
  keeps the code. A value that names no level is refused, with the levels it could be.
* ``contains`` is a substring test on text and a membership test on list fields; ``in`` on a
  list field means "holds any of", ``not in`` "holds none of".
* ``within N days|weeks|months|years``: a day from ``today`` minus N units (months and years
  move by calendar months, clamped to the month's end) up to ``today``, both included.
* A date value against a timestamp column means the whole day: ``= "2025-01-31"`` is any
  instant that day, ``< "2025-01-31"`` is before it begins, ``> "2025-01-31"`` after it ends.
* **Missing values.** A value is missing when null; text is also missing when blank, a list
  when empty. Every condition on a missing value is *false*, whatever its operator: a customer
  without a province is neither in ``province = "Hà Nội"`` nor in ``province != "Hà Nội"``, nor
  in ``province not in [...]``. ``not (...)`` of such a condition is *true*. Compiled
  expressions are total (never null), so counts are exact. Use ``is missing`` /
  ``is not missing`` to select on absence.
* ``between`` includes both ends, as written (``between 5 and 1`` selects nobody).

Field names are matched to the catalogue ignoring case; failing that, also ignoring
diacritics and spaces versus underscores, against the labels, then against the aliases,
when only one field fits (``Tỉnh thành``, ``monthly income vnd``). A name that is a keyword
or holds other characters can be written in backticks. Rules are at most
:data:`MAX_RULE_LENGTH` characters and nest brackets and ``not`` at most
:data:`MAX_RULE_DEPTH` deep; :func:`parse_rule` raises only :class:`RuleError`, whatever the
text.

Examples
--------
>>> fields = {
...     "province": FieldInfo("province", "text", "Province", "Tỉnh thành"),
...     "orders": FieldInfo("orders", "number"),
... }
>>> rule = parse_rule("Tỉnh thành = 'Ha Noi' và orders >= 1,2tr", fields)
>>> rule_to_text(rule)
'province = "Ha Noi" and orders >= 1200000'
>>> sorted(rule_fields(rule))
['orders', 'province']
>>> parse_rule("provnce = hanoi", fields)
Traceback (most recent call last):
...
chandung.segments._rule_ast.RuleError: provnce (character 1) is not a field. Did you mean province?
>>> gender = FieldInfo("gender", "text", levels=("female", "male"), level_words=(("nu", "female"),))
>>> rule_to_text(parse_rule("gender = Nữ", {"gender": gender}))
'gender = "female"'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import ibis.expr.types as ir

from ._rule_ast import (
    COMPARE_OPS,
    FIELD_TYPES,
    MAX_RULE_DEPTH,
    MAX_RULE_LENGTH,
    TIME_UNITS,
    And,
    Between,
    Compare,
    CompareOp,
    Condition,
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
from ._rule_compile import Compiler, fold_column
from ._rule_lexer import fold_text
from ._rule_parser import MAX_WITHIN, OPERATORS, Parser, level_key
from ._rule_render import rule_text

__all__ = [
    "COMPARE_OPS",
    "FIELD_TYPES",
    "MAX_RULE_DEPTH",
    "MAX_RULE_LENGTH",
    "MAX_WITHIN",
    "OPERATORS",
    "TIME_UNITS",
    "And",
    "Between",
    "Compare",
    "CompareOp",
    "Condition",
    "Contains",
    "FieldInfo",
    "FieldType",
    "InList",
    "Missing",
    "Not",
    "Or",
    "Rule",
    "RuleError",
    "TimeUnit",
    "Value",
    "Within",
    "compile_rule",
    "fold_column",
    "fold_text",
    "level_key",
    "parse_rule",
    "rule_fields",
    "rule_to_text",
]


def parse_rule(text: str, fields: Mapping[str, FieldInfo]) -> Rule:
    """Read a rule.

    Parameters
    ----------
    text
        The rule as written.
    fields
        The catalogue of fields the rule may name.

    Returns
    -------
    Rule
        The syntax tree.

    Raises
    ------
    RuleError
        For any problem, with the position, the text there, and what was expected; this is the
        only exception it raises.
    """
    return Parser(text, fields).parse()


def rule_to_text(rule: Rule) -> str:
    """Canonical text of ``rule``: ``parse_rule(rule_to_text(r), fields) == r``.

    English keywords in lower case, column names, text in double quotes, dates as
    ``"YYYY-MM-DD"``, numbers in plain digits, and only the brackets the structure needs.
    """
    return rule_text(rule)


def compile_rule(rule: Rule, table: ir.Table, *, today: date) -> ir.BooleanValue:
    """The rule as a total boolean Ibis expression over ``table``.

    Parameters
    ----------
    rule
        A parsed rule.
    table
        The per-customer table holding the rule's fields as columns.
    today
        The day ``within`` counts back from.

    Returns
    -------
    ir.BooleanValue
        True for the rows in the segment, false for the others, never null.

    Raises
    ------
    InputError
        When the table lacks a field's column (``segment.rule.no_column``) or the column's type
        does not suit the field (``segment.rule.column_type``).
    """
    return Compiler(table, today).compile(rule)


def rule_fields(rule: Rule) -> set[str]:
    """Column names the rule uses.

    Examples
    --------
    >>> f = FieldInfo("age", "number")
    >>> sorted(rule_fields(Not(Missing(f))))
    ['age']
    """
    if isinstance(rule, And | Or):
        return set().union(*(rule_fields(r) for r in rule.rules))
    if isinstance(rule, Not):
        return rule_fields(rule.rule)
    return {rule.field.name}
