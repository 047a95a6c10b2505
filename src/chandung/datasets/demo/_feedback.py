"""Voice of the customer: reviews, chats, support e-mails, social posts and interview notes.

Ratings follow each group's satisfaction (and drop for returned or cancelled orders); the text
fits the rating; complaints are about the group's own pain points. Some texts are typed
without diacritics, as people do on their phones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema import vocab

from . import _arrow as A
from . import _phrases as P
from ._arrow import DAY_US, BoolArray, IntArray
from ._calendar import at_usual_hour
from ._context import Chunk
from ._customers import Written
from ._groups import PlantedGroup
from ._random import categorical, weight_matrix
from ._text import strip_diacritics
from ._traits import PAIN_POINTS, PRAISES

KINDS = vocab.FEEDBACK_KINDS
_KIND_WEIGHTS = (0.6, 0.17, 0.1, 0.1, 0.03)
CH = vocab.SALES_CHANNELS
_REVIEW_CHANNEL = tuple(
    {"store_mt": "google_maps", "store_gt": "google_maps", "sales_rep": "email"}.get(c, c)
    for c in CH
)
_LANGS = ("vi", "en")
NEG, NEU, POS = range(3)
_SENTIMENTS = ("neg", "neu", "pos")


class Phrasebook:
    """Sentences by key, each also without diacritics and starting in lower case."""

    def __init__(self, sentences: Mapping[str, Sequence[str]]) -> None:
        self.keys = tuple(sentences)
        flat = [s for k in self.keys for s in sentences[k]]
        counts = np.array([len(sentences[k]) for k in self.keys], dtype=np.int64)
        self.count = counts
        self.start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.variants = {
            (lower, plain): pa.array(
                [
                    strip_diacritics(s) if plain else s
                    for s in (P.lower_first(x) if lower else x for x in flat)
                ],
                pa.string(),
            )
            for lower in (False, True)
            for plain in (False, True)
        }

    def pick(
        self, rng: np.random.Generator, key: IntArray, informal: BoolArray, lower: bool = False
    ) -> pa.Array:
        """One sentence per row from the row's key."""
        index = self.start[key] + (rng.random(len(key)) * self.count[key]).astype(np.int64)
        at = pa.array(index)
        return A.where(
            informal,
            self.variants[(lower, True)].take(at),
            self.variants[(lower, False)].take(at),
        )


def _by_language(
    vi: Mapping[str, Sequence[str]], en: Mapping[str, Sequence[str]], keys: Sequence[str]
) -> Phrasebook:
    return Phrasebook(
        {f"{lang}:{k}": (vi if lang == "vi" else en)[k] for lang in _LANGS for k in keys}
    )


def _by_sentiment(book: Mapping[str, Sequence[str]]) -> Phrasebook:
    return Phrasebook({f"{lang}_{s}": book[f"{lang}_{s}"] for lang in _LANGS for s in _SENTIMENTS})


@dataclass(frozen=True)
class _Books:
    pains: Phrasebook
    praises: Phrasebook
    openers: Phrasebook
    closers: Phrasebook
    social: Phrasebook
    but: Phrasebook
    chat_open: Phrasebook
    chat_question: Phrasebook
    chat_close: Phrasebook


def _books() -> _Books:
    social = {f"{lang}_neu": P.SOCIAL_OPEN[f"{lang}_pos"] for lang in _LANGS}
    return _Books(
        pains=_by_language(P.PAIN_VI, P.PAIN_EN, PAIN_POINTS),
        praises=_by_language(P.PRAISE_VI, P.PRAISE_EN, PRAISES),
        openers=_by_sentiment(P.OPENERS),
        closers=_by_sentiment(P.CLOSERS),
        social=_by_sentiment({**P.SOCIAL_OPEN, **social}),
        but=Phrasebook(P.BUT),
        chat_open=Phrasebook(P.CHAT_OPEN),
        chat_question=Phrasebook(P.CHAT_QUESTION),
        chat_close=Phrasebook(P.CHAT_CLOSE),
    )


_BOOKS = _books()


