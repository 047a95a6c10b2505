"""Short quotes from customer texts, with personal data masked.

A persona shows what its customers say in their own words; a quote must never show who said
it. :func:`mask_personal_data` replaces phone numbers, e-mail addresses, long ID-like numbers
(accounts, cards, ID cards), street addresses given after an "địa chỉ:"/"address:" marker,
names after a self-introduction ("mình tên là Lan", "my name is John") and the name under an
e-mail sign-off ("Trân trọng,⏎Nguyễn Văn An").

The placeholder is ``[…]``, the mark editors use in both Vietnamese and English for words left
out of a quotation: it needs no translation, reads naturally inside a quote, cannot be taken
for data, and holds no digit or ``@``, so masking an already masked text changes nothing.

Masking is conservative about ordinary numbers: prices ("1.200.000đ", "350k"), quantities,
dates and durations ("45 ngày") stay, since they are what the customer is talking about.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import InputError
from ..segments._rule_lexer import fold_text
from .topics import TOPICS, folded_has_topic

#: What masked personal data is replaced with.
PLACEHOLDER = "[…]"
#: A quote shorter than this cannot say anything.
MIN_QUOTE_CHARS = 10
_ELLIPSIS = "…"
_MAX_PASSES = 8

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Anything that may be a phone or ID number: digits with spaces, dots, dashes or brackets.
_NUMBER = re.compile(r"(?<!\d)[+(]*\d(?:[ .\-()]{0,2}\d)*\)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
#: A unit right after a number makes it an amount, not an identifier.
_AMOUNT_AFTER = re.compile(
    r"\s?(?:đ|₫|vnd|vnđ|dong|đồng|d|k|tr|triệu|trieu|nghìn|nghin|ngàn|ngan|usd|%|m|b)(?!\w)"
    r"|\s?\$",
    re.IGNORECASE,
)
_SURNAMES = frozenset(
    (
        "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui",
        "do", "ho", "ngo", "duong", "ly", "truong", "dinh", "lam", "mai", "trinh", "ha", "cao",
        "luu", "ta", "quach", "thai", "la", "kieu", "tang", "van", "chu", "lai", "doan",
    )
)  # fmt: skip
#: Introductions after which a name follows for sure (a lower-case word is masked too).
_INTRO_SURE = re.compile(
    r"(?<!\w)(?:ten (?:cua )?(?:minh|toi|em|to|tui|anh|chi|con|chau) (?:la )?"
    r"|(?:minh|toi|em|to|tui|anh|chi) ten (?:la )?|ho (?:va )?ten ?: ?|(?:full )?name ?: ?"
    r"|my name is |my name's |my name’s )"
)
#: Introductions after which only a capitalised word is taken for a name.
_INTRO_MAYBE = re.compile(r"(?<!\w)(?:i am |i'm |i’m |this is |call me )")
_SIGN_OFF = re.compile(
    r"(?<!\w)(?:tran trong|than ai|kinh thu|kind regards|best regards|warm regards|regards"
    r"|sincerely|best wishes|many thanks|thanks|cheers)[ \t]*[,.!]?[ \t]*\n[ \t]*"
)
_ADDRESS = re.compile(
    r"(?<!\w)(?:dia chi|d/c|dc|address|addr)(?: (?:nhan hang|giao hang|cua minh|cua em"
    r"|cua toi|moi|nha|is))?[ \t]*:[ \t]*"
)
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SPACES = re.compile(r"\s+")
_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")
_USABLE = re.compile(r"[^\W_]")


def _folded_same_length(text: str) -> str:
    """``fold_text`` character by character, so positions match ``text``."""
    return "".join((fold_text(c)[:1] or " ") for c in text)


# --- Numbers and e-mails -------------------------------------------------------------------------


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    count = len(digits)
    if "+" in candidate or digits.startswith("00"):
        return 8 <= count <= 15
    if digits.startswith("0"):
        return 9 <= count <= 11  # a Vietnamese mobile or landline number, however grouped
    if _THOUSANDS.fullmatch(candidate):
        return False  # 841.200.000: an amount
    return digits.startswith("84") and count in (11, 12)  # 84 912 345 678


def _is_identifier(candidate: str, after: str) -> bool:
    """An account, card or ID number: 9 digits or more, in one run or in groups of 3 or more."""
    groups = re.findall(r"\d+", candidate)
    if sum(len(g) for g in groups) < 9 or _AMOUNT_AFTER.match(after):
        return False
    if _THOUSANDS.fullmatch(candidate):
        return False
    return all(len(g) >= 3 for g in groups[1:])


def _mask_candidate(candidate: str, after: str) -> str:
    if _is_phone(candidate):
        return PLACEHOLDER
    # Another number written just before a phone number: "1.200.000 0912 345 678".
    pieces = re.split(r"( +)", candidate)
    for k in range(2, len(pieces), 2):
        if _is_phone("".join(pieces[k:])):
            return _mask_candidate("".join(pieces[: k - 1]), " ") + pieces[k - 1] + PLACEHOLDER
    return PLACEHOLDER if _is_identifier(candidate, after) else candidate


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _unwrap(candidate: str) -> tuple[str, str, str]:
    """Brackets around a number, the number, and brackets after it: "(0912 345 678)"."""
    head = tail = ""
    while True:
        if candidate.startswith("(") and candidate.endswith(")") and _balanced(candidate[1:-1]):
            head, candidate, tail = head + "(", candidate[1:-1], ")" + tail
        elif candidate.startswith("(") and candidate.count("(") > candidate.count(")"):
            head, candidate = head + "(", candidate[1:]
        elif candidate.endswith(")") and candidate.count(")") > candidate.count("("):
            candidate, tail = candidate[:-1], ")" + tail
        else:
            return head, candidate, tail


def _mask_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        candidate = match.group(0)
        # Brackets around the number, not part of it, stay: "(0912 345 678)".
        head, candidate, tail = _unwrap(candidate)
        after = text[match.end() - len(tail) : match.end() - len(tail) + 6]
        return head + _mask_candidate(candidate, after) + tail

    return _NUMBER.sub(replace, text)


# --- Names and addresses -------------------------------------------------------------------------


def _name_end(text: str, start: int, sure: bool) -> int:
    """Where the name starting at ``start`` ends (``start`` itself when there is none).

    A name is up to four capitalised words. After an introduction that surely precedes a
    name, a lower-case name is taken too: one word, or up to three when it starts with a
    common family name ("nguyen thi lan").
    """
    first = _WORD.match(text, start)
    if first is None:
        return start
    capital = first.group(0)[0].isupper()
    if not capital and not sure:
        return start
    most = 4 if capital else 3 if fold_text(first.group(0)) in _SURNAMES else 1
    end, words = start, 0
    match: re.Match[str] | None = first
    while match is not None and words < most and match.group(0)[0].isupper() == capital:
        end, words = match.end(), words + 1
        if text[end : end + 1] != " ":
            break
        match = _WORD.match(text, end + 1)
    return end


def _mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last or end <= start:
            continue
        out += [text[last:start], PLACEHOLDER]
        last = end
    out.append(text[last:])
    return "".join(out)


def _mask_names(text: str) -> str:
    folded = _folded_same_length(text)
    spans: list[tuple[int, int]] = []
    for pattern, sure in ((_INTRO_SURE, True), (_INTRO_MAYBE, False)):
        for match in pattern.finditer(folded):
            end = _name_end(text, match.end(), sure)
            if end > match.end():
                spans.append((match.end(), end))
    for match in _SIGN_OFF.finditer(folded):
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end < 0 else line_end
        line = text[match.end() : line_end].rstrip()
        words = line.split()
        if 1 <= len(words) <= 5 and all(_WORD.fullmatch(w) and w[0].isupper() for w in words):
            spans.append((match.end(), match.end() + len(line)))
    for match in _ADDRESS.finditer(folded):
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end < 0 else line_end
        if text[match.end() : line_end].strip():
            spans.append((match.end(), len(text[:line_end].rstrip())))
    return _mask_spans(text, spans)


def mask_personal_data(text: str) -> str:
    """``text`` with phone numbers, e-mails, ID numbers, addresses and names replaced by ``[…]``.

    Examples
    --------
    >>> mask_personal_data("Sđt của mình: 0912.345.678, mail lan.nguyen@gmail.com")
    'Sđt của mình: […], mail […]'
    >>> mask_personal_data("Mình tên là Lan, mua 2 hộp giá 1.200.000đ, đợi 45 ngày")
    'Mình tên là […], mua 2 hộp giá 1.200.000đ, đợi 45 ngày'
    >>> mask_personal_data("Call me on +84 912 345 678")
    'Call me on […]'
    """
    text = unicodedata.normalize("NFC", text)
    # Masking one number can expose the next ("…+84 …" once the digits before it are gone),
    # so the passes repeat until nothing changes: masking a masked text changes nothing.
    for _ in range(_MAX_PASSES):
        masked = _mask_names(_mask_numbers(_EMAIL.sub(PLACEHOLDER, text)))
        if masked == text:
            break
        text = masked
    return text


# --- Quotes --------------------------------------------------------------------------------------


def _mentions(sentence: str, wanted: str) -> bool:
    folded = fold_text(sentence)
    if wanted in TOPICS:
        return folded_has_topic(folded, wanted)
    return fold_text(wanted) in folded


def _cut(sentence: str, limit: int) -> str:
    """The start of ``sentence`` in at most ``limit`` characters, ending on a whole word."""
    if len(sentence) <= limit:
        return sentence
    piece = sentence[:limit]
    space = piece.rfind(" ")
    if space > limit // 2:
        piece = piece[:space]
    piece = re.sub(r"\[…?$", "", piece)
    return piece.rstrip(" ,;:-–—([")


def short_quote(text: str, *, max_chars: int = 160, must_contain: str | None = None) -> str | None:
    """A short masked excerpt of ``text`` in whole sentences, or None when nothing is usable.

    The quote starts at the first sentence about ``must_contain`` (a topic key, or else a
    word or phrase) when there is one, else at the beginning, and takes the sentences that
    follow while they fit in ``max_chars``. Left-out text is marked with "…"; a single
    sentence too long to fit is cut at a word and ends with "…".

    Examples
    --------
    >>> short_quote("Hàng đẹp. Nhưng giao hàng chậm quá! Gọi 0912345678 không ai nghe.",
    ...             must_contain="slow_delivery", max_chars=60)
    '… Nhưng giao hàng chậm quá! Gọi […] không ai nghe.'
    >>> short_quote("  ?!  ") is None
    True
    """
    if max_chars < MIN_QUOTE_CHARS:
        raise InputError("voc.quote_too_short", value=max_chars, minimum=MIN_QUOTE_CHARS)
    masked = mask_personal_data(text)
    sentences = [s for s in (_SPACES.sub(" ", p).strip() for p in _SENTENCES.split(masked)) if s]
    sentences = [s for s in sentences if _USABLE.search(s.replace(PLACEHOLDER, ""))]
    if not sentences:
        return None
    start = 0
    if must_contain:
        start = next((i for i, s in enumerate(sentences) if _mentions(s, must_contain)), 0)
    lead = f"{_ELLIPSIS} " if start else ""
    end = start
    for stop in range(start + 1, len(sentences) + 1):
        body = " ".join(sentences[start:stop])
        tail = f" {_ELLIPSIS}" if stop < len(sentences) else ""
        if len(lead) + len(body) + len(tail) > max_chars:
            break
        end = stop
    if end > start:
        tail = f" {_ELLIPSIS}" if end < len(sentences) else ""
        return lead + " ".join(sentences[start:end]) + tail
    if len(lead) + MIN_QUOTE_CHARS > max_chars:
        lead = ""
    return lead + _cut(sentences[start], max_chars - len(lead) - 1) + _ELLIPSIS
