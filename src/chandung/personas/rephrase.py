"""The guard on rephrasing: a rewritten sentence may change words, never facts.

An optional language model (off by default) may rephrase a persona's summary. What it returns
is kept only when it states the same facts: the same numbers (as digit groups), no name or
other capitalised word that the original and the labels of the persona do not already hold,
and no more than twice the length. Anything else is refused and the template's sentence
stays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ..segments._rule_lexer import fold_text

_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def numbers_of(text: str) -> Counter[str]:
    """The digit groups of ``text`` (``"1.200.000đ, 45%"`` → 1, 200, 000, 45).

    >>> sorted(numbers_of("92% of 1.435 customers"))
    ['1', '435', '92']
    """
    return Counter(_NUMBER.findall(text))


def _capitalised(text: str) -> set[str]:
    words = _WORD.findall(text)
    # The first word of a sentence is capitalised anyway: only later ones name things.
    sentence_starts = {m.group(1) for m in re.finditer(r"(?:^|[.!?;:]\s+)([^\W\d_]+)", text)}
    return {fold_text(w) for w in words if w[:1].isupper() and w not in sentence_starts}


def facts_preserved(original: str, candidate: str, allowed_words: Iterable[str] = ()) -> bool:
    """Whether ``candidate`` says no more and no other facts than ``original``.

    >>> original = "Women aged 25-34, 92% buy on Shopee."
    >>> facts_preserved(original, "Mostly women of 25-34; 92% shop on Shopee.")
    True
    >>> facts_preserved(original, "Women aged 25-34; 95% buy on Shopee.")
    False
    >>> facts_preserved(original, "Women aged 25-34, 92% buy on Shopee and Lazada.")
    False
    """
    candidate = candidate.strip()
    if not candidate or len(candidate) > 2 * max(len(original), 40):
        return False
    if numbers_of(candidate) != numbers_of(original):
        return False
    known = {fold_text(w) for w in _WORD.findall(original)}
    known |= {fold_text(w) for text in allowed_words for w in _WORD.findall(text)}
    return _capitalised(candidate) <= known
