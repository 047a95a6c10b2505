"""The wide table segments are defined over: one row per person, every field a rule may use.

It joins the golden records (``people``), the value of each customer (``customer_value``:
summary, RFM, CLV), the channels each person bought through and their current consents, all
as one Ibis expression evaluated in the warehouse. Contact details themselves (name, phone,
e-mail, address) are not in it: a rule can ask whether a person has one, not what it is.
"""

from __future__ import annotations

import uuid
from datetime import date

import ibis
import ibis.expr.types as ir

from ..metrics.customer_summary import buyer_orders
from ..schema.vocab import CONTACT_CHANNELS
from ..segments._rule_compile import FOLDED_SUFFIX, fold_column
from .identity import LINKS_TABLE, PEOPLE_TABLE
from .stores import Stores, warehouse_step
from .value import VALUE_TABLE

#: Age bands used in profiles and rules (lower bound inclusive, upper exclusive).
AGE_BANDS = ((0, 18), (18, 25), (25, 35), (35, 45), (45, 55), (55, 65), (65, 200))

#: Columns of ``people`` carried into the base (contact details stay out).
PEOPLE_COLUMNS = (
    "gender", "gender_inferred", "birth_date", "birth_year", "marital_status", "children_count",
    "occupation", "monthly_income_vnd", "education", "province", "province_former",
    "preferred_contact_channel", "primary_device", "platform", "account_id",
    "acquisition_channel", "first_seen_at",
)  # fmt: skip

#: Columns of ``customer_value`` carried into the base.
VALUE_COLUMNS = (
    "orders", "frequency", "total_revenue", "average_order_value", "monetary_value",
    "first_purchase", "last_purchase", "days_since_last_purchase", "main_channel_group",
    "r_score", "f_score", "m_score", "rfm_segment", "probability_alive",
    "expected_purchases_90d", "expected_spend_vnd", "predicted_clv_vnd",
)  # fmt: skip


def age_band(age: ir.IntegerValue) -> ir.StringValue:
    """``"25-34"``-style band of an age (``"65+"`` for the last one)."""
    cases = [
        ((age >= low) & (age < high), f"{low}-{high - 1}" if high < 200 else f"{low}+")
        for low, high in AGE_BANDS
    ]
    return ibis.cases(*cases, else_=ibis.null("string"))


#: The segment base as of the last analysis, kept so that rule counts read one table.
BASE_TABLE = "segment_base"


def segment_base(stores: Stores, *, today: date | None = None) -> ir.Table:
    """One row per person (``customer_id`` is the person id) with every segmentable field.

    After ``chandung analyze`` this is the table the analysis kept (ages as of that day), so
    a count reads one table. Before any analysis it is computed from the tables as they are,
    with ages as of ``today``.
    """
    wh = stores.warehouse
    if wh.has_table(BASE_TABLE):
        return wh.table(BASE_TABLE)
    return build_segment_base(stores, today=today)


@warehouse_step("segment_base")
def refresh_segment_base(stores: Stores) -> int:
    """Compute the segment base and keep it as ``segment_base`` (swapped in whole)."""
    wh = stores.warehouse
    work = f"_derived_base_{uuid.uuid4().hex[:8]}"
    base = build_segment_base(stores)
    # Rules compare text without case or diacritics: keep each text and list folded once
    # here, so a count compares stored values instead of folding every row again.
    folded = {}
    for name, dtype in base.schema().items():
        if dtype.is_string():
            folded[f"{name}{FOLDED_SUFFIX}"] = fold_column(base[name])
        elif dtype.is_array() and dtype.value_type.is_string():
            # A missing list stays missing: mapping over it gives NULL on DuckDB but an
            # empty list on PostgreSQL.
            column = base[name]
            folded[f"{name}{FOLDED_SUFFIX}"] = column.isnull().ifelse(
                ibis.null(dtype), column.map(fold_column)
            )
    wh.backend.create_table(work, base.mutate(**folded))
    wh.swap_in({BASE_TABLE: work})
    return int(wh.table(BASE_TABLE).count().to_pyarrow().as_py())


def build_segment_base(stores: Stores, *, today: date | None = None) -> ir.Table:
    """The segment base computed from the tables now (see :func:`segment_base`)."""
    wh = stores.warehouse
    today = today or date.today()
    people = wh.table(PEOPLE_TABLE)
    base = people.select(
        customer_id=people.person_id,
        records=people.records,
        has_phone=people.phone_e164.notnull(),
        has_email=people.email.notnull(),
        **{c: people[c] for c in PEOPLE_COLUMNS},
    )
    age = (ibis.literal(today.year) - base.birth_year.cast("int64")).name("age")
    base = base.mutate(age=age, age_band=age_band(age))
    if wh.has_table(VALUE_TABLE):
        value = wh.table(VALUE_TABLE)
        value = value.select(
            value_id=value.customer_id,
            **{c: value[c] for c in VALUE_COLUMNS if c in value.columns},
        )
        joined = base.left_join(value, base.customer_id == value.value_id)
        base = joined.drop("value_id")
        base = base.mutate(
            total_revenue=base.total_revenue.cast("float64"),
            bought=base.orders.fill_null(0) > 0,
            churn_risk=1 - base.probability_alive,
            last_order_date=base.last_purchase.date(),
            first_order_date=base.first_purchase.date(),
        )
    links = wh.table(LINKS_TABLE) if wh.has_table(LINKS_TABLE) else None
    base = _with_channels(base, wh.table("orders"), links)
    return _with_consents(base, wh.table("consents"), links)


def _with_channels(base: ir.Table, orders: ir.Table, links: ir.Table | None) -> ir.Table:
    sales = buyer_orders(orders, links=links)
    used = sales.filter(sales.channel.notnull()).select("customer_id", "channel").distinct()
    lists = used.group_by("customer_id").aggregate(
        channels_used=used.channel.collect(order_by=used.channel)
    )
    lists = lists.select(channel_person=lists.customer_id, channels_used=lists.channels_used)
    joined = base.left_join(lists, base.customer_id == lists.channel_person)
    return joined.drop("channel_person")


def _with_consents(base: ir.Table, consents: ir.Table, links: ir.Table | None) -> ir.Table:
    """Current marketing consent (the latest entry per purpose and channel wins)."""
    entries = consents
    if links is not None:
        joined = consents.left_join(links, consents.customer_id == links.customer_id)
        entries = joined.select(
            person=joined.person_id.fill_null(joined.customer_id),
            purpose=joined.purpose,
            channel=joined.channel.fill_null("*"),
            status=joined.status,
            recorded_at=joined.recorded_at,
        )
    else:
        entries = consents.select(
            person=consents.customer_id, purpose=consents.purpose,
            channel=consents.channel.fill_null("*"), status=consents.status,
            recorded_at=consents.recorded_at,
        )  # fmt: skip
    marketing = entries.filter(entries.purpose == "marketing")
    latest = marketing.group_by(["person", "channel"]).aggregate(
        status=marketing.status.argmax(marketing.recorded_at)
    )
    given = latest.filter(latest.status == "given")
    # A consent without a channel covers every channel.
    every = given.filter(given.channel == "*").select("person")
    per_channel = {
        f"consent_{channel}": (
            given.filter(given.channel == channel).select("person").union(every).distinct()
        )
        for channel in CONTACT_CHANNELS
    }
    any_given = given.select("person").distinct()
    out = base.mutate(consent_marketing=base.customer_id.isin(any_given.person))
    for name, people in per_channel.items():
        out = out.mutate(**{name: out.customer_id.isin(people.person)})
    return out
