"""The consent ledger and the leads of a chunk.

Consent is recorded per purpose when a customer signs up, and some withdraw it later.
Leads come from offline events, the Zalo OA, Facebook lead ads, website forms, referrals and
trade shows; a share of them became customers of the chunk, the rest resemble them but never
bought (the people a persona should tell apart from its target).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema import vocab

from . import _arrow as A
from ._arrow import DAY_US, MINUTE_US, BoolArray, IntArray
from ._calendar import at_usual_hour
from ._context import Chunk
from ._customers import Written
from ._geo import current_names, draw_places
from ._names import draw_emails, draw_names
from ._phones import draw_phones
from ._random import choice

CH = vocab.SALES_CHANNELS
_CONSENT_SHARE = {"analytics": 0.92, "marketing": 0.65, "profiling": 0.55,
                  "third_party_sharing": 0.04}  # fmt: skip
_WITHDRAW_SHARE = {"marketing": 0.08, "profiling": 0.04}
_METHOD = {
    "website": "web_form", "app": "app", "shopee": "marketplace", "lazada": "marketplace",
    "tiki": "marketplace", "tiktok_shop": "marketplace", "zalo": "zalo_oa",
    "facebook": "messenger", "store_mt": "in_store", "store_gt": "in_store",
    "sales_rep": "contract",
}  # fmt: skip
_LEAD_SOURCE = {
    "website": "website_form", "app": "website_form", "shopee": "referral",
    "lazada": "referral", "tiki": "referral", "tiktok_shop": "facebook_lead_ad",
    "zalo": "zalo_oa", "facebook": "facebook_lead_ad", "store_mt": "offline_event",
    "store_gt": "offline_event", "sales_rep": "trade_show",
}  # fmt: skip
_INTEREST = ("Làm đẹp", "Mẹ & Bé", "Thời trang", "Nhà cửa & Đời sống", "Phụ kiện điện tử",
             "Quà tặng doanh nghiệp")  # fmt: skip
#: Product interest (index into _INTEREST) of each planted group.
_GROUP_INTEREST = {"urban_beauty": 0, "young_parents": 1, "affluent_premium": 3,
                   "bargain_provincial": 3, "students_tech": 4, "b2b_buyers": 5}  # fmt: skip
LEAD_SHARE = 0.06  # unconverted leads per customer record
CONVERTED_SHARE = 0.07  # customer records first seen in the history that came in as a lead


@dataclass(frozen=True)
class MarketingConsent:
    """When each record gave marketing consent (-1: never) and withdrew it (max: never)."""

    given: IntArray
    withdrawn: IntArray


def draw_consents(chunk: Chunk, first_number: int) -> tuple[pa.Table, MarketingConsent]:
    """The consent ledger of a chunk's customers."""
    rng, people, seen = chunk.rng, chunk.people, chunk.seen
    end_us = chunk.calendar.end_us
    n = people.size
    rows: list[tuple[IntArray, str, IntArray, bool]] = []
    given_at = seen + rng.integers(0, 10 * MINUTE_US, n)
    marketing = MarketingConsent(
        np.full(n, -1, dtype=np.int64), np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    )
    for purpose, share in _CONSENT_SHARE.items():
        who = np.flatnonzero(rng.random(n) < share)
        rows.append((who, purpose, given_at[who], True))
        withdraw = who[rng.random(len(who)) < _WITHDRAW_SHARE.get(purpose, 0.0)]
        later = given_at[withdraw] + (rng.random(len(withdraw)) * (end_us - given_at[withdraw]))
        rows.append((withdraw, purpose, later.astype(np.int64), False))
        if purpose == "marketing":
            marketing.given[who] = given_at[who]
            marketing.withdrawn[withdraw] = later.astype(np.int64)
    customer = np.concatenate([r[0] for r in rows])
    when = np.concatenate([r[2] for r in rows])
    purpose_idx = np.concatenate(
        [np.full(len(r[0]), vocab.CONSENT_PURPOSES.index(r[1])) for r in rows]
    )
    given = np.concatenate([np.full(len(r[0]), r[3]) for r in rows])
    order = np.lexsort((when, customer))
    customer, when, purpose_idx, given = (a[order] for a in (customer, when, purpose_idx, given))
    m = len(customer)
    # Marketing consent names the person's preferred channel; the others cover all channels.
    channel = np.where(
        purpose_idx == vocab.CONSENT_PURPOSES.index("marketing"), people.contact[customer], -1
    )
    method = np.array([_METHOD[c] for c in CH])[chunk.acquisition[customer]]
    method = np.where(given, method, "privacy_request")
    table = A.canonical_table(
        "consents",
        {
            "consent_id": A.ids("CS", first_number, m, 9),
            "customer_id": chunk.customer_ids.take(pa.array(customer)),
            "purpose": A.take(vocab.CONSENT_PURPOSES, purpose_idx),
            "channel": A.take(vocab.CONTACT_CHANNELS, np.maximum(channel, 0), channel < 0),
            "status": A.take(vocab.CONSENT_STATUSES, np.where(given, 0, 1)),
            "recorded_at": A.timestamps(when),
            "method": pa.array(method.astype(object), pa.string()),
        },
        m,
        chunk.import_batch,
    )
    return table, marketing