def _texts(
    rng: np.random.Generator,
    kind: IntArray,
    sentiment: IntArray,
    pain: IntArray,
    praise: IntArray,
    english: BoolArray,
    informal: BoolArray,
    order_id: pa.Array,
    name: pa.Array,
    phone: pa.Array,
) -> pa.Array:
    b = _BOOKS
    n = len(kind)
    lang = english.astype(np.int64)
    tone = lang * 3 + sentiment
    pain_text = b.pains.pick(rng, lang * len(PAIN_POINTS) + pain, informal)
    second = b.pains.pick(
        rng, lang * len(PAIN_POINTS) + rng.integers(0, len(PAIN_POINTS), n), informal
    )
    pain_lower = b.pains.pick(rng, lang * len(PAIN_POINTS) + pain, informal, lower=True)
    praise_text = b.praises.pick(rng, lang * len(PRAISES) + praise, informal)
    mixed = A.join(praise_text, " ", b.but.pick(rng, lang, informal), " ", pain_lower)
    more = (sentiment == NEG) & (rng.random(n) < 0.25) & (kind == 0)
    negative = A.where(more, A.join(pain_text, " ", second), pain_text)
    body = A.where(sentiment == POS, praise_text, A.where(sentiment == NEU, mixed, negative))
    review = A.join(
        b.openers.pick(rng, tone, informal), " ", body, " ", b.closers.pick(rng, tone, informal)
    )
    question = b.chat_question.pick(rng, lang, informal)
    ask = A.where(sentiment == NEG, pain_lower, question)
    note = A.where(
        rng.random(n) < 0.1,
        A.join(" ", A.take([P.PHONE_NOTE[x] for x in _LANGS], lang), " ", phone),
        "",
    )
    chat = A.join(
        b.chat_open.pick(rng, lang, informal),
        " ",
        ask,
        note,
        " ",
        b.chat_close.pick(rng, lang, informal),
    )
    order_part = A.where(
        pc.is_null(order_id),
        "",
        A.join(
            A.take([P.EMAIL_ORDER[x] for x in _LANGS], lang), " ", pc.fill_null(order_id, ""), ": "
        ),
    )
    email = A.join(
        A.take([P.EMAIL_OPEN[x] for x in _LANGS], lang),
        "\n",
        order_part,
        body,
        "\n",
        A.take([P.EMAIL_CLOSE[x] for x in _LANGS], lang),
        "\n",
        name,
    )
    tags = A.take(P.HASHTAGS, rng.integers(0, len(P.HASHTAGS), n))
    social = A.join(b.social.pick(rng, tone, informal), " ", body, " ", tags)
    interview = A.join(
        A.take([P.INTERVIEW_OPEN[x] for x in _LANGS], lang),
        " ",
        A.where(english, body, A.where(sentiment == POS, praise_text, pain_lower)),
    )
    text = pc.choose(pa.array(kind.astype(np.int8)), review, chat, email, social, interview)
    return pc.utf8_trim_whitespace(text)


def _subjects(chunk: Chunk) -> tuple[IntArray, IntArray, IntArray]:
    """Who writes, what kind of text, and about which of their orders (-1: none)."""
    rng, people, orders = chunk.rng, chunk.people, chunk.orders
    per_customer = np.bincount(orders.customer, minlength=people.size)
    rate = np.array([x.feedback_rate for x in chunk.groups])[people.group]
    # People who never bought still ask questions and post, but less.
    rate = rate * np.where(per_customer > 0, 1.0, 0.3)
    writer = np.repeat(np.arange(people.size), rng.poisson(rate))
    n = len(writer)
    kind = rng.choice(len(KINDS), size=n, p=np.array(_KIND_WEIGHTS) / sum(_KIND_WEIGHTS))
    first = np.concatenate([[0], np.cumsum(per_customer)[:-1]])
    has_order = per_customer[writer] > 0
    pick = (rng.random(n) * per_customer[writer]).astype(np.int64)
    order = np.where(has_order & (kind != 4), first[writer] + pick, -1)
    kind = np.where((kind == 0) & ~has_order, 1, kind)  # no order to review: a chat instead
    return writer, kind.astype(np.int64), order.astype(np.int64)


