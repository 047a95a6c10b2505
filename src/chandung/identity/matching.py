"""Pairs of customer records that are the same person, and why: Ibis expressions only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from .components import Materialise

#: The columns a pair table has.
PAIR_COLUMNS = ("left_id", "right_id", "rule", "score")


@dataclass(frozen=True)
class MatchSettings:
    """How records are matched.

    Parameters
    ----------
    threshold
        Least score for two records with the same name key and birth year to be the same person.
    max_shared
        An identifier (phone, e-mail) held by more records than this is a shared one (a shop's
        switchboard, a placeholder "0000000000") and links nobody.
    """

    threshold: float = 0.75
    max_shared: int = 5


def _deterministic(
    records: ir.Table,
    column: str,
    rule: str,
    max_shared: int,
    *,
    extra_key: str | None = None,
    valid: Callable[[ir.StringValue], ir.BooleanValue] | None = None,
    present: str | None = None,
    materialise: Materialise | None = None,
) -> ir.Table:
    keys = [column] if extra_key is None else [extra_key, column]
    # ``present``: a column that is null exactly when ``column`` is, cheaper to test.
    usable = records.filter(records[present or column].notnull()).select("customer_id", *keys)
    counts = usable.group_by(keys).aggregate(_n=usable.count())
    # Only values held by two to ``max_shared`` records can link anyone; keeping just those
    # makes the self-join small (most values are held by one record).
    linking = counts.filter((counts._n >= 2) & (counts._n <= max_shared))
    if valid is not None:
        # Validity is a property of the value, so checking the few linking values gives the
        # same pairs as checking every record's, at a fraction of the cost.
        linking = linking.filter(valid(linking[column]))
    linking = linking.select(*keys)
    holders = usable.inner_join(linking, keys).select("customer_id", *keys)
    if materialise is not None:
        # Both sides of the self-join read the holders: kept once, the grouping over the
        # whole file runs once, not once per side.
        holders = materialise(holders, f"{rule}_holders")
    right = holders.view()
    pairs = holders.inner_join(right, keys).filter(lambda t: t.customer_id < t.customer_id_right)
    return pairs.select(
        left_id=pairs.customer_id, right_id=pairs.customer_id_right,
        rule=ibis.literal(rule), score=ibis.literal(1.0),
    )  # fmt: skip


def _valid_email(email: ir.StringValue) -> ir.BooleanValue:
    return email.re_search(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")


#: Weights of the evidence of the scored rule (see docs/identity.md): each fact shared adds
#: its ``same`` weight, each fact that differs takes away its ``differ`` weight.
BLOCK_WEIGHT = 0.45
SAME = {"birth_date": 0.25, "province": 0.15, "phone_tail": 0.30, "email_n": 0.30}
DIFFER = {"birth_date": 0.25, "province": 0.10, "phone_e164": 0.20, "email_n": 0.10}
#: Facts that may narrow the block: a pair sharing none of them scores at most the block
#: and the province.
_NARROWING = ("birth_date", "phone_tail", "email_n")


def _scored(records: ir.Table, settings: MatchSettings) -> ir.Table:
    """Records sharing a name key and birth year, scored on what else they share."""
    base = records.filter(records.name_key.notnull() & records.birth_year.notnull()).select(
        "customer_id",
        "name_key",
        "birth_year",
        "birth_date",
        "province",
        "phone_e164",
        "email_n",
        phone_tail=records.phone_e164.right(6),
    )
    block = ["name_key", "birth_year"]
    ceiling = BLOCK_WEIGHT + sum(w for f, w in SAME.items() if f not in _NARROWING)
    if settings.threshold <= ceiling + 1e-9:
        return _score_pairs(base, block, settings)
    # Above that ceiling a pair must also share one of the narrowing facts, so the block is
    # joined on each of them in turn: the same pairs, from a few thousand candidates instead of
    # millions (a common name and a birth year are shared by many strangers). A pair sharing
    # several facts comes from several joins with the same score and is kept once.
    parts = [_score_pairs(base, [*block, fact], settings) for fact in _NARROWING]
    return ibis.union(*parts, distinct=True)


def _score_pairs(base: ir.Table, keys: list[str], settings: MatchSettings) -> ir.Table:
    right = base.view()
    joined = base.inner_join(right, keys).filter(lambda t: t.customer_id < t.customer_id_right)

    def same(a: ir.Value, b: ir.Value) -> ir.Value:
        return (a.notnull() & b.notnull() & (a == b)).ifelse(1.0, 0.0)

    def differ(a: ir.Value, b: ir.Value) -> ir.Value:
        return (a.notnull() & b.notnull() & (a != b)).ifelse(1.0, 0.0)

    def side(t: ir.Table, name: str) -> tuple[ir.Value, ir.Value]:
        # A join key is one column on the joined table; the others come from both sides.
        a, b = (t[name], t[name]) if name in keys else (t[name], t[f"{name}_right"])
        if name == "email_n":
            # An e-mail counts only when it is a valid address: checked on the candidate
            # pairs, far fewer than the records.
            a = _valid_email(a).ifelse(a, ibis.null(str))
            b = _valid_email(b).ifelse(b, ibis.null(str))
        return a, b

    j = joined
    # Name key and birth year are shared by construction of the block; the rest adds or takes
    # away evidence. Weights are set so that the name and year alone never reach the default
    # threshold: a second agreeing fact is needed, and two different phone numbers (people
    # keep their number) outweigh an agreeing province.
    score: ir.Value = ibis.literal(BLOCK_WEIGHT)
    for fact in ("birth_date", "province", "phone_tail", "phone_e164", "email_n"):
        a, b = side(j, fact)
        if fact in SAME:
            score = score + SAME[fact] * same(a, b)
        if fact in DIFFER:
            score = score - DIFFER[fact] * differ(a, b)
    scored = j.select(
        left_id=j.customer_id, right_id=j.customer_id_right, rule=ibis.literal("name_birth"),
        score=score,
    )  # fmt: skip
    return scored.filter(scored.score >= settings.threshold)


def match_pairs(
    customers: ir.Table,
    settings: MatchSettings | None = None,
    merged: list[tuple[str, str]] | None = None,
    split: list[str] | None = None,
    materialise: Materialise | None = None,
) -> ir.Table:
    """Pairs ``(left_id, right_id, rule, score)`` of records of the same person.

    Each pair appears once per rule that links it, with ``left_id < right_id``. ``merged``
    pairs (a person's decision) are added with rule ``manual``; records in ``split`` keep only
    their manual links. With ``materialise`` the few records that share an identifier are
    kept as tables on the way, which spares grouping the whole file twice per rule.
    """
    settings = settings or MatchSettings()
    # Only the columns the rules read: DuckDB keeps a query's shared parts whole while it runs.
    records = customers.select(
        "customer_id", "source", "source_customer_ref", "name_key", "birth_year", "birth_date",
        "province", "phone_e164", "email", email_n=customers.email.lower().strip(),
    )  # fmt: skip
    limit = settings.max_shared
    parts = [
        _deterministic(records, "phone_e164", "phone", limit, materialise=materialise),
        _deterministic(
            records, "email_n", "email", limit, valid=_valid_email, present="email",
            materialise=materialise,
        ),
        _deterministic(
            records, "source_customer_ref", "source_id", limit, extra_key="source",
            materialise=materialise,
        ),
        _scored(records, settings),
    ]  # fmt: skip
    pairs = ibis.union(*parts, distinct=False)
    if split:
        kept = ibis.literal(split)
        pairs = pairs.filter(~(kept.contains(pairs.left_id) | kept.contains(pairs.right_id)))
    if merged:
        manual = ibis.memtable({
            "left_id": [min(a, b) for a, b in merged],
            "right_id": [max(a, b) for a, b in merged],
            "rule": ["manual"] * len(merged),
            "score": [1.0] * len(merged),
        })  # fmt: skip
        pairs = ibis.union(pairs.cast(manual.schema()), manual, distinct=False)
    return pairs
