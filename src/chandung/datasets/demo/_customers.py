"""The canonical ``customers`` table of a chunk, with the planted dirt written in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema import vocab

from . import _arrow as A
from ._accounts import DECIDER_TITLES, STAFF_TITLES, Accounts
from ._arrow import DAY_US, MINUTE_US, BoolArray, IntArray
from ._context import Chunk
from ._dirt import (
    BAD_EMAIL,
    BAD_EMAIL_VARIANTS,
    DIRTY_KINDS,
    DUPLICATE,
    IMPOSSIBLE_AGE,
    Dirt,
    break_emails,
    impossible_birth,
    without_diacritics,
)
from ._geo import current_names, draw_streets, former_names, province_raw
from ._names import draw_emails
from ._people import ETHNICITIES, People
from ._phones import Phones, other_form
from ._random import joined_labels
from ._traits import INTERESTS, LIFESTYLES, MINDSETS

CH = vocab.SALES_CHANNELS
#: Prefix of the customer's id in the system that first recorded them.
_REF_PREFIX = {
    "website": "WEB", "app": "APP", "shopee": "SPE", "lazada": "LZD", "tiki": "TIKI",
    "tiktok_shop": "TTS", "zalo": "ZLO", "facebook": "FB", "store_mt": "POS", "store_gt": "NPP",
    "sales_rep": "CRM",
}  # fmt: skip


@dataclass(frozen=True)
class Written:
    """The customers table, the strings other tables reuse, and the dirt ground truth."""

    table: pa.Table
    phone: pa.Array
    email: pa.Array
    full_name: pa.Array
    truth_dirt: pa.Table


def first_seen(
    rng: np.random.Generator,
    has_order: BoolArray,
    first_order_time: IntArray,
    veteran: BoolArray,
    start_us: int,
    end_us: int,
) -> IntArray:
    """When each record was first seen: just before the first order, at sign-up, or, for
    customers from before the history, up to four years before it starts."""
    n = len(has_order)
    signup = rng.integers(start_us, end_us, n)
    before = first_order_time - rng.integers(0, 30 * MINUTE_US, n)
    earlier = start_us - rng.integers(DAY_US, 4 * 365 * DAY_US, n)
    seen = np.where(has_order, np.maximum(before, start_us), signup)
    result: IntArray = np.where(veteran & has_order, earlier, seen)
    return result


def _birth_year(people: People) -> IntArray:
    years = people.birth_days.astype("datetime64[D]").astype("datetime64[Y]")
    result: IntArray = years.astype(np.int64) + 1970
    return result


def _emails(
    rng: np.random.Generator,
    people: People,
    dirt: Dirt,
    accounts: Accounts,
    same: IntArray,
    numbers: IntArray,
) -> tuple[pa.Array, IntArray]:
    """E-mails as written, broken where planted; a copy of a person often keeps theirs."""
    n = people.size
    bad = dirt.rows(BAD_EMAIL)
    local, sep, domain = draw_emails(rng, people.names, people.english, people.email_kind, numbers)
    if accounts.size:
        company = accounts.domains.take(pa.array(np.maximum(accounts.of_row, 0)))
        domain = A.where(accounts.of_row >= 0, company, domain)
    local, sep, domain, suffix, variant = break_emails(rng, bad, local, sep, domain)
    email = A.join(local, sep, domain, suffix).take(pa.array(same))
    missing = ~people.has_email
    missing[bad] = False
    copies = dirt.rows(DUPLICATE)
    changed = copies[same[copies] == copies]
    missing[changed] = rng.random(len(changed)) < 0.4
    return A.where(missing, pa.nulls(n, pa.string()), email), variant


def render_customers(
    chunk: Chunk, dirt: Dirt, accounts: Accounts, account_ids: pa.Array, end: dt.date
) -> Written:
    """Write the customer records of a chunk the way their sources would have."""
    rng, people, ids = chunk.rng, chunk.people, chunk.customer_ids
    n = people.size
    copies = dirt.rows(DUPLICATE)
    source = dirt.duplicate_of[copies]
    form = people.phones.form.copy()
    form[copies] = other_form(rng, people.phones.take(source)).form
    phones = Phones(people.phones.code, people.phones.subscriber, form)
    plain = without_diacritics(dirt.kind, copies, rng)
    full_name = A.where(plain, people.names.render("ascii"), people.names.render("written"))

    # A second record of a person repeats the street and often the e-mail of the first.
    same_street = np.arange(n)
    same_street[copies] = source
    same_email = np.arange(n)
    keep = rng.random(len(copies)) < 0.5
    same_email[copies[keep]] = source[keep]
    numbers = pc.cast(pc.utf8_slice_codeunits(ids, 1), pa.int64()).to_numpy()
    email, variant = _emails(rng, people, dirt, accounts, same_email, numbers)
    old_address = people.old_address.copy()
    old_address[copies] = ~old_address[copies]
    raw = province_raw(rng, people.places, old_address)
    streets = draw_streets(rng, people.places.rural).take(pa.array(same_street))

    birth_days, birth_year = impossible_birth(
        rng, people.birth_days, dirt.rows(IMPOSSIBLE_AGE), end
    )
    miss = people.missing
    gender = np.select(
        [people.unknown_gender == 2, people.unknown_gender == 3, people.female], [3, 2, 0], 1
    )
    b2b = accounts.of_row >= 0
    title = np.where(accounts.decides, accounts.title, accounts.title + len(DECIDER_TITLES))
    refs = A.join(
        A.take([_REF_PREFIX[c] for c in CH], chunk.acquisition),
        "-",
        # Unique within a source, as a shop's customer numbers are: a bijection of the record
        # number (7_927 is a prime coprime with 10).
        A.int_strings(numbers * 7_927 % 100_000_000),
    )
    account = (
        account_ids.take(pa.array(np.maximum(accounts.of_row, 0), mask=~b2b))
        if accounts.size
        else pa.nulls(n, pa.string())
    )
    phone = phones.written()
    columns = {
        "customer_id": ids,
        "source_customer_ref": refs,
        "full_name": full_name,
        "name_key": people.names.render("key"),
        "gender": A.take(vocab.GENDERS, gender, people.unknown_gender == 1),
        "birth_date": pa.array(birth_days.astype(np.int32), pa.date32(), mask=miss["birth_date"]),
        "birth_year": A.ints(birth_year),
        "marital_status": A.take(vocab.MARITAL_STATUSES, people.marital, miss["marital_status"]),
        "children_count": A.ints(people.children, miss["children_count"]),
        "occupation": A.take(vocab.OCCUPATIONS, people.occupation, miss["occupation"]),
        "monthly_income_vnd": A.ints(people.income, miss["monthly_income_vnd"]),
        "education": A.take(vocab.EDUCATION_LEVELS, people.education, miss["education"]),
        "ethnicity": A.take(
            list(ETHNICITIES), people.ethnicity, miss["ethnicity"] | people.english
        ),
        "hometown_province": current_names(
            people.places.hometown, miss["hometown_province"] | people.english
        ),
        "address": A.join(streets, ", ", raw),
        "province_raw": raw,
        "province": current_names(people.places.current),
        "province_former": former_names(people.places.former, ~old_address),
        "phone": phone,
        "phone_e164": phones.e164(),
        "email": email,
        "interests": A.where(
            miss["interests"], pa.nulls(n, pa.string()), joined_labels(people.interests, INTERESTS)
        ),
        "lifestyle": A.take(LIFESTYLES, people.lifestyle, miss["lifestyle"]),
        "mindset": A.take(MINDSETS, people.mindset),
        "preferred_contact_channel": A.take(vocab.CONTACT_CHANNELS, people.contact),
        "primary_device": A.take(vocab.DEVICES, people.device),
        "platform": A.take(vocab.PLATFORMS, people.platform),
        "account_id": account,
        "job_title": A.take(DECIDER_TITLES + STAFF_TITLES, np.maximum(title, 0), ~b2b),
        "is_decision_maker": A.bools(accounts.decides, ~b2b),
        "acquisition_channel": A.take(CH, chunk.acquisition),
        "first_seen_at": A.timestamps(chunk.seen),
    }
    table = A.canonical_table("customers", columns, n, chunk.import_batch)
    truth = _truth(ids, dirt, phone, email, birth_year, variant)
    return Written(table, phone, email, full_name, truth)


def _truth(
    ids: pa.Array,
    dirt: Dirt,
    phone: pa.Array,
    email: pa.Array,
    birth_year: IntArray,
    variant: IntArray,
) -> pa.Table:
    rows = np.flatnonzero(dirt.kind >= 0)
    kind = dirt.kind[rows]
    of = dirt.duplicate_of[rows]
    at = pa.array(rows)
    detail = A.where(
        kind == DUPLICATE,
        A.join("phone written ", phone.take(at)),
        A.where(
            kind == BAD_EMAIL,
            A.join(
                A.take(BAD_EMAIL_VARIANTS, np.maximum(variant[rows], 0)),
                ": ",
                pc.fill_null(email.take(at), ""),
            ),
            A.where(
                kind == IMPOSSIBLE_AGE,
                A.join("birth_year ", A.int_strings(birth_year[rows])),
                "full name typed without diacritics",
            ),
        ),
    )
    return pa.table(
        {
            "customer_id": ids.take(at),
            "kind": A.take(DIRTY_KINDS, kind),
            "duplicate_of_customer_id": ids.take(pa.array(np.maximum(of, 0), mask=of < 0)),
            "detail": detail,
        }
    )
