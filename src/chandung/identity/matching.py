"""Pairs of customer records that are the same person, and why: Ibis expressions only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

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
    extra_key: str | None = None,
    valid: Callable[[ir.StringValue], ir.BooleanValue] | None = None,
) -> ir.Table:
    keys = [column] if extra_key is None else [extra_key, column]
    usable = records.filter(records[column].notnull())
    counts = usable.group_by(keys).aggregate(_n=usable.count())
    # Only values held by two to ``max_shared`` records can link anyone; keeping just those
    # makes the self-join small (most values are held by one record).
    linking = counts.filter((counts._n >= 2) & (counts._n <= max_shared))
    if valid is not None:
        # Validity is a property of the value, so checking the few linking values gives the
        # same pairs as checking every record's, at a fraction of the cost.
        linking = linking.filter(valid(linking[column]))
    linking = linking.select(*keys)
    usable = usable.inner_join(linking, keys).select("customer_id", *keys)
    right = usable.view()
    pairs = usable.inner_join(right, keys).filter(lambda t: t.customer_id < t.customer_id_right)
    return pairs.select(
        left_id=pairs.customer_id, right_id=pairs.customer_id_right,
        rule=ibis.literal(rule), score=ibis.literal(1.0),
    )  # fmt: skip


def _valid_email(email: ir.StringValue) -> ir.BooleanValue:
    return email.re_search(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")


def _scored(records: ir.Table, settings: MatchSettings) -> ir.Table:
    """Records sharing a name key and birth year, scored on what else they share."""
    base = records.filter(records.name_key.notnull() & records.birth_year.notnull()).select(
        "customer_id",
        "name_key",
        "birth_year",
        "birth_date",
        "province",
        "phone_e164",
        # A shared e-mail counts only when it is a valid address.
        email_n=_valid_email(records.email_n).ifelse(records.email_n, ibis.null(str)),
        phone_tail=records.phone_e164.right(6),
    )
    right = base.view()
    joined = base.inner_join(right, ["name_key", "birth_year"]).filter(
        lambda t: t.customer_id < t.customer_id_right
    )

    def same(a: ir.Value, b: ir.Value) -> ir.Value:
        return (a.notnull() & b.notnull() & (a == b)).ifelse(1.0, 0.0)

    def differ(a: ir.Value, b: ir.Value) -> ir.Value:
        return (a.notnull() & b.notnull() & (a != b)).ifelse(1.0, 0.0)

    j = joined
    # Name key and birth year are shared by construction of the block (0.45); the rest adds or
    # takes away evidence. Weights are set so that the name and year alone never reach the
    # default threshold: a second agreeing fact is needed, and two different phone numbers
    # (people keep their number) outweigh an agreeing province.
    score = (
        0.45
        + 0.25 * same(j.birth_date, j.birth_date_right)
        - 0.25 * differ(j.birth_date, j.birth_date_right)
        + 0.15 * same(j.province, j.province_right)
        - 0.10 * differ(j.province, j.province_right)
        + 0.30 * same(j.phone_tail, j.phone_tail_right)
        - 0.20 * differ(j.phone_e164, j.phone_e164_right)
        + 0.30 * same(j.email_n, j.email_n_right)
        - 0.10 * differ(j.email_n, j.email_n_right)
    )
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
) -> ir.Table:
    """Pairs ``(left_id, right_id, rule, score)`` of records of the same person.

    Each pair appears once per rule that links it, with ``left_id < right_id``. ``merged``
    pairs (a person's decision) are added with rule ``manual``; records in ``split`` keep only
    their manual links.
    """
    settings = settings or MatchSettings()
    records = customers.mutate(email_n=customers.email.lower().strip())
    parts = [
        _deterministic(records, "phone_e164", "phone", settings.max_shared),
        _deterministic(records, "email_n", "email", settings.max_shared, valid=_valid_email),
        _deterministic(
            records, "source_customer_ref", "source_id", settings.max_shared, extra_key="source"
        ),
        _scored(records, settings),
    ]
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
