"""Data-subject requests: everything held about a person, and erasing them for good.

A person is found by any of their record ids or by their person id (see
:func:`find_subject`). What an erasure removes is:

* their records, and any other record that carries their phone number (E.164) or e-mail
  address, unless that identifier is shared by more records than
  ``[identity] max_shared_identifier`` (a switchboard or a placeholder); a record with their
  name key and date of birth but no phone and no e-mail at all (an export hands over only
  their own records, those identity resolution links to them, and counts the others);
* every row of every warehouse table that names one of those records (or, in tables
  computed from the customer file, their person): orders and their lines, events (and the
  events of the same browsers), feedback (also about their orders), whole survey
  submissions, consents, leads they became or that carry their phone or e-mail, campaign
  contacts; golden records, links, value, segment base, assignments, snapshot members and
  any other table with a ``customer_id``/``person_id`` column (tables are discovered from
  the warehouse; work tables, named ``_...``, are not). A company naming them as its
  decision maker keeps its row, without the reference;
* quarantined rows and demo ground truth (files in the workspace) that carry one of their
  ids, their phone or their e-mail; identity overrides naming one of their records; persona
  statements resting on their texts (quotes), replaced by a missing-data statement when a
  section is left empty.

An erasure keeps only a *tombstone*, an :class:`~chandung.store.app_models.Erasure` row:
keyed hashes (HMAC-SHA256 with the workspace key's ``"tombstones"`` key) of the erased
record ids (their person id is one of them), lead ids and feedback ids, and of the person's
phone numbers (E.164), e-mail addresses (trimmed, lower case) and name key with date of
birth, each hashed as ``"<kind>:<value>"``, with the number of rows removed per table.
:func:`apply_erasures` finds whatever hashes to a tombstone and erases it again: the backup
restore calls it after restoring an older backup, and an import should call it once it has
loaded, as ``apply_erasures(stores, import_batch=batch_id)`` (a person erased since an old
export was made is erased again when it is re-imported). Without the workspace key the
tombstones cannot be matched: keep the key with the backups (a key rotation must keep the
tombstones' derived key, or re-hashing is impossible: only hashes are kept).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select

from ..errors import InputError, NotFoundError
from ..ingest.normalize.phone import normalize_phone, normalize_phone_one
from ..privacy.context import require
from ..privacy.fields import parquet_is_encrypted, read_parquet
from ..privacy.keys import derive_key, load_workspace_key
from ..schema import TABLES_BY_NAME
from ..store.app_models import (
    Erasure,
    IdentityOverride,
    PersonaRecord,
    SavedSegment,
    SegmentSnapshot,
)
from . import audit
from .identity import LINKS_TABLE, PEOPLE_TABLE, person_links, resolve_identities
from .stores import Stores

#: Kinds of identifier a tombstone holds hashes of.
RECORD, PHONE, EMAIL, NAME_BIRTH, LEAD, FEEDBACK = (
    "record", "phone", "email", "name_birth", "lead", "feedback",
)  # fmt: skip
TOMBSTONE_KINDS = (RECORD, PHONE, EMAIL, NAME_BIRTH, LEAD, FEEDBACK)
#: Kinds found while an erasure runs and never kept: the records' people (with the records),
#: orders, browsers (GA4 pseudo ids) and survey submissions.
_PERSON, _ORDER, _PSEUDO, _RESPONSE = "person", "order", "pseudo", "response"
_KINDS = (*TOMBSTONE_KINDS, _PERSON, _ORDER, _PSEUDO, _RESPONSE)
#: Purpose of the key derived from the workspace key for the tombstones.
KEY_PURPOSE = "tombstones"
#: Columns that point at a customer from a row that is not theirs: cleared, the row kept.
REFERENCE_COLUMNS = {"accounts": ("decision_maker_customer_id",)}
#: A missing-data statement standing for quotes that were erased.
_MISSING_QUOTES = {
    "key": "quotes", "template": "persona.missing.feedback", "params": {}, "missing": "feedback",
}  # fmt: skip
_WORK_PREFIX = "_erasure_"

Values = dict[str, set[str]]


# --- finding the person -----------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A person: their person id and the ids of their records."""

    person_id: str
    record_ids: tuple[str, ...]


