"""Compiles a rule into an Ibis boolean expression that every supported warehouse runs.

Only portable Ibis operations are used (comparisons, ``isin``, ``between``, ``translate``,
``lower``, ``strip``, ``contains``, array ``map``/``contains``/``length``), and values always
travel as Ibis literals, which the backends quote; no SQL text is ever assembled here.

Every condition is *total*: it is true or false, never null. A condition on a missing value is
false, whatever the operator (``=`` as much as ``!=``, ``in`` as much as ``not in``); ``not``
then turns it true. So ``not (province = "Hà Nội")`` includes the customers without a province,
while ``province != "Hà Nội"`` does not.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ..errors import InputError
from ._rule_ast import (
    And,
    Between,
    Compare,
    Condition,
    Contains,
    FieldInfo,
    InList,
    Missing,
    Not,
    Or,
    Rule,
    TimeUnit,
    Value,
    Within,
)
from ._rule_lexer import FOLD_FROM, FOLD_TO, fold_text

#: A table may carry, next to a text or list column ``x``, the column ``x__folded`` holding
#: the same values already folded; rules then compare with it instead of folding every row.
FOLDED_SUFFIX = "__folded"


def fold_column(column: ir.StringValue) -> ir.StringValue:
    """The warehouse side of :func:`fold_text`: base letters, then lower case."""
    return column.translate(FOLD_FROM, FOLD_TO).lower()


def months_before(day: date, months: int) -> date:
    """``day`` moved back ``months`` calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    if year < 1:
        return date.min
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def period_start(today: date, amount: int, unit: TimeUnit) -> date:
    """The first day of the last ``amount`` ``unit`` up to ``today`` (``today`` itself for 0)."""
    if unit in ("months", "years"):
        return months_before(today, amount * (12 if unit == "years" else 1))
    days = amount * (7 if unit == "weeks" else 1)
    try:
        return today - timedelta(days=days)
    except OverflowError:
        return date.min


def _balanced(items: Sequence[ir.BooleanValue], combine: Callable[[Any, Any], Any]) -> Any:
    # A balanced tree keeps long "a or b or c ..." chains shallow for the SQL compilers.
    if len(items) == 1:
        return items[0]
    middle = len(items) // 2
    return combine(_balanced(items[:middle], combine), _balanced(items[middle:], combine))


