"""The golden record of each person: each field from the most recent record that has it."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

#: Fields of the golden record, and the rule that picks each. ``latest``: the value of the most
#: recently seen record that has one; ``earliest``: of the first seen (when a person became a
#: customer does not change with later records).
SURVIVORSHIP: dict[str, str] = {
    "full_name": "latest", "name_key": "latest", "gender": "latest",
    "gender_inferred": "latest", "birth_date": "latest", "birth_year": "latest",
    "marital_status": "latest", "children_count": "latest", "occupation": "latest",
    "monthly_income_vnd": "latest", "education": "latest", "address": "latest",
    "province": "latest", "province_former": "latest", "phone_e164": "latest",
    "email": "latest", "preferred_contact_channel": "latest", "primary_device": "latest",
    "platform": "latest", "account_id": "latest", "acquisition_channel": "earliest",
    "first_seen_at": "earliest",
}  # fmt: skip


def golden_records(customers: ir.Table, links: ir.Table) -> ir.Table:
    """One row per person: ``person_id``, the number of records, and the surviving fields.

    Records are ordered by ``first_seen_at`` (then by id, so the choice is stable).
    """
    sizes = links.group_by("person_id").aggregate(_records=links.count())
    sized = links.inner_join(sizes, "person_id").select("customer_id", "person_id", "_records")
    joined = customers.inner_join(sized, "customer_id")
    # Most people have a single record: their golden record is that record, so only people
    # with several records go through the ranking and the per-field choice.
    single = joined.filter(joined._records == 1)
    alone = single.select(
        person_id=single.person_id,
        records=single._records,
        **{name: single[name] for name in SURVIVORSHIP},
    )
    several = joined.filter(joined._records > 1)
    t = several.mutate(
        _order=ibis.row_number().over(
            group_by=several.person_id, order_by=[several.first_seen_at, several.customer_id]
        )
    )
    recency = t._order
    fields = {}
    for name, rule in SURVIVORSHIP.items():
        column = t[name]
        has = column.notnull()
        fields[name] = (
            column.argmax(recency, where=has)
            if rule == "latest"
            else column.argmin(recency, where=has)
        )
    merged = t.group_by("person_id").aggregate(records=t.count(), **fields)
    return ibis.union(alone, merged.cast(alone.schema()), distinct=False)