def find_subject(stores: Stores, identifier: str) -> Subject:
    """The person with the record id or person id ``identifier``.

    A record loaded since identities were last resolved is a person of its own.
    """
    ident = identifier.strip()
    if not ident:
        raise InputError("subject.id_empty")
    links = person_links(stores)
    hits = links.filter((links.customer_id == ident) | (links.person_id == ident))
    persons = sorted(set(hits.person_id.to_pyarrow().to_pylist()) - {None})
    if persons:
        person = ident if ident in persons else persons[0]
        records = links.filter(links.person_id == person).customer_id.to_pyarrow().to_pylist()
        return Subject(person, tuple(sorted({str(r) for r in records if r is not None})))
    customers = stores.warehouse.table("customers")
    if customers.filter(customers.customer_id == ident).count().to_pyarrow().as_py():
        return Subject(ident, (ident,))
    raise NotFoundError("subject.not_found", id=ident)


# --- identifiers ------------------------------------------------------------------------


def _email(value: object) -> str | None:
    text = str(value).strip().lower() if value is not None else ""
    return text or None


def _name_birth(name_key: object, birth: object) -> str | None:
    if not name_key or birth is None:
        return None
    day = birth.date() if isinstance(birth, datetime) else birth
    return f"{name_key}|{day.isoformat() if isinstance(day, date) else str(day)[:10]}"


def _digest(key: bytes, kind: str, value: str) -> str:
    return hmac.digest(key, f"{kind}:{value}".encode(), hashlib.sha256).hex()


def _workspace_keys(stores: Stores) -> tuple[bytes, ...]:
    """The workspace keys, the one the stores are encrypted with now first (during a key
    rotation there are two)."""
    if stores.keys is None:
        ws = stores.workspace
        return (load_workspace_key(ws.keys_dir, ws.settings.security.key_env),)
    candidates = stores.keys.candidates()
    active = stores.active_key
    return (active, *(k for k in candidates if k != active)) if active else candidates


#: The workspace secret tombstones are keyed with (``keys/tombstone.key``). It is never
#: rotated with the workspace key, because a tombstone keeps only hashes, which cannot be
#: re-keyed: a rotated key would make every erasure unmatchable, and an erased person could
#: come back with an old backup or export.
TOMBSTONE_SECRET = "tombstone"  # noqa: S105 - the name of the secret, not the secret


def tombstone_key(stores: Stores) -> bytes:
    """The key new tombstones are hashed with (from the workspace's tombstone secret)."""
    return derive_key(stores.workspace.secret(TOMBSTONE_SECRET), KEY_PURPOSE)


def _tombstone_keys(stores: Stores) -> tuple[bytes, ...]:
    """Every key a tombstone may have been hashed with: the tombstone secret's, and the
    workspace keys' (tombstones written before the secret existed)."""
    legacy = tuple(derive_key(k, KEY_PURPOSE) for k in _workspace_keys(stores))
    return (tombstone_key(stores), *legacy)


def _empty() -> Values:
    return {k: set() for k in _KINDS}


def _subject_values(stores: Stores, subject: Subject) -> Values:
    """The person's own identifiers: their records' ids, phones, e-mails, name and birth."""
    wh = stores.warehouse
    values = _empty()
    values[RECORD] = {*subject.record_ids, subject.person_id}
    customers = wh.table("customers")
    rows = customers.filter(customers.customer_id.isin(list(subject.record_ids)))
    found = rows.select("phone", "phone_e164", "email", "name_key", "birth_date").to_pyarrow()
    if wh.has_table(PEOPLE_TABLE):
        people = wh.table(PEOPLE_TABLE)
        golden = people.filter(people.person_id == subject.person_id)
        golden = golden.select(
            phone=ibis.null("string"), phone_e164=golden.phone_e164, email=golden.email,
            name_key=golden.name_key, birth_date=golden.birth_date,
        ).to_pyarrow()  # fmt: skip
        found = pa.concat_tables([found, golden.cast(found.schema)])
    raw_phones = normalize_phone(found.column("phone")).values.to_pylist()
    for row, raw_phone in zip(found.to_pylist(), raw_phones, strict=True):
        for phone in (row["phone_e164"], raw_phone):
            if phone and str(phone).strip():
                values[PHONE].add(str(phone).strip())
        if (email := _email(row["email"])) is not None:
            values[EMAIL].add(email)
        if (nb := _name_birth(row["name_key"], row["birth_date"])) is not None:
            values[NAME_BIRTH].add(nb)
    return values


