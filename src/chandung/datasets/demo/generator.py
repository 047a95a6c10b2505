"""The demo business: a Vietnamese lifestyle retailer, generated chunk by chunk.

:func:`generate` yields :class:`DemoChunk` objects holding every canonical table for a slice
of customers, plus the ground truth (planted groups and planted dirt) that analysis should
recover. Only small counters are carried from one chunk to the next, so a million customers
with ten million order lines stream through a fixed amount of memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema import TABLES

from . import _arrow as A
from ._accounts import Accounts, account_ids, accounts_table, draw_accounts
from ._arrow import IntArray
from ._calendar import Calendar, build_calendar
from ._catalogue import Catalogue, build_catalogue
from ._context import Chunk
from ._crm import draw_consents, draw_leads
from ._customers import first_seen, render_customers
from ._dirt import DUPLICATE, draw_dirt
from ._events import draw_events
from ._feedback import draw_feedback
from ._groups import B2B_GROUP, PlantedGroup, planted_groups
from ._marketing import Campaigns, build_campaigns, draw_contacts
from ._orders import Stores, build_stores, draw_orders, first_orders
from ._people import draw_people
from ._sales import items_table, orders_table
from ._survey import draw_survey

#: Schemas of the ground-truth tables in :attr:`DemoChunk.truth`.
TRUTH_SCHEMAS: dict[str, pa.Schema] = {
    "customer_groups": pa.schema([
        pa.field("customer_id", pa.string(), nullable=False),
        pa.field("group_id", pa.string(), nullable=False),
    ]),
    "dirty_records": pa.schema([
        pa.field("customer_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("duplicate_of_customer_id", pa.string()),
        pa.field("detail", pa.string()),
    ]),
}  # fmt: skip


@dataclass(frozen=True)
class DemoSettings:
    """What to generate.

    Parameters
    ----------
    customers
        Number of customer records (planted duplicates included).
    seed
        Seed of the random generator: the same settings give the same data.
    end_date
        Last day of the history.
    years
        Length of the history, in years, ending on ``end_date``.
    dirty_rate
        Share of customer records carrying one kind of planted dirt (see ``DIRTY_KINDS``).
    chunk_size
        Customer records per chunk; memory use grows with it, not with ``customers``.
    import_batch
        Value of the ``import_batch`` column of every row.
    """

    customers: int = 20_000
    seed: int = 42
    end_date: dt.date = dt.date(2026, 6, 30)
    years: int = 3
    dirty_rate: float = 0.05
    chunk_size: int = 25_000
    import_batch: str = "demo"

    def __post_init__(self) -> None:
        if self.customers < 1:
            raise ValueError(f"DemoSettings.customers must be at least 1, got {self.customers}")
        if self.chunk_size < 1:
            raise ValueError(f"DemoSettings.chunk_size must be at least 1, got {self.chunk_size}")
        if not 1 <= self.years <= 8:
            raise ValueError(f"DemoSettings.years must be between 1 and 8, got {self.years}")
        if not 0.0 <= self.dirty_rate <= 1.0:
            raise ValueError(f"DemoSettings.dirty_rate must be in [0, 1], got {self.dirty_rate}")


@dataclass(frozen=True)
class DemoChunk:
    """One slice of the demo data.

    Attributes
    ----------
    tables
        Every canonical table name → the rows of this chunk, with exactly the schema of
        ``chandung.schema.table(name).arrow_schema()``. The first chunk also carries the
        products and campaigns; later chunks have those tables empty.
    truth
        Ground truth, never part of the canonical tables: ``customer_groups``
        (customer_id, group_id) and ``dirty_records`` (customer_id, kind,
        duplicate_of_customer_id, detail); see :data:`TRUTH_SCHEMAS`.
    """

    tables: dict[str, pa.Table]
    truth: dict[str, pa.Table]


@dataclass
class _Counters:
    """Running numbers of ids, carried across chunks."""

    customer: int = 1
    order: int = 1
    account: int = 1
    event: int = 1
    feedback: int = 1
    response: int = 1
    consent: int = 1
    lead: int = 1
    contact: int = 1


@dataclass(frozen=True)
class _World:
    """What every chunk shares: the groups, the calendar, the shop and its campaigns."""

    settings: DemoSettings
    groups: tuple[PlantedGroup, ...]
    calendar: Calendar
    catalogue: Catalogue
    stores: Stores
    campaigns: Campaigns


def generate(settings: DemoSettings) -> Iterator[DemoChunk]:
    """Generate the demo business, one chunk of customers at a time.

    Parameters
    ----------
    settings
        Size, seed, period and dirt rate.

    Yields
    ------
    DemoChunk
        The canonical tables and ground truth of ``settings.chunk_size`` customers (fewer in
        the last chunk). The same settings always yield the same data.

    Examples
    --------
    >>> chunks = list(generate(DemoSettings(customers=300, chunk_size=200)))
    >>> len(chunks), chunks[0].tables["customers"].num_rows
    (2, 200)
    """
    groups = planted_groups()
    calendar = build_calendar(settings.end_date, settings.years, groups)
    world = _World(
        settings, groups, calendar, build_catalogue(), build_stores(), build_campaigns(calendar)
    )
    counters = _Counters()
    for index, first in enumerate(range(0, settings.customers, settings.chunk_size)):
        size = min(settings.chunk_size, settings.customers - first)
        rng = np.random.default_rng([settings.seed, index])
        tables, truth = _chunk(rng, world, size, counters)
        if index == 0:
            tables["products"] = world.catalogue.table(settings.import_batch)
            tables["campaigns"] = world.campaigns.table(settings.import_batch)
        for t in TABLES:
            if t.name not in tables:
                tables[t.name] = t.arrow_schema().empty_table()
        yield DemoChunk({t.name: tables[t.name] for t in TABLES}, truth)


def _share_account(accounts: Accounts, copies: IntArray, source: IntArray) -> Accounts:
    """A duplicate record of a B2B contact belongs to the same company, with the same title."""
    of_row, decides, title = accounts.of_row.copy(), accounts.decides.copy(), accounts.title.copy()
    of_row[copies], decides[copies], title[copies] = of_row[source], decides[source], title[source]
    return replace(accounts, of_row=of_row, decides=decides, title=title)


def _chunk(
    rng: np.random.Generator, world: _World, size: int, counters: _Counters
) -> tuple[dict[str, pa.Table], dict[str, pa.Table]]:
    """Every table of one chunk of customers, and its ground truth."""
    groups, calendar, settings = world.groups, world.calendar, world.settings
    batch = settings.import_batch
    shares = np.array([g.share for g in groups])
    group = rng.choice(len(groups), size=size, p=shares / shares.sum())
    dirt = draw_dirt(rng, size, settings.dirty_rate)
    copies = dirt.rows(DUPLICATE)
    source = dirt.duplicate_of[copies]
    people = draw_people(rng, groups, group, settings.end_date, counters.customer).copy_rows(
        copies, source
    )
    b2b_rows = np.flatnonzero((people.group == B2B_GROUP) & (dirt.kind != DUPLICATE))
    accounts = draw_accounts(rng, b2b_rows, size, counters.account)
    accounts = _share_account(accounts, copies, source)
    profile = np.where(accounts.hospitality_rows(), len(groups), people.group)
    orders, items = draw_orders(
        rng, people, groups, calendar, world.catalogue, world.stores, profile, counters.order
    )
    first, has_order = first_orders(orders, size)
    first = np.maximum(first, 0)
    first_time = orders.time[first] if orders.size else np.zeros(size, np.int64)
    first_channel = orders.channel[first] if orders.size else people.main_channel
    chunk = Chunk(
        rng=rng,
        groups=groups,
        calendar=calendar,
        catalogue=world.catalogue,
        campaigns=world.campaigns,
        people=people,
        customer_ids=A.ids("C", counters.customer, size, 7),
        seen=first_seen(
            rng, has_order, first_time, people.veteran, calendar.start_us, calendar.end_us
        ),
        acquisition=np.where(has_order, first_channel, people.main_channel),
        orders=orders,
        order_ids=A.numbered("O", orders.number, 9),
        items=items,
        import_batch=batch,
    )
    account_id = account_ids(accounts)
    written = render_customers(chunk, dirt, accounts, account_id, settings.end_date)
    consents, marketing = draw_consents(chunk, counters.consent)
    leads = draw_leads(chunk, written, accounts.company_of_rows(), counters.lead)
    has_email = ~pc.is_null(written.email).to_numpy(zero_copy_only=False)
    contacts = draw_contacts(chunk, has_email, marketing, leads, counters.contact)
    events = draw_events(chunk, counters.event)
    feedback = draw_feedback(chunk, written, counters.feedback)
    survey, responses = draw_survey(chunk, counters.response)
    tables = {
        "accounts": accounts_table(
            rng, accounts, chunk.customer_ids, people.places.current, chunk.seen, batch
        ),
        "customers": written.table,
        "orders": orders_table(chunk, accounts, account_id, contacts.order_campaign, world.stores),
        "order_items": items_table(chunk),
        "events": events,
        "feedback": feedback,
        "survey_responses": survey,
        "consents": consents,
        "leads": leads.table,
        "campaign_contacts": contacts.table,
    }
    truth = {
        "customer_groups": pa.table(
            {
                "customer_id": chunk.customer_ids,
                "group_id": A.take([g.group_id for g in groups], people.group),
            },
            schema=TRUTH_SCHEMAS["customer_groups"],
        ),
        "dirty_records": written.truth_dirt.cast(TRUTH_SCHEMAS["dirty_records"]),
    }
    counters.customer += size
    counters.order += orders.size
    counters.account += accounts.size
    counters.event += events.num_rows
    counters.feedback += feedback.num_rows
    counters.response += responses
    counters.consent += consents.num_rows
    counters.lead += leads.table.num_rows
    counters.contact += contacts.table.num_rows
    return tables, truth
