"""The customer pages: finding people and the 360° profile of one, as the principal may see them.

Both run only cheap, bounded warehouse queries, and as few as they can (each one costs a round
trip): a search filters the customer records on one column chosen by what was typed (name
without diacritics, phone in any format, e-mail; a record id goes straight to its record), maps
them to their person, and stops reading after :data:`COUNT_CAP` matches; a profile filters each
table by the person's record ids and reads the stored results of the analysis (golden record,
customer value, segment base, automatic segments, personas). Nothing is recomputed.

Personal data (names, phones, e-mails, addresses, birth dates, and what customers wrote) is
masked unless the principal holds ``personal_data.read``; every unmasked view is recorded in
the audit log, as :func:`chandung.services.customers.show_person` does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
from sqlalchemy import select

from ..errors import ChandungError, NotFoundError
from ..i18n import translate
from ..i18n.formats import format_number, format_percent
from ..ingest.normalize.name_vn import name_key
from ..ingest.normalize.phone import normalize_phone_one
from ..personas.render import render_persona
from ..privacy.context import require
from ..privacy.masking import MASK, mask_record
from ..privacy.roles import Principal
from ..segments.auto import SEGMENT
from ..segments.rules import compile_rule, parse_rule
from ..store.app_models import PersonaSet, SavedSegment, Segmentation
from ..voc.quotes import mask_personal_data
from . import audit
from .auto_segments import ASSIGNMENTS_TABLE
from .consents import LEDGER, _latest_key, _plain_entry
from .identity import LINKS_TABLE, PEOPLE_TABLE
from .personas import edits, load_personas
from .segment_base import BASE_TABLE
from .segment_views import auto_traits
from .segments import field_catalogue
from .stores import Stores
from .value import VALUE_TABLE

#: A search counts its matches up to this many, then says "more than".
COUNT_CAP = 10_000
#: Items of each kind (orders, events, texts, survey answers) read for the timeline, and shown.
TIMELINE_LIMIT = 50
#: Source records of one person listed on the profile.
RECORDS_LIMIT = 100
#: Ids a query names one by one; more are joined as a table.
LITERAL_IDS = 200
#: Saved segments whose membership is checked on the profile.
SAVED_SEGMENTS_LIMIT = 50

#: Columns of a row of the customer list (personal ones masked by role).
ROW_COLUMNS = (
    "person_id", "full_name", "phone", "email", "gender", "gender_inferred", "birth_year",
    "province", "records",
)  # fmt: skip
#: Columns of the customer value shown in the list.
ROW_VALUE_COLUMNS = ("rfm_segment", "orders", "total_revenue", "predicted_clv_vnd")
#: Fields of the golden record shown in the profile.
PERSON_COLUMNS = (
    "full_name", "phone_e164", "email", "address", "birth_date", "birth_year", "gender",
    "gender_inferred", "marital_status", "children_count", "occupation", "monthly_income_vnd",
    "education", "province", "province_former", "preferred_contact_channel", "primary_device",
    "platform", "account_id", "acquisition_channel", "first_seen_at", "records",
)  # fmt: skip
#: Fields only the source records have: the latest record that has one gives it.
RECORD_EXTRAS = (
    "ethnicity", "hometown_province", "interests", "lifestyle", "mindset", "job_title",
    "is_decision_maker",
)  # fmt: skip
#: Columns of a source record listed in the profile (no free-form source columns).
RECORD_COLUMNS = (
    "customer_id", "source", "source_customer_ref", "full_name", "phone_e164", "email",
    "first_seen_at", "import_batch",
)  # fmt: skip
#: Columns of the customer value shown in the profile.
VALUE_COLUMNS = (
    "rfm_segment", "r_score", "f_score", "m_score", "orders", "purchase_days", "frequency",
    "recency", "T", "total_revenue", "average_order_value", "first_purchase", "last_purchase",
    "days_since_last_purchase", "main_channel_group", "probability_alive",
    "expected_purchases_90d", "expected_spend_vnd", "predicted_clv_vnd",
)  # fmt: skip


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(text: str | None) -> str:
    """What was typed, with control characters (which no name, phone or id holds, and which
    no engine takes in a literal) made spaces, and runs of spaces made one."""
    return " ".join(_CONTROL.sub(" ", text or "").split())


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, containers walked."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _rows(expr: ir.Table) -> list[dict[str, Any]]:
    return [dict(r) for r in expr.to_pyarrow().to_pylist()]


class _Tables:
    """The warehouse's tables for one request: listed once, each opened once (every lookup
    costs the engine a round trip, so a page asks as few as it can)."""

    def __init__(self, stores: Stores) -> None:
        self.backend = stores.warehouse.backend
        self.names = frozenset(self.backend.list_tables())
        self._opened: dict[str, ir.Table] = {}

    def has(self, name: str) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> ir.Table:
        if name not in self._opened:
            self._opened[name] = self.backend.table(name)
        return self._opened[name]


# --- search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    """A page of people found by a search (or of everyone, without one)."""

    query: str
    total: int
    more: bool  # True when there are more than ``total`` (= COUNT_CAP) matches
    limit: int
    offset: int
    masked: bool
    people: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Characters that make a word without spaces look like the start of an e-mail address.
_EMAIL_HINTS = frozenset("._+-0123456789")


def _condition(records: ir.Table, query: str) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """Whether a record matches ``query``, and whether it matches it exactly.

    Each kind of query reads one column of the 1,000,000-row scale: a phone number (in any
    format) the normalised phone, anything with an ``@`` the e-mail, and other text the name
    key (a word of the name starts with what was typed, diacritics and case aside) and, for a
    word that looks like one (``lan.nguyen``), the start of the e-mail."""
    found = exact = ibis.literal(False)
    phone = normalize_phone_one(query)
    email, address = query.lower(), records.email
    if phone:
        found |= records.phone_e164 == phone
        exact |= records.phone_e164 == phone
    elif "@" in query:
        found |= address.contains(email)
        exact |= address == email
    else:
        key = name_key([query]).to_pylist()[0]
        if key:
            names = records.name_key
            found |= names.startswith(key) | names.contains(" " + key)
            exact |= names == key
        if " " not in query and _EMAIL_HINTS & set(query):
            found |= address.startswith(email)
    return found.fill_null(False), exact.fill_null(False)


def _among(column: ir.StringColumn, ids: list[str]) -> ir.BooleanValue:
    """``column`` is one of ``ids`` (an equality when there is one: the engine then skips
    the blocks that cannot hold it)."""
    return column == ids[0] if len(ids) == 1 else column.isin(ids)


def _people_of(t: _Tables, record_ids: list[str]) -> dict[str, str]:
    """The person of each record id (a record without links is a person of its own)."""
    if not record_ids or not t.has(LINKS_TABLE):
        return {}
    links = t[LINKS_TABLE]
    if len(record_ids) <= LITERAL_IDS:
        mine = links.filter(_among(links.customer_id, record_ids))
    else:  # many ids: joined as a table, which the engine reads faster than a long list
        wanted = ibis.memtable({"wanted_id": record_ids})
        mine = links.inner_join(wanted, links.customer_id == wanted.wanted_id)
    rows = _rows(mine.select("customer_id", "person_id"))
    return {str(r["customer_id"]): str(r["person_id"]) for r in rows}


def _page_ids(t: _Tables, query: str, limit: int, offset: int) -> tuple[int, bool, list[str]]:
    """How many people there are (up to the cap), whether there are more, and the ids of
    one page of them."""
    if not query:
        if t.has(PEOPLE_TABLE):
            everyone = t[PEOPLE_TABLE].select("person_id")
        else:
            records = t["customers"]
            everyone = records.select(person_id=records.customer_id)
        total = int(everyone.count().to_pyarrow().as_py())
        if offset >= total:
            return total, False, []
        page = everyone.order_by("person_id").limit(limit, offset=offset)
        return total, False, [str(i) for i in _column(page, "person_id")]
    records = t["customers"]
    if " " not in query:  # a record id finds its person at once (the engine skips to it)
        same = records.filter(records.customer_id == query).limit(1)
        if _column(same, "customer_id"):
            return 1, False, ([_people_of(t, [query]).get(query, query)] if not offset else [])
    found, exact = _condition(records, query)
    hits = records.filter(found).select("customer_id", exact=exact.ifelse(1, 0))
    # Reading stops after the cap: a broad search costs no more than a narrow one.
    first = _rows(hits.limit(COUNT_CAP + 1))
    if len(first) > COUNT_CAP:
        # Too many to group by person: a page of matching records, each shown as its person
        # (a person with several matching records appears once).
        page = hits.order_by([ibis.desc("exact"), "customer_id"]).limit(limit, offset=offset)
        record_ids = [str(i) for i in _column(page, "customer_id")]
        people = _people_of(t, record_ids)
        return COUNT_CAP, True, list(dict.fromkeys(people.get(r, r) for r in record_ids))
    people = _people_of(t, [str(r["customer_id"]) for r in first])
    best: dict[str, int] = {}
    for r in first:
        person = people.get(str(r["customer_id"]), str(r["customer_id"]))
        best[person] = max(best.get(person, 0), int(r["exact"]))
    ordered = sorted(best, key=lambda person: (-best[person], person))
    return len(ordered), False, ordered[offset : offset + limit]


def _column(expr: ir.Table, name: str) -> list[Any]:
    return list(expr.select(name).to_pyarrow().column(name).to_pylist())


def _row_fields(table: ir.Table, *, single: bool = False) -> dict[str, ir.Value]:
    return {
        "full_name": table.full_name,
        "phone": table.phone_e164,
        "email": table.email,
        "gender": table.gender,
        "gender_inferred": table.gender_inferred,
        "birth_year": table.birth_year,
        "province": table.province,
        "records": ibis.literal(1, "int64") if single else table.records,
    }


def _list_rows(t: _Tables, ids: list[str]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    if t.has(PEOPLE_TABLE):
        people = t[PEOPLE_TABLE]
        chosen = people.filter(_among(people.person_id, ids))
        chosen = chosen.select("person_id", **_row_fields(chosen))
        if t.has(VALUE_TABLE):
            value = t[VALUE_TABLE]
            wanted = [c for c in ROW_VALUE_COLUMNS if c in value.columns]
            scored = value.filter(_among(value.customer_id, ids)).select(
                value_id=value.customer_id, **{c: value[c] for c in wanted}
            )
            joined = chosen.left_join(scored, chosen.person_id == scored.value_id)
            chosen = joined.drop("value_id")
        for r in _rows(chosen):
            found[str(r["person_id"])] = r
    missing = [i for i in ids if i not in found]
    if missing:  # records loaded since identities were last resolved are people of their own
        records = t["customers"]
        chosen = records.filter(_among(records.customer_id, missing))
        rows = chosen.select(person_id=chosen.customer_id, **_row_fields(chosen, single=True))
        for r in _rows(rows):
            found[str(r["person_id"])] = r
    columns = (*ROW_COLUMNS, *ROW_VALUE_COLUMNS)
    return [_plain({c: found[i].get(c) for c in columns}) for i in ids if i in found]


def search_people(
    stores: Stores, query: str | None, *, limit: int = 50, offset: int = 0
) -> SearchPage:
    """People whose records match ``query`` (a name typed with or without diacritics, a phone
    number in any format, an e-mail or its start, a record id), exact matches first; without
    a query, everyone, by person id. Personal data is masked unless the principal may see it;
    an unmasked page is recorded in the audit log."""
    principal = require("customers.read")
    text = clean_text(query)
    t = _Tables(stores)
    total, more, ids = _page_ids(t, text, limit, offset)
    rows = _list_rows(t, ids) if ids else []
    masked = not principal.can("personal_data.read")
    if masked:
        rows = [mask_record(r) for r in rows]
    elif rows:
        audit.record(
            stores, "personal_data.view", target="customers", rows=len(rows),
            details={"ids": [r["person_id"] for r in rows], "search": bool(text)},
        )  # fmt: skip
    return SearchPage(text, total, more, limit, offset, masked, rows)


# --- the profile -------------------------------------------------------------------------------


def customer_profile(stores: Stores, identifier: str, language: str = "vi") -> dict[str, Any]:
    """Everything known about one person (found by their person id or any record id): who
    they are, their value, what they did, the segments and persona they belong to, their
    consents and the records merged into them. Texts (the P(alive) explanation, the persona)
    are in ``language``. Raises :class:`NotFoundError` for an unknown id."""
    principal = require("customers.read")
    t = _Tables(stores)
    pid, links = _resolve(t, clean_text(identifier))
    ids = sorted(links)
    sees = principal.can("personal_data.read")
    records = _records(t, ids, links)
    person = _person(t, pid, records)
    orders, timeline = _orders(t, ids)
    timeline += _activity(t, ids, sees)
    timeline.sort(key=lambda i: (i["at"] is not None, i["at"] or datetime.min), reverse=True)
    profile = {
        "person_id": pid,
        "masked": not sees,
        "person": person if sees else mask_record(person),
        "records": [r if sees else _masked_record(r) for r in records[:RECORDS_LIMIT]],
        "record_count": len(records),
        "value": _value(t, pid, stores.workspace.settings.value.horizon_months, language),
        "orders": orders,
        "timeline": timeline[:TIMELINE_LIMIT],
        "segments": _segments(stores, t, pid, principal, language),
        "consents": _consents(t, ids),
    }
    if sees:  # as show_person does: an unmasked view of a person is on the record
        audit.record(stores, "personal_data.view", target=pid, rows=1)
    return _plain(profile)  # type: ignore[no-any-return]


def _masked_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """A source record as a role without personal data sees it: its id at the source (an
    account number at a shop or marketplace) is hidden too."""
    masked = mask_record(record)
    if masked.get("source_customer_ref"):
        masked["source_customer_ref"] = MASK
    return masked


def _resolve(t: _Tables, ident: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """The person with the record id or person id ``ident`` (a person's id is the smallest
    of their record ids, as :func:`chandung.services.subjects.find_subject` reads it), and
    how each of their records was linked, by record id, in one query."""
    if ident and t.has(LINKS_TABLE):
        links = t[LINKS_TABLE]
        hit = links.filter(links.customer_id == ident).select("person_id")
        theirs = links.filter(links.person_id.isin(hit.person_id))
        rows = _rows(theirs.select("customer_id", "person_id", "rule", "score"))
        if rows:
            return str(rows[0]["person_id"]), {str(r["customer_id"]): r for r in rows}
    if ident:  # a record loaded since identities were last resolved is a person of its own
        records = t["customers"]
        if _column(records.filter(records.customer_id == ident).limit(1), "customer_id"):
            return ident, {ident: {"customer_id": ident, "rule": None, "score": None}}
    raise NotFoundError("web_customers.not_found", id=ident[:100])


def _consents(t: _Tables, ids: list[str]) -> list[dict[str, Any]]:
    """The latest consent entry per purpose and channel across the person's records, read
    the way :func:`chandung.services.consents.current_consents` reads them (its lookup of
    the person is done already)."""
    ledger = t[LEDGER]
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    columns = ("consent_id", "customer_id", "purpose", "channel", "status", "recorded_at", "method")
    for entry in _rows(ledger.filter(_among(ledger.customer_id, ids)).select(*columns)):
        key = (str(entry["purpose"]), str(entry["channel"] or ""))
        if key not in latest or _latest_key(entry) > _latest_key(latest[key]):
            latest[key] = entry
    return [_plain_entry(latest[k]) for k in sorted(latest)]


def _records(
    t: _Tables, ids: list[str], links: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The person's source records, oldest first, with how each was linked."""
    records = t["customers"]
    chosen = records.filter(_among(records.customer_id, ids))
    wanted = [*RECORD_COLUMNS, *(c for c in RECORD_EXTRAS if c not in RECORD_COLUMNS)]
    rows = _rows(chosen.select(*wanted).order_by(["first_seen_at", "customer_id"]))
    for row in rows:
        link = links.get(str(row["customer_id"]), {})
        row["rule"], row["score"] = link.get("rule"), link.get("score")
        row["phone"] = row.pop("phone_e164")
    return rows