# --- the work table of one request ------------------------------------------------------


class _Work:
    """The values of one request in a temporary warehouse table (kind, value), so that every
    table is filtered in the engine against it."""

    def __init__(self, stores: Stores):
        self.backend = stores.warehouse.backend
        self.name = f"{_WORK_PREFIX}{uuid.uuid4().hex[:12]}"
        self.values = _empty()
        self.load()

    def load(self) -> None:
        kinds, items = [], []
        for kind, values in self.values.items():
            for value in values:
                kinds.append(kind)
                items.append(value)
        rows = pa.table(
            {"kind": pa.array(kinds, pa.string()), "value": pa.array(items, pa.string())}
        )
        self.backend.create_table(self.name, rows, temp=True, overwrite=True)

    def of(self, *kinds: str) -> ir.Column:
        table = self.backend.table(self.name)
        return table.filter(table.kind.isin(list(kinds))).value

    def drop(self) -> None:
        self.backend.drop_table(self.name, force=True)


def _column_list(expr: ir.Column) -> set[str]:
    return {str(v) for v in expr.to_pyarrow().to_pylist() if v is not None}


def _build_scope(stores: Stores, seeds: Values, work: _Work) -> None:
    """Everything that belongs to the people ``seeds`` name, into ``work.values``.

    ``seeds`` hold record and person ids (kind ``record``), phones, e-mails, name-and-birth
    keys, lead and feedback ids; the scope adds the records carrying those identifiers, the
    records' people, orders, feedback, leads, browsers and survey submissions.
    """
    wh = stores.warehouse
    max_shared = stores.workspace.settings.identity.max_shared_identifier
    v = work.values
    for kind in _KINDS:
        v[kind] = set(seeds.get(kind, ()))
    customers = wh.table("customers")
    phone = customers.phone_e164.strip()
    email = customers.email.strip().lower()
    work.load()
    # An identifier held by many records (a switchboard, "0000000000") identifies nobody.
    for kind, column in ((PHONE, phone), (EMAIL, email)):
        if v[kind]:
            held = customers.filter(column.isin(work.of(kind))).select(value=column)
            counts = held.group_by("value").aggregate(n=held.count())
            v[kind] -= _column_list(counts.filter(counts.n > max_shared).value)
    work.load()
    links = person_links(stores)
    name_birth = customers.name_key.concat("|", customers.birth_date.strftime("%Y-%m-%d"))
    carrying = (
        phone.isin(work.of(PHONE))
        | email.isin(work.of(EMAIL))
        | (name_birth.isin(work.of(NAME_BIRTH)) & phone.isnull() & email.isnull())
    )
    v[RECORD] |= _column_list(customers.filter(carrying.fill_null(False)).customer_id)
    work.load()
    v[_PERSON] = v[RECORD] | _column_list(
        links.filter(links.customer_id.isin(work.of(RECORD))).person_id
    )
    orders = wh.table("orders")
    v[_ORDER] = _column_list(orders.filter(orders.customer_id.isin(work.of(RECORD))).order_id)
    events = wh.table("events")
    v[_PSEUDO] = _column_list(
        events.filter(events.customer_id.isin(work.of(RECORD))).user_pseudo_id
    )
    answers = wh.table("survey_responses")
    v[_RESPONSE] = _column_list(
        answers.filter(answers.customer_id.isin(work.of(RECORD))).response_id
    )
    work.load()
    feedback = wh.table("feedback")
    v[FEEDBACK] |= _column_list(
        feedback.filter(
            feedback.customer_id.isin(work.of(RECORD)) | feedback.order_id.isin(work.of(_ORDER))
        ).feedback_id
    )
    v[LEAD] |= _matching_leads(stores, v)
    work.load()


