"""Voice of the customer: topics, sentiment and masked quotes from what customers write.

Topics come from a transparent keyword lexicon over folded text (:mod:`.topics`) that runs
both in Python and in the warehouse; quotes are short excerpts with personal data masked
(:mod:`.quotes`).
"""

from __future__ import annotations

from .quotes import PLACEHOLDER, mask_personal_data, short_quote
from .topics import (
    PAIN_TOPICS,
    PRAISE_TOPICS,
    TOPICS,
    Topic,
    sentiment_expression,
    sentiment_of,
    topic_label,
    topic_matches,
    topic_of_label,
    topics_of,
)

__all__ = [
    "PAIN_TOPICS",
    "PLACEHOLDER",
    "PRAISE_TOPICS",
    "TOPICS",
    "Topic",
    "mask_personal_data",
    "sentiment_expression",
    "sentiment_of",
    "short_quote",
    "topic_label",
    "topic_matches",
    "topic_of_label",
    "topics_of",
]