@dataclass(frozen=True)
class Leads:
    """The leads of a chunk: the table, and what campaigns need to contact them."""

    table: pa.Table
    created: IntArray
    zalo: BoolArray  # followers of the Zalo OA who did not buy


def draw_leads(chunk: Chunk, written: Written, company: pa.Array, first_number: int) -> Leads:
    """Leads: some became customers of the chunk, the others never bought."""
    rng, people, seen, acquisition = chunk.rng, chunk.people, chunk.seen, chunk.acquisition
    start_us, end_us = chunk.calendar.start_us, chunk.calendar.end_us
    customer_ids = chunk.customer_ids
    full_name, phone, email = written.full_name, written.phone, written.email
    n = people.size
    # Only people first seen inside the history can have been a lead before it.
    recent = seen > start_us + 45 * DAY_US
    converted = np.flatnonzero(recent & (rng.random(n) < CONVERTED_SHARE))
    c = len(converted)
    k = int(rng.binomial(n, LEAD_SHARE))
    # Prospects look like customers of a random group, but live a little further out.
    group = people.group[rng.integers(0, n, k)] if n else np.zeros(0, dtype=np.int64)
    female = rng.random(k) < 0.6
    english = np.zeros(k, dtype=bool)
    age = rng.integers(20, 55, k)
    names = draw_names(rng, female, age, english)
    phones = draw_phones(rng, 0.15, k)
    numbers = pc.cast(pc.utf8_slice_codeunits(customer_ids, 1), pa.int64()).to_numpy()[:k]
    local, sep, domain = draw_emails(
        rng, names, english, np.zeros(k, np.int64), numbers + 100_000_000
    )
    places = draw_places(rng, np.full(k, 0.5), np.full(k, 0.3))
    has_email = rng.random(k) < 0.5
    prospect_email = A.where(has_email, A.join(local, sep, domain), pa.nulls(k, pa.string()))
    source_weights = (25, 30, 25, 12, 5, 3)
    source = np.concatenate(
        [
            np.array(
                [vocab.LEAD_SOURCES.index(_LEAD_SOURCE[CH[a]]) for a in acquisition[converted]],
                dtype=np.int64,
            ),
            choice(rng, source_weights, k),
        ]
    )
    created = np.concatenate(
        [
            np.maximum(seen[converted] - rng.integers(DAY_US, 45 * DAY_US, c), start_us),
            at_usual_hour(rng, rng.integers(start_us, end_us - DAY_US, k)),
        ]
    )
    age_days = (end_us - created[c:]) / DAY_US
    status = np.select([age_days < 30, age_days < 120, rng.random(k) < 0.3], [0, 1, 2], 4)
    trade = source[c:] == vocab.LEAD_SOURCES.index("trade_show")
    interest_of = np.array([_GROUP_INTEREST[g.group_id] for g in chunk.groups])
    interest = np.concatenate(
        [
            interest_of[people.group[converted]],
            np.where(trade, _INTEREST.index("Quà tặng doanh nghiệp"), interest_of[group]),
        ]
    )
    at = pa.array(converted)
    companies = A.take(
        [
            "Công ty TNHH Minh Phát",
            "Khách sạn Biển Xanh",
            "Công ty CP Đông Á",
            "Trường Mầm non Hoa Sen",
        ],
        rng.integers(0, 4, k),
        ~trade,
    )
    table = A.canonical_table(
        "leads",
        {
            "lead_id": A.ids("L", first_number, c + k, 8),
            "full_name": pa.concat_arrays([full_name.take(at), names.render("written")]),
            "phone": pa.concat_arrays([phone.take(at), phones.written()]),
            "email": pa.concat_arrays([email.take(at), prospect_email]),
            "company_name": pa.concat_arrays([company.take(at), companies]),
            "source_channel": A.take(vocab.LEAD_SOURCES, source),
            "province": pa.concat_arrays(
                [current_names(people.places.current[converted]), current_names(places.current)]
            ),
            "interest": A.take(_INTEREST, interest),
            "created_at": A.timestamps(created),
            "status": A.take(
                vocab.LEAD_STATUSES, np.concatenate([np.full(c, 3), status]).astype(np.int64)
            ),
            "converted_customer_id": pa.concat_arrays(
                [customer_ids.take(at), pa.nulls(k, pa.string())]
            ),
        },
        c + k,
        chunk.import_batch,
    )
    zalo = np.concatenate(
        [np.zeros(c, dtype=bool), source[c:] == vocab.LEAD_SOURCES.index("zalo_oa")]
    )
    return Leads(table, created, zalo)