def _matching_leads(stores: Stores, v: Values) -> set[str]:
    """Leads that became one of the records, or carry one of the phones or e-mails (a lead's
    phone is as written: it is normalised here)."""
    leads = stores.warehouse.table("leads").select(
        "lead_id", "phone", "email", "converted_customer_id"
    )
    found: set[str] = set()
    for batch in leads.to_pyarrow_batches(chunk_size=100_000):
        phones = normalize_phone(batch.column("phone")).values.to_pylist()
        for row, phone in zip(batch.to_pylist(), phones, strict=True):
            if (
                row["lead_id"] in v[LEAD]
                or row["converted_customer_id"] in v[RECORD]
                or (phone is not None and phone in v[PHONE])
                or _email(row["email"]) in v[EMAIL]
            ):
                found.add(str(row["lead_id"]))
    return found


# --- which rows of each table -----------------------------------------------------------


def _tables(stores: Stores, *, with_views: bool = False) -> list[str]:
    """Every table of the warehouse but work tables (``_...``), in a stable order; views (they
    show what tables hold, so there is nothing to erase in them) only ``with_views``."""
    views = set() if with_views else stores.warehouse.views()
    return sorted(
        t
        for t in stores.warehouse.backend.list_tables()
        if not t.startswith("_") and t not in views
    )


def _is_id_column(name: str) -> bool:
    return name in ("customer_id", "person_id") or name.endswith(("_customer_id", "_person_id"))


def _matches(
    name: str, t: ir.Table, work: _Work
) -> tuple[ir.BooleanValue | None, dict[str, ir.BooleanValue]]:
    """``(rows that are the person's, {reference column: rows that point at them})``."""
    canonical = name in TABLES_BY_NAME
    references = REFERENCE_COLUMNS.get(name, ())
    parts: list[ir.BooleanValue] = []
    cleared: dict[str, ir.BooleanValue] = {}
    for column, dtype in t.schema().items():
        if not dtype.is_string():
            continue
        col = t[column]
        if _is_id_column(column):
            # Canonical tables hold record ids; tables computed from them may hold person ids.
            test = col.isin(work.of(RECORD) if canonical else work.of(RECORD, _PERSON))
            if column in references:
                cleared[column] = test.fill_null(False)
                continue
        elif column == "order_id":
            test = col.isin(work.of(_ORDER))
        elif column == "feedback_id":
            test = col.isin(work.of(FEEDBACK))
        elif column == "lead_id":
            test = col.isin(work.of(LEAD))
        elif column == "user_pseudo_id":
            test = col.isin(work.of(_PSEUDO))
        elif column == "response_id":
            test = col.isin(work.of(_RESPONSE))
        elif column == "phone_e164":
            test = col.strip().isin(work.of(PHONE))
        elif column == "email":
            test = col.strip().lower().isin(work.of(EMAIL))
        else:
            continue
        parts.append(test)
    belongs = ibis.or_(*parts).fill_null(False) if parts else None
    return belongs, cleared


def _count(expr: ir.Table) -> int:
    return int(expr.count().to_pyarrow().as_py())


# --- files in the workspace -------------------------------------------------------------


@dataclass
class _Matcher:
    """Whether a value is one of the erased identifiers: in the plain values of this request,
    or hashing to a tombstone."""

    plain: Values
    keys: tuple[bytes, ...] = ()
    hashes: frozenset[str] = frozenset()

    def _hit(self, kind: str, value: str) -> bool:
        if value in self.plain.get(kind, ()):
            return True
        return any(_digest(key, kind, value) in self.hashes for key in self.keys)

    def is_erased_id(self, value: object) -> bool:
        text = str(value).strip()
        return bool(text) and any(self._hit(k, text) for k in (RECORD, LEAD, FEEDBACK))

    def cell(self, value: object) -> bool:
        """Whether a cell of a file (a JSON object is looked into) holds an identifier."""
        if value is None:
            return False
        if isinstance(value, dict):
            return any(self.cell(v) for v in value.values())
        if isinstance(value, list):
            return any(self.cell(v) for v in value)
        text = str(value).strip()
        if not text:
            return False
        if text.startswith("{") or text.startswith("["):
            try:
                return self.cell(json.loads(text))
            except ValueError:
                pass
        if self.is_erased_id(text):
            return True
        if "@" in text:
            return self._hit(EMAIL, text.lower())
        if sum(ch.isdigit() for ch in text) >= 8:
            phone = normalize_phone_one(text)
            return phone is not None and self._hit(PHONE, phone)
        return False