def _person(t: _Tables, pid: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    golden: dict[str, Any] = {}
    if t.has(PEOPLE_TABLE):
        people = t[PEOPLE_TABLE]
        found = _rows(people.filter(people.person_id == pid).select(*PERSON_COLUMNS))
        golden = found[0] if found else {}
    if not golden:  # not resolved yet: the person is their one record
        whole = t["customers"]
        found = _rows(whole.filter(whole.customer_id == pid).select(*PERSON_COLUMNS[:-1]))
        golden = {**(found[0] if found else {}), "records": len(records)}
    person = {("phone" if k == "phone_e164" else k): v for k, v in golden.items()}
    for name in RECORD_EXTRAS:  # the latest record that has a value gives it
        person[name] = next((r[name] for r in reversed(records) if r.get(name) is not None), None)
    interests = str(person.get("interests") or "")
    person["interests"] = [i.strip() for i in interests.split(";") if i.strip()]
    year = person.get("birth_year")
    person["age"] = date.today().year - int(year) if year else None
    person["account"] = _account(t, person.get("account_id"))
    return person


def _account(t: _Tables, account_id: Any) -> dict[str, Any] | None:
    if not account_id:
        return None
    accounts = t["accounts"]
    columns = ("account_id", "name", "industry", "company_size", "staff_count", "province")
    found = _rows(accounts.filter(accounts.account_id == str(account_id)).select(*columns))
    return found[0] if found else None


def _value(t: _Tables, pid: str, horizon: int, language: str) -> dict[str, Any] | None:
    """The person's row of ``customer_value`` (None before the analysis scored anyone), with
    the share of customers worth as much or more, and why their chance of being active is
    what it is."""
    if not t.has(VALUE_TABLE):
        return None
    value = t[VALUE_TABLE]
    wanted = [c for c in VALUE_COLUMNS if c in value.columns]
    found = _rows(value.filter(value.customer_id == pid).select(*wanted))
    if not found:
        return {"scored": False}
    row: dict[str, Any] = {"scored": True, **found[0], "horizon_months": horizon}
    clv = row.get("predicted_clv_vnd")
    if clv is not None:
        above = (value.predicted_clv_vnd >= clv).ifelse(1, 0).sum()
        counts = _rows(value.aggregate(n=value.count(), above=above))[0]
        row["clv_top_share"] = int(counts["above"] or 1) / max(int(counts["n"] or 1), 1)
    row["alive_explanation"] = alive_explanation(row, language)
    return row


def alive_explanation(value: Mapping[str, Any], language: str) -> str:
    """One sentence on why the person's probability of still being a customer is what it is:
    how often they bought, how long ago they last did, and what the model makes of it."""
    p = value.get("probability_alive")
    days = value.get("days_since_last_purchase")
    if p is None or days is None:
        return ""
    share = format_percent(float(p), language, 0)
    since = format_number(float(days), language)
    repeats = int(value.get("frequency") or 0)
    if repeats <= 0:
        return translate("web_customers.alive.once", language, days=since, p=share)
    # recency is in weeks, the models' unit: the mean gap between purchase days, in days.
    gap = float(value.get("recency") or 0.0) * 7.0 / repeats
    verdict = "likely" if p >= 0.7 else "unsure" if p >= 0.3 else "gone"
    return translate(
        f"web_customers.alive.{verdict}", language, times=format_number(repeats + 1, language),
        gap=format_number(max(gap, 1.0), language), days=since, p=share,
    )  # fmt: skip


def _orders(t: _Tables, ids: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The person's order totals (completed orders count as sales) and latest orders, in one
    query."""
    orders = t["orders"]
    mine = orders.filter(_among(orders.customer_id, ids))
    done = mine.status == "completed"
    every = ibis.window()
    latest = mine.mutate(
        _all=mine.count().over(every),
        _done=done.ifelse(1, 0).sum().over(every),
        _total=done.ifelse(mine.total_vnd, 0).sum().over(every),
    )
    latest = latest.order_by([ibis.desc("ordered_at"), "order_id"]).limit(TIMELINE_LIMIT)
    columns = ("order_id", "ordered_at", "channel", "device", "status", "total_vnd")
    rows = _rows(latest.select(*columns, "_all", "_done", "_total"))
    first = rows[0] if rows else {}
    totals = {
        "all_orders": int(first.get("_all") or 0),
        "orders": int(first.get("_done") or 0),
        "total_vnd": int(first.get("_total") or 0),
    }
    items = [
        {"kind": "order", "at": r["ordered_at"], **{c: r[c] for c in columns[2:]},
         "order_id": r["order_id"]}
        for r in rows
    ]  # fmt: skip
    return totals, items


def _activity(t: _Tables, ids: list[str], sees: bool) -> list[dict[str, Any]]:
    """Web and app events, texts and survey answers, the latest of each kind."""

    def latest(name: str, at: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
        table = t[name]
        mine = table.filter(_among(table.customer_id, ids))
        # Rows of the same moment in a fixed order, whatever the engine.
        mine = mine.order_by([ibis.desc(at), *columns]).limit(TIMELINE_LIMIT)
        return [{"at": r.pop(at), **r} for r in _rows(mine.select(at, *columns))]

    def hide(text: Any) -> Any:
        return text if sees or text is None else mask_personal_data(str(text))

    events = ("event_name", "page_location", "item_id", "value_vnd")
    items = [{"kind": "event", **e} for e in latest("events", "event_timestamp", events)]
    texts = ("feedback_id", "kind", "channel", "rating", "text")
    for text in latest("feedback", "created_at", texts):
        text["feedback_kind"] = text.pop("kind")
        items.append({**text, "kind": "feedback", "text": hide(text["text"])})
    questions = ("response_id", "survey_id", "question_id", "question_text", "answer_text")
    surveys: dict[str, dict[str, Any]] = {}
    for a in latest("survey_responses", "answered_at", (*questions, "answer_number")):
        entry = surveys.setdefault(
            str(a["response_id"]),
            {"kind": "survey", "at": a["at"], "survey_id": a["survey_id"], "answers": []},
        )
        text = a["answer_text"]
        answer = hide(text) if text is not None else a["answer_number"]
        entry["answers"].append(
            {"question": a["question_text"] or a["question_id"], "answer": answer}
        )
    return [*items, *surveys.values()]


# --- segments and persona ----------------------------------------------------------------------


def _segments(
    stores: Stores, t: _Tables, pid: str, principal: Principal, language: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "readable": principal.can("segments.read"),
        "saved": [],
        "saved_checked": False,
        "automatic": None,
        "persona": None,
    }
    if not out["readable"]:
        return out
    saved = _saved_memberships(stores, t, pid)
    out["saved"], out["saved_checked"] = saved or [], saved is not None
    run, persona_set = _segmentation_and_personas(stores)
    out["automatic"] = _automatic(t, pid, run, language) if run is not None else None
    if persona_set is not None and principal.can("personas.read"):
        out["persona"] = _persona(stores, persona_set, out["automatic"], out["saved"], language)
    return out


def _saved_memberships(stores: Stores, t: _Tables, pid: str) -> list[dict[str, Any]] | None:
    """The saved segments the person is a member of now, all tested in one query (None before
    the analysis kept the segment base: membership is read from it, never recomputed from the
    whole customer file on a page view)."""
    if not t.has(BASE_TABLE):
        return None
    with stores.app_db.session() as session:
        query = select(SavedSegment).order_by(SavedSegment.name).limit(SAVED_SEGMENTS_LIMIT)
        saved = [(s.name, s.description, s.rule) for s in session.scalars(query)]
    if not saved:
        return []
    base = t[BASE_TABLE]
    one = base.filter(base.customer_id == pid)
    catalogue, today = field_catalogue(base), date.today()
    tests: dict[str, ir.BooleanValue] = {}
    for index, (_, _, rule) in enumerate(saved):
        try:
            tests[f"s{index}"] = compile_rule(parse_rule(rule, catalogue), one, today=today)
        except ChandungError:  # a rule naming a field the data no longer has
            continue
    found = _rows(one.select(**tests)) if tests else []
    inside = found[0] if found else {}
    return [
        {"name": name, "description": description}
        for index, (name, description, _) in enumerate(saved)
        if inside.get(f"s{index}")
    ]


def _segmentation_and_personas(stores: Stores) -> tuple[Segmentation | None, PersonaSet | None]:
    """The automatic segmentation the latest personas were made from (else the latest one),
    and the latest persona set."""
    with stores.app_db.session() as session:
        latest_set = select(PersonaSet).order_by(PersonaSet.version.desc()).limit(1)
        persona_set = session.scalars(latest_set).first()
        run_id = (persona_set.source or {}).get("segmentation_id") if persona_set else None
        run = session.get(Segmentation, run_id) if run_id else None
        if run is None:
            latest_run = select(Segmentation).order_by(Segmentation.created_at.desc()).limit(1)
            run = session.scalars(latest_run).first()
        for found in (persona_set, run):
            if found is not None:
                session.expunge(found)
    return run, persona_set


def _automatic(t: _Tables, pid: str, run: Segmentation, language: str) -> dict[str, Any] | None:
    if not t.has(ASSIGNMENTS_TABLE):
        return None
    table = t[ASSIGNMENTS_TABLE]
    mine = table.filter((table.segmentation_id == run.id) & (table.customer_id == pid))
    found = _rows(mine.select(SEGMENT).limit(1))
    if not found or found[0][SEGMENT] is None:
        return None
    sid = int(found[0][SEGMENT])
    summary: dict[str, Any] = dict(run.summary or {})
    segments: list[dict[str, Any]] = list(summary.get("segments") or [])
    about = next((s for s in segments if int(s.get("id", -1)) == sid), {})
    return {
        "segmentation_id": run.id,
        "segment_id": sid,
        "segments": int(summary.get("k", 0) or 0),
        "size": about.get("size"),
        "share": about.get("share"),
        # Written in the page's language from the recorded codes and figures.
        "traits": auto_traits(about, language, summary.get("language")).texts,
    }


def _persona(
    stores: Stores,
    persona_set: PersonaSet,
    automatic: dict[str, Any] | None,
    saved: list[dict[str, Any]],
    language: str,
) -> dict[str, Any] | None:
    """The persona of the person's automatic segment (or, for personas made from saved
    segments, of the first saved segment they are in), as shown in ``language``."""
    names = {s["name"] for s in saved}
    for persona in load_personas(stores, persona_set.version):
        segment = persona.segment
        if segment.get("source") == "segments":
            ours = segment.get("name") in names
        else:
            ours = automatic is not None and (
                segment.get("segmentation_id") == automatic["segmentation_id"]
                and int(segment.get("id", -1)) == automatic["segment_id"]
            )
        if ours:
            shown = render_persona(persona, language, edits(stores).get(persona.id))
            return {key: shown.get(key) for key in ("id", "version", "name", "nickname", "summary")}
    return None