def _ratings(
    rng: np.random.Generator,
    groups: tuple[PlantedGroup, ...],
    group: IntArray,
    kind: IntArray,
    status: IntArray,
) -> tuple[IntArray, IntArray]:
    """Star rating (1-5) and sentiment of each text: the group's satisfaction, less for
    cancelled and returned orders, and less again in e-mails to support."""
    nps = np.array([x.nps_mean for x in groups])[group]
    score = 1 + 4 * nps / 10 - 1.5 * (status == 2) - 2.0 * (status == 1) - 1.5 * (kind == 2)
    rating = np.clip(np.rint(score + rng.standard_normal(len(kind))), 1, 5).astype(np.int64)
    sentiment = np.select([rating <= 2, rating == 3], [NEG, NEU], POS).astype(np.int64)
    return rating, sentiment


def _when_and_where(
    chunk: Chunk, writer: IntArray, kind: IntArray, order: IntArray
) -> tuple[IntArray, pa.Array]:
    """When each text was written, and on which channel."""
    rng, orders = chunk.rng, chunk.orders
    n = len(writer)
    safe = np.maximum(order, 0)
    base = np.where(order >= 0, orders.time[safe], chunk.seen[writer])
    days_after = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [rng.uniform(1, 12, n), rng.uniform(0, 3, n), rng.uniform(2, 20, n), rng.uniform(3, 30, n)],
        rng.uniform(0, 365, n),
    )
    created = at_usual_hour(rng, base + (days_after * DAY_US).astype(np.int64))
    created = np.minimum(np.maximum(created, base), chunk.calendar.end_us - 1)
    contact = np.array(vocab.CONTACT_CHANNELS)[chunk.people.contact[writer]]
    review = np.array(_REVIEW_CHANNEL)[orders.channel[safe]] if orders.size else contact
    chat = np.where(np.isin(contact, ("zalo", "facebook")), contact, "website")
    social = np.where(np.isin(contact, ("tiktok", "instagram")), contact, "facebook")
    channel = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [review, chat, "email", social],
        "interview",
    )
    return created, pa.array(channel.astype(object), pa.string())


def draw_feedback(chunk: Chunk, written: Written, first_number: int) -> pa.Table:
    """Texts customers wrote about the shop, its products and orders."""
    rng, groups, people, orders, items = (
        chunk.rng, chunk.groups, chunk.people, chunk.orders, chunk.items
    )  # fmt: skip
    writer, kind, order = _subjects(chunk)
    n = len(writer)
    g = people.group[writer]
    with_order = order >= 0
    safe = np.maximum(order, 0)
    status = np.where(with_order, orders.status[safe], 0) if orders.size else np.zeros(n, np.int64)
    rating, sentiment = _ratings(rng, groups, g, kind, status)
    pain = categorical(rng, weight_matrix([x.pain_points for x in groups], PAIN_POINTS), g)
    praise = categorical(rng, weight_matrix([x.praises for x in groups], PRAISES), g)
    english = people.english[writer] | (rng.random(n) < 0.02)
    # The young type without diacritics more often; support e-mails and interview notes are
    # written with care.
    casual = np.array([x.age_mean < 30 for x in groups])[g]
    informal = ~english & (kind != 2) & (kind != 4) & (rng.random(n) < np.where(casual, 0.3, 0.1))
    order_ref = chunk.order_ids.take(pa.array(safe, mask=~with_order))
    at = pa.array(writer)
    text = _texts(rng, kind, sentiment, pain, praise, english, informal, order_ref,
                  written.full_name.take(at), written.phone.take(at))  # fmt: skip
    created, channel = _when_and_where(chunk, writer, kind, order)
    about_product = with_order & (kind == 0)
    first_line = np.searchsorted(items.order, safe)
    product = (
        items.product[np.minimum(first_line, len(items.product) - 1)]
        if len(items.product)
        else safe
    )
    columns = {
        "feedback_id": A.ids("F", first_number, n, 8),
        "customer_id": chunk.customer_ids.take(at),
        "kind": A.take(KINDS, kind),
        "channel": channel,
        "created_at": A.timestamps(created),
        "language": A.take(_LANGS, english.astype(np.int64)),
        "rating": A.ints(rating, kind != 0),
        "text": text,
        "product_id": chunk.catalogue.product_ids.take(pa.array(product, mask=~about_product)),
        "order_id": order_ref,
    }
    return A.canonical_table("feedback", columns, n, chunk.import_batch)
