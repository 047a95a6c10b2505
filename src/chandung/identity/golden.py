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


def merged_people(customers: ir.Table, members: ir.Table) -> ir.Table:
    """Golden records of people with several records.

    ``members`` holds ``(customer_id, person_id)`` of the records of those people. Records are
    ordered by ``first_seen_at`` (then by id, so the choice is stable).
    """
    joined = customers.inner_join(members.select("customer_id", "person_id"), "customer_id")
    t = joined.mutate(
        _order=ibis.row_number().over(
            group_by=joined.person_id, order_by=[joined.first_seen_at, joined.customer_id]
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
    return t.group_by("person_id").aggregate(records=t.count(), **fields)


def single_people(customers: ir.Table, members: ir.Table) -> ir.Table:
    """Golden records of people with one record: the record itself, under its own id.

    ``members`` holds the ``customer_id`` of every record that belongs to a person with
    several; every other record is a person of its own.
    """
    alone = customers.anti_join(members.select("customer_id"), "customer_id")
    return alone.select(
        person_id=alone.customer_id,
        records=ibis.literal(1, "int64"),
        **{name: alone[name] for name in SURVIVORSHIP},
    )


def golden_records(customers: ir.Table, members: ir.Table, merged: ir.Table) -> ir.Table:
    """One row per person: ``person_id``, the number of records, and the surviving fields.

    ``merged`` holds the golden records of people with several records (:func:`merged_people`)
    and ``members`` the ids of their records; every other record is a person alone.
    """
    single = single_people(customers, members)
    return ibis.union(single, merged.cast(single.schema()), distinct=False)
