"""E-mail addresses: trimmed, lower-cased, checked, and common domain typos pointed out.

The check is deliberately plain, for the addresses customers actually have: an ASCII local
part (letters, digits and ``!#$%&'*+/=?^_`{|}~-``, dots only between them), one ``@``, and a
domain of dot-separated labels ending in a TLD of two or more letters. Quoted local parts and
internationalised (non-ASCII) addresses are refused: they are vanishingly rare in customer
files and far more often a sign of a broken value.

A well-formed address at a domain that is a known misspelling (``gmial.com``, ``gmail.con``)
is refused with ``email.typo_domain``, and the address at the intended domain is suggested in
``extra["email_suggestion"]``. Nothing is corrected silently: the customer may really use
that domain, and only a person can confirm the fix.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ._result import Normalized, as_array, blank_to_null

__all__ = [
    "EMAIL_REASONS",
    "TYPO_DOMAINS",
    "normalize_email",
    "normalize_email_one",
]

#: Reason codes this module gives, with what they mean.
EMAIL_REASONS: dict[str, str] = {
    "email.invalid": "not a well-formed e-mail address",
    "email.typo_domain": "the domain looks like a misspelling of a common one",
}

#: Misspelt domain → the domain it was meant to be.
TYPO_DOMAINS: dict[str, str] = {
    **dict.fromkeys(
        (
            "gmial.com", "gmai.com", "gmal.com", "gamil.com", "gnail.com", "gmaill.com",
            "gmail.co", "gmail.cm", "gmail.om", "gmail.comm", "gmail.con", "gmial.con",
            "gmai.con", "gmail.cpm", "gmali.com",
        ),
        "gmail.com",
    ),
    **dict.fromkeys(
        (
            "yahooo.com", "yaho.com", "yhoo.com", "yahho.com", "yahoo.co", "yahoo.cm",
            "yahoo.con", "yahoo.comm", "yahoo.com.vm", "yaoo.com",
        ),
        "yahoo.com",
    ),
    **dict.fromkeys(
        ("hotmial.com", "hotmai.com", "hotmal.com", "hotmil.com", "hotmail.con", "hotmail.co"),
        "hotmail.com",
    ),
    **dict.fromkeys(("outlok.com", "outllok.com", "outlook.con", "outlook.co"), "outlook.com"),
    **dict.fromkeys(("iclould.com", "icoud.com", "icloud.con", "icloud.co"), "icloud.com"),
}  # fmt: skip

_NULL = pa.scalar(None, pa.string())
_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_ADDRESS = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[a-z]{{2,}}$"
_TYPO_KEYS = pa.array(list(TYPO_DOMAINS), pa.string())
_TYPO_FIXES = pa.array(list(TYPO_DOMAINS.values()), pa.string())


def normalize_email(values: pa.Array | pa.ChunkedArray | list[object]) -> Normalized:
    """E-mail addresses trimmed and lower-cased, with a reason for each one refused.

    Parameters
    ----------
    values
        Addresses as written.

    Returns
    -------
    Normalized
        Lower-case addresses; reasons from :data:`EMAIL_REASONS`; and
        ``extra["email_suggestion"]``, the address at the intended domain where the domain is
        a known typo (null elsewhere). Empty input gives null, no reason.

    Examples
    --------
    >>> result = normalize_email([" Lan.Nguyen@Gmail.com ", "lan@@gmail.com", "lan@gmial.con"])
    >>> result.values.to_pylist()
    ['lan.nguyen@gmail.com', None, None]
    >>> result.reasons.to_pylist()
    [None, 'email.invalid', 'email.typo_domain']
    >>> result.extra["email_suggestion"].to_pylist()
    [None, None, 'lan@gmail.com']
    """
    text = pc.utf8_lower(blank_to_null(as_array(values)))
    # The SMTP limits (64 for the local part, 254 in all) keep junk columns from passing.
    well_formed = pc.and_(
        pc.match_substring_regex(text, _ADDRESS),
        pc.and_(
            pc.less_equal(pc.utf8_length(text), 254),
            pc.less_equal(pc.find_substring(text, "@"), 64),
        ),
    )
    local = pc.replace_substring_regex(text, r"@[^@]*$", "")
    domain = pc.replace_substring_regex(text, r"^.*@", "")
    fix = pc.take(_TYPO_FIXES, pc.index_in(domain, _TYPO_KEYS))
    typo = pc.and_(well_formed, pc.is_valid(fix))
    reasons = pc.if_else(
        pc.invert(well_formed),
        pa.scalar("email.invalid", pa.string()),
        pc.if_else(typo, pa.scalar("email.typo_domain", pa.string()), _NULL),
    )
    suggestion = pc.if_else(typo, pc.binary_join_element_wise(local, fix, "@"), _NULL)
    return Normalized(
        values=pc.if_else(pc.is_null(reasons), text, _NULL),
        reasons=reasons,
        extra={"email_suggestion": suggestion},
    )


def normalize_email_one(raw: str | None) -> str | None:
    """One address trimmed and lower-cased, or None if empty or refused.

    Examples
    --------
    >>> normalize_email_one("  Minh.Tran@Outlook.com")
    'minh.tran@outlook.com'
    >>> normalize_email_one("minh.tran@outlook") is None
    True
    """
    value: str | None = normalize_email([raw]).values[0].as_py()
    return value
