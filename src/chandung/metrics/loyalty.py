"""Loyalty: repurchase and upsell rates, the Customer Loyalty Index, and interactions.

Per-customer figures are Ibis expressions evaluated in the warehouse; the summaries bring only
their aggregates into Python. Only completed orders count as purchases.

Repurchase rate
    Buyers with two or more completed orders over all buyers.
Upsell rate
    Among repeat buyers, the share who *upsold*: the mean value of their later orders is above
    the value of their first order, or they bought more distinct categories over their later
    orders than in their first order. The first order is the earliest (ties: smallest
    ``order_id``); values are ``total_vnd``; categories are those of the order lines.
Customer Loyalty Index (CLI)
    The mean of three 0–10 answers: would recommend, intends to buy again, intends to buy more
    (other categories). Each respondent's latest valid answer to each question is used, and
    only respondents who answered all three have an index.
Interactions
    Orders (any status), web/app sessions, feedback texts, survey submissions and campaign
    contacts that name the customer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from ..errors import InputError
from .basket import line_categories
from .overview import completed_orders

#: Survey questions of the Customer Loyalty Index, as the demo survey asks them: would
#: recommend, intends to buy again, intends to buy more.
RECOMMEND_QUESTION = "recommend"
REPURCHASE_QUESTION = "repurchase_intent"
BUY_MORE_QUESTION = "buy_more_intent"
#: Range of a valid loyalty answer; answers outside it are ignored.
SCORE_MIN, SCORE_MAX = 0.0, 10.0
#: Sources counted as interactions, in the column order of :func:`interactions`.
INTERACTION_SOURCES = ("orders", "sessions", "feedback", "survey_responses", "campaign_contacts")


@dataclass(frozen=True)
class RepeatBuying:
    """Repurchase and upsell among the buyers."""

    buyers: int
    repeat_buyers: int
    repurchase_rate: float
    #: Repeat buyers who upsold by value or by breadth.
    upsold: int
    upsell_rate: float
    #: Repeat buyers whose later orders are worth more on average than their first.
    upsold_by_value: int
    #: Repeat buyers who bought more distinct categories later than in their first order.
    upsold_by_breadth: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ranked_sales(orders: ir.Table) -> ir.Table:
    sales = completed_orders(orders)
    return sales.mutate(
        order_rank=ibis.row_number().over(
            group_by=sales.customer_id, order_by=[sales.ordered_at, sales.order_id]
        )
    )


def upsell(orders: ir.Table, order_items: ir.Table, products: ir.Table | None = None) -> ir.Table:
    """One row per repeat buyer: first against later orders, by value and by breadth.

    Columns: ``customer_id``, ``orders``, ``first_order_vnd``, ``later_mean_order_vnd``,
    ``first_categories``, ``later_categories``, ``upsold_by_value``, ``upsold_by_breadth``
    and ``upsold``. ``products`` fills the category of lines that have none.
    """
    ranked = _ranked_sales(orders)
    first = ranked.order_rank == 0
    values = ranked.group_by("customer_id").aggregate(
        orders=ranked.count(),
        first_order_vnd=ranked.total_vnd.max(where=first),
        later_mean_order_vnd=ranked.total_vnd.cast("float64").mean(where=~first),
    )
    values = values.filter(values.orders >= 2)

    lines = line_categories(order_items, products)
    placed = lines.select("order_id", "category").join(
        ranked.select("order_id", "customer_id", is_first=first), "order_id"
    )
    breadth = placed.group_by("customer_id").aggregate(
        first_categories=placed.category.nunique(where=placed.is_first),
        later_categories=placed.category.nunique(where=~placed.is_first),
    )
    out = values.left_join(breadth, "customer_id")
    out = out.select(
        customer_id=out.customer_id,
        orders=out.orders,
        first_order_vnd=out.first_order_vnd,
        later_mean_order_vnd=out.later_mean_order_vnd,
        first_categories=out.first_categories.fill_null(0),
        later_categories=out.later_categories.fill_null(0),
    )
    out = out.mutate(
        upsold_by_value=(out.later_mean_order_vnd > out.first_order_vnd.cast("float64")).fill_null(
            False
        ),
        upsold_by_breadth=out.later_categories > out.first_categories,
    )
    return out.mutate(upsold=out.upsold_by_value | out.upsold_by_breadth)


def repeat_buying(
    orders: ir.Table, order_items: ir.Table, products: ir.Table | None = None
) -> RepeatBuying:
    """Repurchase rate (repeat buyers / buyers) and upsell rate (upsold / repeat buyers)."""
    sales = completed_orders(orders)
    per_customer = sales.group_by("customer_id").aggregate(n=sales.count())
    counts = (
        per_customer.aggregate(
            buyers=per_customer.count(), repeat=(per_customer.n >= 2).cast("int64").sum()
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    per_repeat = upsell(orders, order_items, products)
    grew = (
        per_repeat.aggregate(
            upsold=per_repeat.upsold.cast("int64").sum(),
            by_value=per_repeat.upsold_by_value.cast("int64").sum(),
            by_breadth=per_repeat.upsold_by_breadth.cast("int64").sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    buyers, repeat = int(counts["buyers"] or 0), int(counts["repeat"] or 0)
    upsold = int(grew["upsold"] or 0)
    return RepeatBuying(
        buyers=buyers,
        repeat_buyers=repeat,
        repurchase_rate=repeat / buyers if buyers else 0.0,
        upsold=upsold,
        upsell_rate=upsold / repeat if repeat else 0.0,
        upsold_by_value=int(grew["by_value"] or 0),
        upsold_by_breadth=int(grew["by_breadth"] or 0),
    )


def _loyalty_answers(survey_responses: ir.Table, questions: dict[str, str]) -> ir.Table:
    """Latest valid answer of each respondent to each loyalty question, one row per pair."""
    r = survey_responses
    valid = r.filter(
        r.question_id.isin(list(questions.values())),
        r.answer_number.notnull(),
        r.answer_number.between(SCORE_MIN, SCORE_MAX),
    )
    # An anonymous submission is its own respondent; a known customer is one respondent
    # across every submission, so that answering twice does not count twice.
    keyed = valid.mutate(
        anonymous_response=ibis.ifelse(
            valid.customer_id.isnull(), valid.response_id, ibis.null("string")
        )
    )
    ranked = keyed.mutate(
        latest=ibis.row_number().over(
            group_by=[keyed.customer_id, keyed.anonymous_response, keyed.question_id],
            order_by=[ibis.desc(keyed.answered_at), ibis.desc(keyed.response_id)],
        )
    )
    return ranked.filter(ranked.latest == 0)


def _loyalty_per_respondent(survey_responses: ir.Table, questions: dict[str, str]) -> ir.Table:
    answers = _loyalty_answers(survey_responses, questions)
    scores = {
        role: answers.answer_number.max(where=answers.question_id == question)
        for role, question in questions.items()
    }
    per = answers.group_by("customer_id", "anonymous_response").aggregate(**scores)
    per = per.filter(*[per[role].notnull() for role in questions])
    index = sum((per[role] for role in questions), ibis.literal(0.0)) / float(len(questions))
    return per.mutate(loyalty_index=index)


def _questions(recommend: str, repurchase: str, buy_more: str) -> dict[str, str]:
    questions = {
        "recommend": recommend,
        "repurchase_intent": repurchase,
        "buy_more_intent": buy_more,
    }
    if len(set(questions.values())) < len(questions):
        raise InputError("input.loyalty_questions", questions=", ".join(questions.values()))
    return questions


def loyalty_index(
    survey_responses: ir.Table,
    *,
    recommend_question: str = RECOMMEND_QUESTION,
    repurchase_question: str = REPURCHASE_QUESTION,
    buy_more_question: str = BUY_MORE_QUESTION,
) -> ir.Table:
    """Customer Loyalty Index per customer, as an Ibis expression.

    Columns: ``customer_id``, ``recommend``, ``repurchase_intent``, ``buy_more_intent`` (the
    customer's latest 0–10 answer to each question) and ``loyalty_index`` (their mean).
    Anonymous answers have no row here; :func:`loyalty_summary` counts them.
    """
    questions = _questions(recommend_question, repurchase_question, buy_more_question)
    per = _loyalty_per_respondent(survey_responses, questions)
    known = per.filter(per.customer_id.notnull())
    return known.select("customer_id", *questions, "loyalty_index")


@dataclass(frozen=True)
class LoyaltySummary:
    """The Customer Loyalty Index over every respondent who answered the three questions."""

    respondents: int
    #: Respondents linked to a customer record (the others answered anonymously).
    customers: int
    loyalty_index: float | None
    recommend: float | None
    repurchase_intent: float | None
    buy_more_intent: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def loyalty_summary(
    survey_responses: ir.Table,
    *,
    recommend_question: str = RECOMMEND_QUESTION,
    repurchase_question: str = REPURCHASE_QUESTION,
    buy_more_question: str = BUY_MORE_QUESTION,
) -> LoyaltySummary:
    """Mean Customer Loyalty Index and mean answers, each respondent weighted once.

    The means are ``None`` when nobody answered the three questions.
    """
    questions = _questions(recommend_question, repurchase_question, buy_more_question)
    per = _loyalty_per_respondent(survey_responses, questions)
    row = (
        per.aggregate(
            respondents=per.count(),
            customers=per.customer_id.notnull().cast("int64").sum(),
            loyalty_index=per.loyalty_index.mean(),
            **{role: per[role].mean() for role in questions},
        )
        .to_pyarrow()
        .to_pylist()[0]
    )

    def mean(key: str) -> float | None:
        return None if row[key] is None else float(row[key])

    return LoyaltySummary(
        respondents=int(row["respondents"] or 0),
        customers=int(row["customers"] or 0),
        loyalty_index=mean("loyalty_index"),
        recommend=mean("recommend"),
        repurchase_intent=mean("repurchase_intent"),
        buy_more_intent=mean("buy_more_intent"),
    )


def interactions(
    orders: ir.Table,
    events: ir.Table,
    feedback: ir.Table,
    survey_responses: ir.Table,
    campaign_contacts: ir.Table,
) -> ir.Table:
    """Interactions per customer, one row per customer with at least one.

    Columns: ``customer_id``, one count per source of :data:`INTERACTION_SOURCES` and their sum
    ``interactions``. An order counts whatever its status (a cancelled order was still a
    contact); a session is a distinct ``session_id`` of events that name the customer; a
    survey interaction is a submission (``response_id``), not each answer; a campaign contact
    counts once it was sent, whether or not it was opened.
    """

    def counted(table: ir.Table, source: str, measure: Callable[[ir.Table], ir.Scalar]) -> ir.Table:
        known = table.filter(table.customer_id.notnull())
        grouped = known.group_by("customer_id").aggregate(n=measure(known))
        zero = ibis.literal(0, "int64")
        # The orders table requires a customer and the others do not: cast to one nullable
        # type so that the parts can be stacked.
        return grouped.select(
            customer_id=grouped.customer_id.cast("string"),
            **{s: grouped.n.cast("int64") if s == source else zero for s in INTERACTION_SOURCES},
        )

    parts = [
        counted(orders, "orders", lambda t: t.count()),
        counted(events, "sessions", lambda t: t.session_id.nunique()),
        counted(feedback, "feedback", lambda t: t.count()),
        counted(survey_responses, "survey_responses", lambda t: t.response_id.nunique()),
        counted(campaign_contacts, "campaign_contacts", lambda t: t.count()),
    ]
    stacked = ibis.union(*parts, distinct=False)
    per = stacked.group_by("customer_id").aggregate(
        **{s: stacked[s].sum() for s in INTERACTION_SOURCES}
    )
    return per.mutate(
        interactions=sum((per[s] for s in INTERACTION_SOURCES[1:]), per[INTERACTION_SOURCES[0]])
    )


@dataclass(frozen=True)
class InteractionSummary:
    """Interactions over the customers who had any."""

    customers: int
    interactions: int
    mean_per_customer: float
    median_per_customer: float
    #: Interactions per source, over every customer.
    by_source: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def interaction_summary(
    orders: ir.Table,
    events: ir.Table,
    feedback: ir.Table,
    survey_responses: ir.Table,
    campaign_contacts: ir.Table,
) -> InteractionSummary:
    """Totals and per-customer mean and median of :func:`interactions`."""
    per = interactions(orders, events, feedback, survey_responses, campaign_contacts)
    row = (
        per.aggregate(
            customers=per.count(),
            total=per.interactions.sum(),
            mean=per.interactions.cast("float64").mean(),
            median=per.interactions.cast("float64").median(),
            **{s: per[s].sum() for s in INTERACTION_SOURCES},
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    return InteractionSummary(
        customers=int(row["customers"] or 0),
        interactions=int(row["total"] or 0),
        mean_per_customer=float(row["mean"] or 0.0),
        median_per_customer=float(row["median"] or 0.0),
        by_source={s: int(row[s] or 0) for s in INTERACTION_SOURCES},
    )