def _workspace_files(stores: Stores) -> list[tuple[str, Path]]:
    ws = stores.workspace
    out = [("quarantine", p) for p in sorted(ws.quarantine_dir.glob("*.parquet"))]
    out += [("demo_truth", p) for p in sorted((ws.demo_dir / "truth").glob("*.parquet"))]
    return out


def _file_keys(stores: Stores) -> tuple[bytes, ...]:
    return stores.keys.candidates() if stores.keys is not None else ()


def _matching_file_rows(
    stores: Stores, path: Path, matcher: _Matcher
) -> tuple[pa.Table, list[bool]]:
    # Quarantine files may be encrypted with the workspace key.
    rows = read_parquet(path, _file_keys(stores))
    strings = [
        n
        for n, f in zip(rows.column_names, rows.schema, strict=True)
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    flags = [False] * rows.num_rows
    for name in strings:
        for i, value in enumerate(rows.column(name).to_pylist()):
            if not flags[i] and matcher.cell(value):
                flags[i] = True
    return rows, flags


def _clean_files(stores: Stores, matcher: _Matcher) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind, path in _workspace_files(stores):
        rows, flags = _matching_file_rows(stores, path, matcher)
        removed = sum(flags)
        if not removed:
            continue
        kept = rows.filter(pa.array([not f for f in flags]))
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            # The file is written back as it was kept: personal data encrypted when the
            # workspace encrypts it (the quarantine), plain otherwise.
            if kind == "quarantine" or parquet_is_encrypted(path):
                with stores.private_parquet_writer(tmp, kept.schema) as writer:
                    writer.write_table(kept)
            else:
                pq.write_table(kept, tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        counts[kind] = counts.get(kind, 0) + removed
    return counts


# --- the app database -------------------------------------------------------------------


def _clean_persona(data: Mapping[str, Any], erased: Callable[[object], bool]) -> tuple[Any, int]:
    """A persona without the statements resting on erased texts, and how many went."""
    removed = 0
    sections: dict[str, Any] = {}
    for name, statements in dict(data.get("sections", {})).items():
        kept = []
        for statement in statements:
            ids = (statement.get("evidence") or {}).get("ids") or []
            if any(erased(i) for i in ids):
                removed += 1
            else:
                kept.append(statement)
        if not kept and statements:
            kept = [{**_MISSING_QUOTES, "key": name}]
        sections[name] = kept
    return ({**data, "sections": sections} if removed else data), removed


def _clean_app_db(stores: Stores, matcher: _Matcher) -> dict[str, int]:
    counts = {"identity_overrides": 0, "persona_statements": 0}
    with stores.app_db.session() as session:
        for override in list(session.scalars(select(IdentityOverride))):
            if matcher.is_erased_id(override.customer_id) or (
                override.other_customer_id and matcher.is_erased_id(override.other_customer_id)
            ):
                session.delete(override)
                counts["identity_overrides"] += 1
        for record in session.scalars(select(PersonaRecord)):
            cleaned, removed = _clean_persona(dict(record.data), matcher.is_erased_id)
            if removed:
                record.data = cleaned
                counts["persona_statements"] += removed
    return {k: n for k, n in counts.items() if n}


# --- erasing ----------------------------------------------------------------------------


def _erase_scope(stores: Stores, work: _Work, matcher: _Matcher) -> dict[str, int]:
    """Remove every row in scope from every table (swapped in at once), then from the app
    database and the workspace's files; the number of rows removed per table."""
    wh = stores.warehouse
    backend = wh.backend
    had_links = wh.has_table(LINKS_TABLE)
    run = uuid.uuid4().hex[:8]
    counts: dict[str, int] = {}
    replacements: dict[str, str] = {}
    try:
        for name in _tables(stores):
            t = wh.table(name)
            belongs, cleared = _matches(name, t, work)
            removed = _count(t.filter(belongs)) if belongs is not None else 0
            changed = _count(t.filter(ibis.or_(*cleared.values()))) if cleared else 0
            if not removed and not changed:
                continue
            counts[name] = removed + changed
            kept = t.filter(~belongs) if belongs is not None and removed else t
            if changed:
                kept = kept.mutate(**{
                    c: kept[c].isin(work.of(RECORD)).fill_null(False).ifelse(
                        ibis.null(kept[c].type()), kept[c]
                    )
                    for c in cleared
                })  # fmt: skip
            target = f"{_WORK_PREFIX}{run}_{name}"
            spec = TABLES_BY_NAME.get(name)
            if spec is not None:
                # A canonical table keeps its schema, constraints included.
                backend.create_table(target, schema=ibis.schema(spec.ibis_schema()), overwrite=True)
                replacements[name] = target
                backend.insert(target, kept.select(*spec.column_names))
            else:
                backend.create_table(target, kept, overwrite=True)
                replacements[name] = target
        if replacements:
            wh.swap_in(replacements)
            replacements = {}
    finally:
        for target in replacements.values():
            backend.drop_table(target, force=True)
    # Overrides naming an erased record go before identities are resolved again (a manual
    # merge would otherwise link the erased id back in).
    counts.update(_clean_app_db(stores, matcher))
    if had_links and counts.get("customers"):
        # Golden records of people who shared a record with the erased are made again.
        resolve_identities(stores)
    counts.update(_clean_files(stores, matcher))
    return counts


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure removed (counts only: nothing that names the person)."""

    erasure_id: int
    erased_at: str
    records: int
    rows: int
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _hashes(key: bytes, values: Values) -> list[str]:
    return sorted({_digest(key, kind, value) for kind in TOMBSTONE_KINDS for value in values[kind]})


def subject_erase(stores: Stores, identifier: str) -> ErasureReport:
    """Erase everything held about a person (see the module docstring), keeping only a
    tombstone of keyed hashes and counts."""
    require("subjects.manage")
    subject = find_subject(stores, identifier)
    key = tombstone_key(stores)
    work = _Work(stores)
    try:
        own = _subject_values(stores, subject)
        _build_scope(stores, own, work)
        scope = work.values
        # The tombstone keeps every erased id, and only the person's own identifiers (those
        # left after the shared-identifier rule), so that applying it again finds nothing.
        kept = {
            **scope,
            PHONE: own[PHONE] & scope[PHONE],
            EMAIL: own[EMAIL] & scope[EMAIL],
            NAME_BIRTH: own[NAME_BIRTH],
        }
        hashes = _hashes(key, kept)
        now = datetime.now(UTC)
        # The tombstone is written first: an erasure cut short is finished by apply_erasures.
        with stores.app_db.session() as session:
            tombstone = Erasure(erased_at=now, identifier_hashes=hashes, counts={})
            session.add(tombstone)
            session.flush()
            erasure_id = int(tombstone.id)
        keys = _tombstone_keys(stores)
        counts = _erase_scope(stores, work, _Matcher(scope, keys, frozenset(hashes)))
    finally:
        work.drop()
    with stores.app_db.session() as session:
        stored = session.get(Erasure, erasure_id)
        if stored is not None:
            stored.counts = dict(counts)
    total = sum(counts.values())
    audit.record(
        stores, "subject.erase", rows=total, details={"erasure": erasure_id, "counts": counts}
    )
    return ErasureReport(erasure_id, now.isoformat(), counts.get("customers", 0), total, counts)


def _distinct(columns: list[ir.Value]) -> Iterator[pa.RecordBatch]:
    """The distinct values of ``columns`` (of any tables), in batches."""
    if not columns:
        return
    # Required and optional columns differ in type for a set operation: all are made optional.
    union = ibis.union(*[c.cast("string").name("value").as_table() for c in columns], distinct=True)
    yield from union.to_pyarrow_batches(chunk_size=200_000)


def _found_values(
    stores: Stores, keys: tuple[bytes, ...], hashes: frozenset[str], import_batch: str | None
) -> Values:
    """Values in the warehouse (in the rows of ``import_batch`` only, when given) that hash
    to one of ``hashes``, by kind."""
    wh = stores.warehouse
    candidates: dict[str, list[ir.Value]] = {k: [] for k in TOMBSTONE_KINDS}
    raw_phones: list[ir.Value] = []
    for name in _tables(stores):
        t = wh.table(name)
        schema = t.schema()
        if import_batch is not None:
            if "import_batch" not in schema:
                continue
            t = t.filter(t.import_batch == import_batch)
        for column, dtype in schema.items():
            if not dtype.is_string():
                continue
            col = t[column]
            if _is_id_column(column):
                candidates[RECORD].append(col)
            elif column == "lead_id":
                candidates[LEAD].append(col)
            elif column == "feedback_id":
                candidates[FEEDBACK].append(col)
            elif column == "phone_e164":
                candidates[PHONE].append(col.strip())
            elif column == "phone":
                raw_phones.append(col)
            elif column == "email":
                candidates[EMAIL].append(col.strip().lower())
        if (
            "name_key" in schema
            and "birth_date" in schema
            and schema["name_key"].is_string()
            and schema["birth_date"].is_date()
        ):
            name_birth = t.name_key.concat("|", t.birth_date.strftime("%Y-%m-%d"))
            candidates[NAME_BIRTH].append(name_birth)
    found = _empty()

    def check(kind: str, values: Iterable[object]) -> None:
        for value in values:
            if value is None:
                continue
            text = str(value)
            if any(_digest(key, kind, text) in hashes for key in keys):
                found[kind].add(text)

    for kind, columns in candidates.items():
        for batch in _distinct(columns):
            check(kind, batch.column("value").to_pylist())
    # Phones as written (leads, raw customer phones) are compared in E.164 form.
    for batch in _distinct(raw_phones):
        check(PHONE, pc.drop_null(normalize_phone(batch.column("value")).values).to_pylist())
    return found


def apply_erasures(stores: Stores, *, import_batch: str | None = None) -> dict[str, int]:
    """Erase again whatever hashes to a tombstone; rows removed per table (empty: nothing).

    Called after a backup is restored (the backup may be older than an erasure), and meant
    to be called at the end of each successful import (a file exported before an erasure
    may bring the person back): with ``import_batch``, only the rows that import loaded are
    searched for erased identifiers (what they lead to is erased everywhere, as always), so
    an import does not read the whole warehouse again. Quarantine files and the app database
    are always searched. It needs no permission of its own: it only carries out erasures
    already decided. The keys of the result are table names, plus ``identity_overrides``,
    ``persona_statements``, ``quarantine`` and ``demo_truth``.
    """
    with stores.app_db.session() as session:
        stored = [list(h or []) for h in session.scalars(select(Erasure.identifier_hashes))]
    hashes = frozenset(h for group in stored for h in group)
    if not hashes:
        return {}
    keys = _tombstone_keys(stores)
    seeds = _found_values(stores, keys, hashes, import_batch)
    work = _Work(stores)
    try:
        if any(seeds.values()):
            _build_scope(stores, seeds, work)
            counts = _erase_scope(stores, work, _Matcher(work.values, keys, hashes))
        else:
            # Nothing in the warehouse; a restored app database or file may still hold some.
            matcher = _Matcher(_empty(), keys, hashes)
            counts = {**_clean_app_db(stores, matcher), **_clean_files(stores, matcher)}
    finally:
        work.drop()
    if counts:
        audit.record(
            stores,
            "subject.erase",
            rows=sum(counts.values()),
            details={"reapplied": True, "counts": counts},
        )
    return counts


# --- exporting --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """``value`` as JSON data: dates and times in ISO form."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _rows(expr: ir.Table) -> list[dict[str, Any]]:
    return [_plain(r) for r in expr.to_pyarrow().to_pylist()]


def subject_export(stores: Stores, identifier: str) -> dict[str, Any]:
    """Everything held about a person, as JSON data.

    The export holds the person's own records (those identity resolution links to them) and
    every row about them; records of others that merely carry their phone or e-mail are not
    handed over (they are someone else's), only counted in
    ``records_sharing_identifiers``: an erasure removes those too.
    """
    require("subjects.manage")
    subject = find_subject(stores, identifier)
    wh = stores.warehouse
    own = _subject_values(stores, subject)
    work = _Work(stores)
    try:
        _build_scope(stores, {RECORD: own[RECORD]}, work)
        scope = {**work.values, PHONE: own[PHONE], EMAIL: own[EMAIL]}
        sharing = _sharing(stores, own)
        tables: dict[str, list[dict[str, Any]]] = {}
        for name in _tables(stores, with_views=True):
            t = wh.table(name)
            belongs, cleared = _matches(name, t, work)
            tests = [*([belongs] if belongs is not None else []), *cleared.values()]
            if not tests:
                continue
            rows = _rows(t.filter(ibis.or_(*tests)))
            if rows:
                tables[name] = rows
    finally:
        work.drop()
    matcher = _Matcher(scope)
    golden = next(
        (r for r in tables.get(PEOPLE_TABLE, []) if r.get("person_id") == subject.person_id),
        None,
    )
    snapshot_ids = {
        int(r["snapshot_id"])
        for r in tables.get("segment_snapshot_members", [])
        if "snapshot_id" in r
    }
    data: dict[str, Any] = {
        "subject": {"person_id": subject.person_id, "record_ids": list(subject.record_ids)},
        "exported_at": datetime.now(UTC).isoformat(),
        "golden_record": golden,
        "records_sharing_identifiers": sharing,
        "tables": tables,
        "segment_snapshots": _snapshots(stores, snapshot_ids),
        "personas": _quoting_personas(stores, matcher),
        "identity_overrides": _overrides(stores, matcher),
        "quarantine": _file_rows(stores, matcher),
    }
    audit.record(
        stores,
        "subject.export",
        target=subject.person_id,
        rows=sum(len(rows) for rows in tables.values()),
        details={"records": len(subject.record_ids)},
    )
    return data


def _sharing(stores: Stores, own: Values) -> int:
    """Records of others carrying one of the person's phones or e-mails."""
    customers = stores.warehouse.table("customers")
    phone = customers.phone_e164.strip().isin(sorted(own[PHONE]))
    carrying = phone | customers.email.strip().lower().isin(sorted(own[EMAIL]))
    others = customers.filter(
        carrying.fill_null(False) & ~customers.customer_id.isin(sorted(own[RECORD]))
    )
    return _count(others)


def _snapshots(stores: Stores, ids: set[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    with stores.app_db.session() as session:
        rows = session.execute(
            select(SegmentSnapshot, SavedSegment.name)
            .join(SavedSegment, SavedSegment.id == SegmentSnapshot.segment_id, isouter=True)
            .where(SegmentSnapshot.id.in_(sorted(ids)))
            .order_by(SegmentSnapshot.id)
        ).all()
        return [
            {"snapshot_id": s.id, "segment": name, "taken_at": s.taken_at.isoformat(),
             "rule": s.rule}
            for s, name in rows
        ]  # fmt: skip


def _quoting_personas(stores: Stores, matcher: _Matcher) -> list[dict[str, Any]]:
    out = []
    with stores.app_db.session() as session:
        for record in session.scalars(select(PersonaRecord).order_by(PersonaRecord.version)):
            data: dict[str, Any] = dict(record.data)
            sections: dict[str, Any] = data.get("sections") or {}
            for section, statements in sections.items():
                for statement in statements:
                    ids = (statement.get("evidence") or {}).get("ids") or []
                    quoted = [i for i in ids if matcher.is_erased_id(i)]
                    if quoted:
                        out.append({
                            "version": record.version, "persona_id": record.persona_id,
                            "section": section, "key": statement.get("key"), "ids": quoted,
                            "text": (statement.get("params") or {}).get("quote"),
                        })  # fmt: skip
    return out


def _overrides(stores: Stores, matcher: _Matcher) -> list[dict[str, Any]]:
    with stores.app_db.session() as session:
        return [
            {"id": o.id, "kind": o.kind, "customer_id": o.customer_id,
             "other_customer_id": o.other_customer_id, "created_at": o.created_at.isoformat(),
             "active": o.active}
            for o in session.scalars(select(IdentityOverride).order_by(IdentityOverride.id))
            if matcher.is_erased_id(o.customer_id)
            or (o.other_customer_id and matcher.is_erased_id(o.other_customer_id))
        ]  # fmt: skip


def _file_rows(stores: Stores, matcher: _Matcher) -> list[dict[str, Any]]:
    out = []
    for kind, path in _workspace_files(stores):
        if kind != "quarantine":
            continue
        rows, flags = _matching_file_rows(stores, path, matcher)
        out += [_plain(r) for r, f in zip(rows.to_pylist(), flags, strict=True) if f]
    return out


__all__ = [
    "ErasureReport",
    "Subject",
    "apply_erasures",
    "find_subject",
    "subject_erase",
    "subject_export",
    "tombstone_key",
]
