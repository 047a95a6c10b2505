"""Quality of the customer file: completeness and validity per field, staleness, consent.

Every figure is an aggregate computed in the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import ibis
import ibis.expr.types as ir

_EMAIL = r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$"

#: Fields whose completeness is reported, in the order a person reads them.
FIELDS = (
    "full_name", "phone", "email", "gender", "birth_date", "birth_year", "province",
    "address", "occupation", "monthly_income_vnd", "marital_status", "education",
    "preferred_contact_channel", "primary_device",
)  # fmt: skip


@dataclass(frozen=True)
class FieldQuality:
    field: str
    filled: int
    valid: int

    @property
    def invalid(self) -> int:
        return self.filled - self.valid


def _validity(t: ir.Table, field: str, today: date) -> ir.Value | None:
    """A condition true where a filled value is valid, for the fields that can be wrong."""
    if field == "phone":
        return t.phone_e164.notnull()
    if field == "email":
        return t.email.lower().strip().re_search(_EMAIL)
    if field == "province":
        return t.province.notnull()
    if field == "birth_year":
        return t.birth_year.between(today.year - 110, today.year - 10)
    if field == "birth_date":
        return t.birth_date.year().between(today.year - 110, today.year - 10)
    return None


def field_quality(customers: ir.Table, today: date) -> list[FieldQuality]:
    """How many records have each field, and how many of those are valid."""
    t = customers
    filled_of = {
        f: (t.province_raw if f == "province" and "province_raw" in t.columns else t[f]).notnull()
        for f in FIELDS
    }
    measures = {}
    for f in FIELDS:
        measures[f"{f}__filled"] = filled_of[f].sum()
        valid = _validity(t, f, today)
        measures[f"{f}__valid"] = (filled_of[f] & (valid if valid is not None else True)).sum()
    row = t.aggregate(**measures).to_pyarrow().to_pylist()[0]
    return [
        FieldQuality(f, int(row[f"{f}__filled"] or 0), int(row[f"{f}__valid"] or 0)) for f in FIELDS
    ]


def stale_people(links: ir.Table, customers: ir.Table, orders: ir.Table, cutoff: datetime) -> int:
    """People with no order and no new record since ``cutoff``."""
    last_order = orders.group_by("customer_id").aggregate(last=orders.ordered_at.max())
    activity = (
        links.select("customer_id", "person_id")
        .left_join(customers.select("customer_id", "first_seen_at"), "customer_id")
        .select("customer_id", "person_id", "first_seen_at")
    )
    activity = activity.left_join(last_order, "customer_id").select(
        "person_id", "first_seen_at", "last"
    )
    latest = activity.group_by("person_id").aggregate(
        last=ibis.greatest(activity.last.max(), activity.first_seen_at.max())
    )
    stale = latest.filter(latest.last.isnull() | (latest.last < ibis.literal(cutoff)))
    return int(stale.count().to_pyarrow().as_py())


def consent_coverage(links: ir.Table, consents: ir.Table, purpose: str = "marketing") -> int:
    """People whose latest consent for ``purpose`` (any channel) is ``given``."""
    c = consents.filter(consents.purpose == purpose)
    latest = c.mutate(
        _n=ibis.row_number().over(
            group_by=[c.customer_id, c.channel], order_by=ibis.desc(c.recorded_at)
        )
    )
    given = latest.filter((latest._n == 0) & (latest.status == "given")).select("customer_id")
    covered = links.inner_join(given.distinct(), "customer_id")
    return int(covered.person_id.nunique().to_pyarrow().as_py())
