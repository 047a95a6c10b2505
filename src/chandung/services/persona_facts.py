"""Gather the facts personas are written from, in the warehouse.

Given the members of each segment (``customer_id`` = person id, ``segment_id``), every
aggregate is one grouped query over a long table (segment, attribute, level): a handful of
queries whatever the number of customers, and only counts, means, medians and a few candidate
quotes come into Python. Segment ``0`` in the queries stands for the whole base.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import ibis
import ibis.expr.types as ir

from ..metrics.cadence import in_tet_window, season_of
from ..personas.facts import (
    Distribution,
    Facts,
    Numeric,
    NumericSummary,
    Quote,
    SegmentInfo,
)
from ..segments._rule_compile import fold_column
from ..store import Warehouse
from ..voc.quotes import short_quote
from ..voc.topics import TOPICS, sentiment_expression, topic_matches
from .identity import LINKS_TABLE, PEOPLE_TABLE
from .segment_base import segment_base
from .stores import Stores

BASE_SEGMENT = 0
#: Monthly income bands, VND (lower bound inclusive).
INCOME_BANDS = (
    (0, 5_000_000, "under_5m"), (5_000_000, 10_000_000, "5m_10m"),
    (10_000_000, 20_000_000, "10m_20m"), (20_000_000, 40_000_000, "20m_40m"),
    (40_000_000, 10**15, "40m_plus"),
)  # fmt: skip
#: Attributes of the segment base described per customer.
BASE_CATEGORICAL = (
    "gender", "age_band", "marital_status", "occupation", "education", "province",
    "primary_device", "platform", "rfm_segment", "preferred_contact_channel",
    "acquisition_channel", "main_channel_group",
)  # fmt: skip
#: Numbers of the segment base summarised per segment.
BASE_NUMERIC = (
    "age", "orders", "total_revenue", "average_order_value", "predicted_clv_vnd",
    "probability_alive", "churn_risk", "days_since_last_purchase", "monthly_income_vnd",
    "children_count", "expected_purchases_90d",
)  # fmt: skip
#: Vietnamese family names: a customer file where most names start with one is Vietnamese.
VIETNAMESE_FAMILY_NAMES = (
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "dinh", "truong", "dao", "doan", "lam", "mai", "trinh", "luong",
)  # fmt: skip
#: Candidate quotes kept per segment and topic.
QUOTES_PER_TOPIC = 3
#: Text ids kept as evidence per segment and topic.
IDS_PER_TOPIC = 3
#: A member at risk of leaving: churn risk at least this.
AT_RISK = 0.5


def gather_facts(
    stores: Stores, membership: ir.Table, names: Mapping[int, str], *, survey_min_share: float = 0.0
) -> Facts:
    """The facts of every segment of ``membership`` (``customer_id``, ``segment_id``)."""
    del survey_min_share
    wh = stores.warehouse
    base = _enriched_base(stores)
    members = membership.select(
        m_customer=membership.customer_id.cast("string"),
        segment_id=membership.segment_id.cast("int64"),
    )
    inside = base.inner_join(members, base.customer_id == members.m_customer).drop("m_customer")
    everyone = base.mutate(segment_id=ibis.literal(BASE_SEGMENT, type="int64"))
    both = inside.union(everyone.select(*inside.columns))
    segments, base_size, base_revenue = _segments(both, names)
    customers = _customer_distributions(both, base)
    numbers = _numbers(both)
    links = wh.table(LINKS_TABLE) if wh.has_table(LINKS_TABLE) else None
    orders = _order_distributions(stores, members, links)
    survey, survey_numbers = _survey(stores, members, links)
    feedback, sentiment, quotes = _feedback(stores, members, links, base)
    return Facts(
        segments=segments,
        base_size=base_size,
        base_revenue=base_revenue,
        customers=customers,
        numbers=numbers,
        orders=orders,
        survey=survey,
        survey_numbers=survey_numbers,
        feedback=feedback,
        sentiment=sentiment,
        quotes=quotes,
        pairs=_pairs(stores, members, links),
        name_style=_name_style(stores),
    )


# --- customers -------------------------------------------------------------------------------


def _income_band(income: ir.NumericValue) -> ir.StringValue:
    cases = [((income >= low) & (income < high), name) for low, high, name in INCOME_BANDS]
    return ibis.cases(*cases, else_=ibis.null("string"))


def _children_band(children: ir.NumericValue) -> ir.StringValue:
    return ibis.cases(
        (children == 0, "0"),
        (children == 1, "1"),
        (children == 2, "2"),
        (children >= 3, "3+"),
        else_=ibis.null("string"),
    )


def _person_of(table: ir.Table, links: ir.Table | None, column: str = "customer_id") -> ir.Table:
    """``table`` with the person of its record in ``person`` (unlinked records: own id)."""
    key = table[column].cast("string")
    if links is None:
        return table.mutate(person=key)
    link = links.select(l_record=links.customer_id.cast("string"), l_person=links.person_id)
    joined = table.left_join(link, key == link.l_record)
    return joined.mutate(person=joined.l_person.cast("string").fill_null(key)).drop(
        "l_record", "l_person"
    )


def _enriched_base(stores: Stores) -> ir.Table:
    """The segment base with the derived attributes personas describe."""
    wh = stores.warehouse
    base = segment_base(stores)
    keep = [c for c in base.columns if not c.endswith("__folded")]
    base = base.select(*keep)
    derived: dict[str, ir.Value] = {
        "income_band": _income_band(base.monthly_income_vnd),
        "children": _children_band(base.children_count),
        "is_business": base.account_id.notnull().ifelse("business", "consumer"),
        "buyer_type": ibis.cases(
            (base.orders.fill_null(0) >= 2, "repeat"),
            (base.orders.fill_null(0) == 1, "one_off"),
            else_="never",
        ),
    }
    base = base.mutate(**derived)
    links = wh.table(LINKS_TABLE) if wh.has_table(LINKS_TABLE) else None
    # The customer's own typical channel: the one most of their orders went through.
    orders = _completed_orders(wh.table("orders"), links)
    counted = orders.group_by(["person", "channel"]).aggregate(n=orders.count())
    counted = counted.filter(counted.channel.notnull())
    ranked = counted.mutate(
        rank=ibis.row_number().over(
            group_by=counted.person, order_by=[ibis.desc(counted.n), counted.channel]
        )
    )
    main = ranked.filter(ranked.rank == 0).select(mc_person="person", main_channel="channel")
    base = base.left_join(main, base.customer_id == main.mc_person).drop("mc_person")
    if wh.has_table("customers"):
        customers = _person_of(wh.table("customers"), links)
        cols = [c for c in ("mindset", "lifestyle", "is_decision_maker") if c in customers.columns]
        if cols:
            order = customers.first_seen_at
            per = customers.group_by(p_person=customers.person).aggregate(
                **{
                    c: customers[c].cast("string").argmax(order, where=customers[c].notnull())
                    for c in cols
                }
            )
            base = base.left_join(per, base.customer_id == per.p_person).drop("p_person")
    if wh.has_table("accounts"):
        accounts = wh.table("accounts")
        wanted = ("industry", "company_size", "decision_maker_title")
        acc = accounts.select(
            a_id=accounts.account_id,
            **{c: accounts[c].cast("string") for c in wanted if c in accounts.columns},
        )
        base = base.left_join(acc, base.account_id == acc.a_id).drop("a_id")
    return base


def _segments(
    both: ir.Table, names: Mapping[int, str]
) -> tuple[dict[int, SegmentInfo], int, float]:
    sizes = both.group_by("segment_id").aggregate(
        size=both.count(), revenue=both.total_revenue.cast("float64").sum()
    )
    rows = sizes.to_pyarrow().to_pylist()
    out: dict[int, SegmentInfo] = {}
    base_size, base_revenue = 0, 0.0
    for row in rows:
        sid, size, revenue = int(row["segment_id"]), int(row["size"]), float(row["revenue"] or 0)
        if sid == BASE_SEGMENT:
            base_size, base_revenue = size, revenue
        else:
            out[sid] = SegmentInfo(sid, names.get(sid, str(sid)), size, revenue)
    for sid, name in names.items():
        out.setdefault(sid, SegmentInfo(sid, name, 0, 0.0))
    return dict(sorted(out.items())), base_size, base_revenue


def _long_counts(
    parts: Iterable[ir.Table], *, distinct_unit: bool = False
) -> dict[str, dict[int, dict[str, int]]]:
    """Counts per (attribute, segment, level) of a union of ``segment_id, attribute, level``
    (and ``unit`` when units are counted once per level)."""
    union = ibis.union(*parts)
    union = union.filter(union.level.notnull())
    count = union.unit.nunique() if distinct_unit else union.count()
    grouped = union.group_by(["attribute", "segment_id", "level"]).aggregate(n=count)
    out: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in grouped.to_pyarrow().to_pylist():
        out[row["attribute"]][int(row["segment_id"])][str(row["level"])] = int(row["n"])
    return out


def _distributions(
    counts: Mapping[str, Mapping[int, Mapping[str, int]]],
    totals: Mapping[str, Mapping[int, int]],
    sources: Mapping[str, str],
    unit: str,
    ids: Mapping[str, Mapping[tuple[int, str], tuple[str, ...]]] | None = None,
) -> dict[str, Distribution]:
    out = {}
    for attribute, source in sources.items():
        by_segment = counts.get(attribute, {})
        total = totals.get(attribute, {})
        out[attribute] = Distribution(
            source=source,
            unit=unit,
            counts={s: dict(v) for s, v in by_segment.items() if s != BASE_SEGMENT},
            totals={s: int(n) for s, n in total.items() if s != BASE_SEGMENT},
            base_counts=dict(by_segment.get(BASE_SEGMENT, {})),
            base_total=int(total.get(BASE_SEGMENT, 0)),
            ids=(ids or {}).get(attribute, {}),
        )
    return out


def _customer_distributions(both: ir.Table, base: ir.Table) -> dict[str, Distribution]:
    derived = (
        "income_band", "children", "is_business", "buyer_type", "main_channel", "mindset",
        "lifestyle", "is_decision_maker", "industry", "company_size", "decision_maker_title",
    )  # fmt: skip
    wanted = [c for c in (*BASE_CATEGORICAL, *derived) if c in base.columns]
    parts = [
        both.select(
            segment_id=both.segment_id,
            attribute=ibis.literal(c),
            level=both[c].cast("string"),
        )
        for c in wanted
    ]
    counts = _long_counts(parts)
    sizes = both.group_by("segment_id").aggregate(n=both.count()).to_pyarrow().to_pylist()
    size = {int(r["segment_id"]): int(r["n"]) for r in sizes}
    sources = {c: _source_of(c) for c in wanted}
    # Interests on file are a list: each person counts once in each interest they have.
    return _distributions(counts, {c: size for c in wanted}, sources, "customers")


def _source_of(attribute: str) -> str:
    if attribute in ("mindset", "lifestyle", "is_decision_maker"):
        return f"customers.{attribute}"
    if attribute in ("industry", "company_size", "decision_maker_title"):
        return f"accounts.{attribute}"
    if attribute in ("rfm_segment", "main_channel_group"):
        return f"customer_value.{attribute}"
    if attribute == "main_channel":
        return "orders.channel"
    if attribute == "buyer_type":
        return "customer_value.orders"
    if attribute == "income_band":
        return "people.monthly_income_vnd"
    if attribute == "children":
        return "people.children_count"
    if attribute == "is_business":
        return "people.account_id"
    if attribute == "age_band":
        return "people.birth_year"
    return f"people.{attribute}"


def _numbers(both: ir.Table) -> dict[str, Numeric]:
    wanted = [c for c in BASE_NUMERIC if c in both.columns]
    parts = [
        both.select(
            segment_id=both.segment_id,
            attribute=ibis.literal(c),
            value=both[c].cast("float64"),
        )
        for c in wanted
    ]
    union = ibis.union(*parts)
    union = union.filter(union.value.notnull())
    grouped = union.group_by(["attribute", "segment_id"]).aggregate(
        n=union.count(), mean=union.value.mean(), median=union.value.median()
    )
    return _numeric_result(grouped, {c: _numeric_source(c) for c in wanted})


def _numeric_source(attribute: str) -> str:
    if attribute in ("age", "monthly_income_vnd", "children_count"):
        return f"people.{'birth_year' if attribute == 'age' else attribute}"
    return f"customer_value.{attribute}"


def _numeric_result(grouped: ir.Table, sources: Mapping[str, str]) -> dict[str, Numeric]:
    per: dict[str, dict[int, NumericSummary]] = defaultdict(dict)
    for row in grouped.to_pyarrow().to_pylist():
        per[row["attribute"]][int(row["segment_id"])] = NumericSummary(
            int(row["n"]), _float(row["mean"]), _float(row["median"])
        )
    out = {}
    for attribute, source in sources.items():
        values = per.get(attribute, {})
        out[attribute] = Numeric(
            source=source,
            segments={s: v for s, v in values.items() if s != BASE_SEGMENT},
            base=values.get(BASE_SEGMENT, NumericSummary(0, None, None)),
        )
    return out


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# --- orders ----------------------------------------------------------------------------------


def _completed_orders(orders: ir.Table, links: ir.Table | None) -> ir.Table:
    done = orders.filter(orders.status == "completed")
    done = done.filter(done.customer_id.notnull())
    return _person_of(done, links)


def _with_segments(rows: ir.Table, members: ir.Table) -> ir.Table:
    """``rows`` (with ``person``) once per segment of the person and once for the base."""
    inside = rows.inner_join(members, rows.person == members.m_customer).drop("m_customer")
    everyone = rows.mutate(segment_id=ibis.literal(BASE_SEGMENT, type="int64"))
    return inside.union(everyone.select(*inside.columns))


def _order_distributions(
    stores: Stores, members: ir.Table, links: ir.Table | None
) -> dict[str, Distribution]:
    wh = stores.warehouse
    orders = _completed_orders(wh.table("orders"), links)
    o = orders.select(
        person=orders.person,
        order_id=orders.order_id,
        channel=orders.channel.cast("string"),
        device=orders.device.cast("string"),
        payment=orders.payment_method.cast("string"),
        season=season_of(orders.ordered_at.month()),
        tet=in_tet_window(orders.ordered_at).ifelse("tet", "other"),
        weekend=orders.ordered_at.day_of_week.index().isin([5, 6]).ifelse("weekend", "weekday"),
        discount=(orders.discount_vnd.fill_null(0) > 0).ifelse("discount", "full_price"),
    )
    # Each order once per segment of its buyer and once for the base, computed once.
    with _temporary(wh, _with_segments(o, members)) as both:
        columns = ("channel", "device", "payment", "season", "tet", "weekend", "discount")
        parts = [
            both.select(segment_id=both.segment_id, attribute=ibis.literal(c), level=both[c])
            for c in columns
        ]
        if wh.has_table("order_items"):
            items = wh.table("order_items")
            lines = items.select(i_order=items.order_id, category=items.category.cast("string"))
            lines = lines.filter(lines.category.notnull()).distinct()
            with_cat = both.inner_join(lines, both.order_id == lines.i_order)
            parts.append(
                with_cat.select(
                    segment_id=with_cat.segment_id,
                    attribute=ibis.literal("category"),
                    level=with_cat.category,
                )
            )
        counts = _long_counts(parts)
        totals_rows = both.group_by("segment_id").aggregate(n=both.count()).to_pyarrow()
    totals = {int(r["segment_id"]): int(r["n"]) for r in totals_rows.to_pylist()}
    names = [*columns, "category"] if wh.has_table("order_items") else list(columns)
    sources = {
        c: "order_items.category" if c == "category" else f"orders.{_order_column(c)}"
        for c in names
    }
    return _distributions(counts, {c: totals for c in names}, sources, "orders")


def _order_column(name: str) -> str:
    return {
        "payment": "payment_method",
        "season": "ordered_at",
        "tet": "ordered_at",
        "weekend": "ordered_at",
        "discount": "discount_vnd",
    }.get(name, name)


def _pairs(
    stores: Stores, members: ir.Table, links: ir.Table | None
) -> dict[int, tuple[str, str, int, float, float]]:
    """The two product categories most often bought in one order, per segment."""
    wh = stores.warehouse
    if not wh.has_table("order_items"):
        return {}
    orders = _completed_orders(wh.table("orders"), links).select("person", "order_id")
    items = wh.table("order_items")
    lines = items.select(i_order=items.order_id, category=items.category.cast("string"))
    lines = lines.filter(lines.category.notnull()).distinct()
    joined = orders.inner_join(members, orders.person == members.m_customer)
    chosen = joined.inner_join(lines, joined.order_id == lines.i_order).select(
        "segment_id", "order_id", "category"
    )
    with _temporary(wh, chosen) as per_order:
        return _top_pairs(per_order)


def _top_pairs(per_order: ir.Table) -> dict[int, tuple[str, str, int, float, float]]:
    other = per_order.select(o_segment="segment_id", o_order="order_id", o_category="category")
    pairs = per_order.inner_join(
        other,
        (per_order.order_id == other.o_order) & (per_order.segment_id == other.o_segment),
    )
    pairs = pairs.filter(pairs.category < pairs.o_category)
    counted = pairs.group_by(["segment_id", "category", "o_category"]).aggregate(n=pairs.count())
    ranked = counted.mutate(
        rank=ibis.row_number().over(
            group_by=counted.segment_id,
            order_by=[ibis.desc(counted.n), counted.category, counted.o_category],
        )
    )
    top = ranked.filter(ranked.rank < 1).to_pyarrow().to_pylist()
    singles = per_order.group_by(["segment_id", "category"]).aggregate(n=per_order.count())
    single = {
        (int(r["segment_id"]), str(r["category"])): int(r["n"])
        for r in singles.to_pyarrow().to_pylist()
    }
    totals = per_order.group_by("segment_id").aggregate(n=per_order.order_id.nunique())
    total = {int(r["segment_id"]): int(r["n"]) for r in totals.to_pyarrow().to_pylist()}
    out = {}
    for row in top:
        sid, a, b, n = (
            int(row["segment_id"]),
            str(row["category"]),
            str(row["o_category"]),
            int(row["n"]),
        )
        orders_n = total.get(sid, 0)
        if not orders_n:
            continue
        support = n / orders_n
        expected = (single.get((sid, a), 0) / orders_n) * (single.get((sid, b), 0) / orders_n)
        lift = support / expected if expected else 0.0
        out[sid] = (a, b, n, support, lift)
    return out


# --- survey ----------------------------------------------------------------------------------


def _survey(
    stores: Stores, members: ir.Table, links: ir.Table | None
) -> tuple[dict[str, Distribution], dict[str, Numeric]]:
    wh = stores.warehouse
    if not wh.has_table("survey_responses"):
        return {}, {}
    survey = wh.table("survey_responses")
    answered = _person_of(survey.filter(survey.customer_id.notnull()), links)
    with _temporary(wh, _with_segments(answered, members)) as both:
        return _survey_counts(both)


def _survey_counts(both: ir.Table) -> tuple[dict[str, Distribution], dict[str, Numeric]]:
    texts = both.filter(both.answer_text.notnull() & both.answer_number.isnull())
    labels = texts.select(
        segment_id=texts.segment_id,
        attribute=texts.question_id.cast("string"),
        unit=texts.person,
        label=texts.answer_text.split(";"),
    )
    exploded = labels.unnest("label")
    exploded = exploded.select("segment_id", "attribute", "unit", level=exploded.label.strip())
    exploded = exploded.filter(exploded.level != "")
    counts = _long_counts([exploded], distinct_unit=True)
    respondents = texts.group_by(["question_id", "segment_id"]).aggregate(n=texts.person.nunique())
    totals: dict[str, dict[int, int]] = defaultdict(dict)
    for row in respondents.to_pyarrow().to_pylist():
        totals[str(row["question_id"])][int(row["segment_id"])] = int(row["n"])
    choices = _distributions(
        counts, totals, {q: f"survey_responses:{q}" for q in totals}, "respondents"
    )
    numbers = both.filter(both.answer_number.notnull())
    # One value per person and question (the mean of repeated answers), then summarised.
    per_person = numbers.group_by(["question_id", "segment_id", "person"]).aggregate(
        value=numbers.answer_number.mean()
    )
    grouped = per_person.group_by(["question_id", "segment_id"]).aggregate(
        n=per_person.count(), mean=per_person.value.mean(), median=per_person.value.median()
    )
    grouped = grouped.rename(attribute="question_id")
    questions = [str(q) for q in grouped.attribute.cast("string").to_pyarrow().unique().to_pylist()]
    scored = _numeric_result(grouped, {q: f"survey_responses:{q}" for q in questions})
    return choices, scored


# --- feedback --------------------------------------------------------------------------------


def _feedback(
    stores: Stores, members: ir.Table, links: ir.Table | None, base: ir.Table
) -> tuple[dict[str, Distribution], Distribution | None, dict[int, tuple[Quote, ...]]]:
    wh = stores.warehouse
    if not wh.has_table("feedback"):
        return {}, None, {}
    feedback = wh.table("feedback")
    known = _person_of(feedback.filter(feedback.customer_id.notnull()), links)
    risk = base.select(r_person=base.customer_id, r_risk=base.churn_risk)
    known = known.left_join(risk, known.person == risk.r_person).drop("r_person")
    texts = known.select(
        person=known.person,
        feedback_id=known.feedback_id.cast("string"),
        text=known.text.cast("string"),
        at_risk=known.r_risk.fill_null(0) >= AT_RISK,
        rating=known.rating,
        folded=fold_column(known.text.cast("string")),
    )
    # Each step goes to a temporary table the next one reads, so that the lexicon's patterns
    # run once per text: an engine that inlines one step into the next (PostgreSQL does)
    # would otherwise fold each text again for every pattern, and search the patterns of
    # every topic again for the sentiment and for every count.
    with ExitStack() as stack:
        folded = stack.enter_context(_temporary(wh, texts))
        topics = {f"t_{key}": topic_matches(folded.folded, key) for key in TOPICS}
        found = stack.enter_context(_temporary(wh, folded.mutate(**topics)))
        matches = {key: found[f"t_{key}"] for key in TOPICS}
        sentiment = sentiment_expression(found.folded, found.rating, matches)
        scored = found.mutate(sentiment=sentiment).drop("folded", "rating")
        table = stack.enter_context(_temporary(wh, scored))
        both = _with_segments(table, members)
        subsets: dict[str, tuple[ir.BooleanValue, str | None]] = {
            "topics": (both.feedback_id.notnull() | both.feedback_id.isnull(), None),
            "complaints": (both.sentiment < 0, "pain"),
            "praise": (both.sentiment >= 0, "praise"),
            "objections": ((both.sentiment < 0) & both.at_risk, "pain"),
        }
        aggregates: dict[str, ir.Value] = {
            f"total|{subset}": condition.sum() for subset, (condition, _) in subsets.items()
        }
        for mood, value in (("negative", -1), ("neutral", 0), ("positive", 1)):
            aggregates[f"sentiment|{mood}"] = (both.sentiment == value).sum()
        for subset, (condition, kind) in subsets.items():
            for key, topic in TOPICS.items():
                if kind is None or topic.kind == kind:
                    aggregates[f"{subset}|{key}"] = (condition & both[f"t_{key}"]).sum()
        rows = both.group_by("segment_id").aggregate(**aggregates).to_pyarrow().to_pylist()
        hits = [
            table.filter(table[f"t_{key}"]).select(
                person=table.person,
                topic=ibis.literal(key),
                feedback_id=table.feedback_id,
                text=table.text,
                sentiment=table.sentiment,
            )
            for key in TOPICS
        ]
        ids, quotes = _texts_of_topics(hits, members)
    counts: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    totals: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        sid = int(row.pop("segment_id"))
        for name, value in row.items():
            subset, level = name.split("|", 1)
            if subset == "total":
                totals[level][sid] = int(value or 0)
            elif value:
                counts[subset][sid][level] = int(value)
    totals["sentiment"] = totals["topics"]
    sources = {subset: "feedback" for subset in subsets}
    distributions = _distributions(counts, totals, sources, "texts", ids={"topics": ids})
    sentiment = _distributions(counts, totals, {"sentiment": "feedback"}, "texts")["sentiment"]
    return distributions, sentiment, quotes


@contextmanager
def _temporary(wh: Warehouse, expression: ir.Table) -> Iterator[ir.Table]:
    """``expression`` computed once into a temporary table, dropped afterwards."""
    name = f"_derived_persona_{uuid.uuid4().hex[:8]}"
    wh.backend.create_table(name, expression, temp=True)
    try:
        yield wh.backend.table(name)
    finally:
        wh.backend.drop_table(name, force=True)


def _texts_of_topics(
    hits: Sequence[ir.Table], members: ir.Table
) -> tuple[dict[tuple[int, str], tuple[str, ...]], dict[int, tuple[Quote, ...]]]:
    """Ids of texts about each topic (evidence) and the shortest usable ones (quotes)."""
    if not hits:
        return {}, {}
    every = ibis.union(*hits)
    union = every.inner_join(members, every.person == members.m_customer)
    length = union.text.length()
    # Quotes are short but not curt: texts of 30 to 220 characters first, shortest first.
    fit = ((length >= 30) & (length <= 220)).ifelse(0, 1)
    ranked = union.mutate(
        rank=ibis.row_number().over(
            group_by=[union.segment_id, union.topic],
            order_by=[fit, length, union.feedback_id],
        )
    )
    top = ranked.filter(ranked.rank < max(QUOTES_PER_TOPIC, IDS_PER_TOPIC))
    ids: dict[tuple[int, str], list[str]] = defaultdict(list)
    quotes: dict[int, list[Quote]] = defaultdict(list)
    for row in top.order_by(["segment_id", "topic", "rank"]).to_pyarrow().to_pylist():
        sid, topic = int(row["segment_id"]), str(row["topic"])
        ids[(sid, topic)].append(str(row["feedback_id"]))
        quote = short_quote(str(row["text"]), must_contain=topic)
        if quote:
            quotes[sid].append(Quote(str(row["feedback_id"]), quote, topic, int(row["sentiment"])))
    return (
        {k: tuple(v[:IDS_PER_TOPIC]) for k, v in ids.items()},
        {k: tuple(v) for k, v in quotes.items()},
    )


# --- names -----------------------------------------------------------------------------------


def _name_style(stores: Stores) -> str:
    """``"vi"`` when most customers' names start with a Vietnamese family name."""
    wh = stores.warehouse
    people = wh.table(PEOPLE_TABLE)
    if "full_name" not in people.columns:
        return "vi"
    first = fold_column(people.full_name.cast("string")).strip().split(" ")[0]
    named = people.full_name.notnull()
    row = (
        people.aggregate(
            named=named.sum(),
            vietnamese=(named & first.isin(list(VIETNAMESE_FAMILY_NAMES))).sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    total, vietnamese = int(row["named"] or 0), int(row["vietnamese"] or 0)
    return "en" if total and vietnamese / total < 0.5 else "vi"