class Compiler:
    """Turns rules into expressions over one table, with ``today`` for relative dates."""

    def __init__(self, table: ir.Table, today: date) -> None:
        self.table = table
        self.today = today

    def compile(self, rule: Rule) -> ir.BooleanValue:
        if isinstance(rule, And):
            return _balanced([self.compile(r) for r in rule.rules], lambda a, b: a & b)
        if isinstance(rule, Or):
            return _balanced([self.compile(r) for r in rule.rules], lambda a, b: a | b)
        if isinstance(rule, Not):
            return ~self.compile(rule.rule)
        column = self.column(rule.field)
        if isinstance(rule, Missing):
            missing = self.missing(rule.field, column)
            return ~missing if rule.negated else missing
        present = ~self.missing(rule.field, column)
        predicate = self.predicate(rule, column)
        if getattr(rule, "negated", False):
            predicate = ~predicate
        # fill_null makes the condition total even where an engine yields null inside.
        return (present & predicate).fill_null(False)

    def column(self, field: FieldInfo) -> ir.Value:
        """The field's column, checked against the field's declared type."""
        if field.name not in self.table.columns:
            raise InputError("segment.rule.no_column", field=field.name)
        column = self.table[field.name]
        dtype = column.type()
        fits = {
            "text": dtype.is_string(),
            "number": dtype.is_numeric() and not dtype.is_boolean(),
            "date": dtype.is_date() or dtype.is_timestamp(),
            "timestamp": dtype.is_date() or dtype.is_timestamp(),
            "boolean": dtype.is_boolean(),
            "list": dtype.is_array() and dtype.value_type.is_string(),
        }[field.type]
        if not fits:
            raise InputError(
                "segment.rule.column_type", field=field.name, type=field.type, actual=str(dtype)
            )
        return column

    def missing(self, field: FieldInfo, column: Any) -> ir.BooleanValue:
        if field.type == "text":
            # Blank text is no more an answer than null.
            return column.isnull() | (column.strip() == "")
        if field.type == "list":
            return column.isnull() | (column.length() == 0)
        return column.isnull()

    # --- conditions on present values -------------------------------------------------------

    def predicate(self, rule: Condition, column: Any) -> ir.BooleanValue:
        field = rule.field
        stored = f"{field.name}{FOLDED_SUFFIX}"
        if field.type in ("list", "text") and stored in self.table.columns:
            if field.type == "list":
                return self.list_predicate(rule, self.table[stored], already_folded=True)
            return self.text_predicate(rule, self.table[stored])
        if field.type == "list":
            return self.list_predicate(rule, column)
        if field.type == "text":
            return self.text_predicate(rule, fold_column(column))
        is_day = field.type in ("date", "timestamp")
        if is_day and column.type().is_timestamp():
            return self.timestamp_predicate(rule, column)
        if isinstance(rule, Compare):
            return _compare(column, rule.op, self.literal(rule.value, is_day))
        if isinstance(rule, Between):
            return column.between(self.literal(rule.low, is_day), self.literal(rule.high, is_day))
        if isinstance(rule, InList):
            return column.isin([self.literal(v, is_day) for v in rule.values])
        if isinstance(rule, Within):
            start = period_start(self.today, rule.amount, rule.unit)
            return column.between(ibis.literal(start, type="date"), ibis.literal(self.today))
        raise TypeError(f"cannot compile {rule!r}")  # pragma: no cover - parser checks operators

    @staticmethod
    def literal(value: Value, is_day: bool) -> Any:
        if is_day:
            return ibis.literal(value, type="date")
        if isinstance(value, float):
            return ibis.literal(value, type="float64")
        if isinstance(value, bool):
            return ibis.literal(value, type="boolean")
        return ibis.literal(value)

    def text_predicate(self, rule: Condition, folded: Any) -> ir.BooleanValue:
        if isinstance(rule, Compare):
            return _compare(folded, rule.op, ibis.literal(fold_text(str(rule.value))))
        if isinstance(rule, InList):
            return folded.isin([ibis.literal(fold_text(str(v))) for v in rule.values])
        if isinstance(rule, Contains):
            return folded.contains(ibis.literal(fold_text(rule.value)))
        raise TypeError(f"cannot compile {rule!r}")  # pragma: no cover - parser checks operators

    def list_predicate(
        self, rule: Condition, column: Any, *, already_folded: bool = False
    ) -> ir.BooleanValue:
        folded = column if already_folded else column.map(fold_column)
        values: tuple[Value, ...]
        if isinstance(rule, Contains):
            values = (rule.value,)
        elif isinstance(rule, InList):
            values = rule.values
        else:  # pragma: no cover - parser checks operators
            raise TypeError(f"cannot compile {rule!r}")
        tests = [folded.contains(ibis.literal(fold_text(str(v)))) for v in dict.fromkeys(values)]
        return _balanced(tests, lambda a, b: a | b)

    def timestamp_predicate(self, rule: Condition, column: Any) -> ir.BooleanValue:
        """Conditions on a timestamp with day values: a day stands for all of its instants."""

        def on(day: date) -> Any:
            return _day_range(column, day, day)

        if isinstance(rule, Compare):
            day = rule.value
            if not isinstance(day, date):  # pragma: no cover - parser gives dates
                raise TypeError(day)
            if rule.op == "=":
                return on(day)
            if rule.op == "!=":
                return ~on(day)
            if rule.op in ("<", ">="):
                below = column < _midnight(day)
                return below if rule.op == "<" else ~below
            after = _after_day(column, day)
            return after if rule.op == ">" else ~after
        if isinstance(rule, Between):
            if not isinstance(rule.low, date) or not isinstance(rule.high, date):
                raise TypeError(rule)  # pragma: no cover - parser gives dates
            return _day_range(column, rule.low, rule.high)
        if isinstance(rule, InList):
            return _balanced(
                [on(v) for v in dict.fromkeys(rule.values) if isinstance(v, date)],
                lambda a, b: a | b,
            )
        if isinstance(rule, Within):
            start = period_start(self.today, rule.amount, rule.unit)
            return _day_range(column, start, self.today)
        raise TypeError(f"cannot compile {rule!r}")  # pragma: no cover - parser checks operators


def _compare(left: Any, op: str, right: Any) -> ir.BooleanValue:
    return {
        "=": lambda: left == right,
        "!=": lambda: left != right,
        "<": lambda: left < right,
        "<=": lambda: left <= right,
        ">": lambda: left > right,
        ">=": lambda: left >= right,
    }[op]()


def _midnight(day: date) -> Any:
    return ibis.literal(datetime.combine(day, time()), type="timestamp")


def _after_day(column: Any, day: date) -> Any:
    """``column`` is later than the whole of ``day``."""
    if day == date.max:
        return ibis.literal(False)
    return column >= _midnight(day + timedelta(days=1))


def _day_range(column: Any, first: date, last: date) -> Any:
    """``column`` falls on a day from ``first`` to ``last``, both included."""
    return (column >= _midnight(first)) & ~_after_day(column, last)
