"""Data-subject requests on a small demo business: export, erase, tombstones re-applied."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy import select

from chandung.errors import AccessDenied, InputError, NotFoundError
from chandung.privacy.context import acting_as
from chandung.privacy.fields import parquet_is_encrypted
from chandung.privacy.roles import Principal
from chandung.schema import TABLES
from chandung.services.analysis import run_analysis
from chandung.services.demo import generate_demo
from chandung.services.personas import generate_personas, load_personas
from chandung.services.quarantine import QUARANTINE_SCHEMA
from chandung.services.segments import create_segment, snapshot_segment
from chandung.services.stores import Stores, open_stores, read_private_parquet
from chandung.services.subjects import apply_erasures, find_subject, subject_erase, subject_export
from chandung.store.app_models import AuditEntry, Erasure, IdentityOverride, PersonaRecord
from chandung.workspace import Workspace
from tests.conftest import rows


@dataclass(frozen=True)
class Demo:
    home: Path
    author: str
    person_id: str
    records: tuple[str, ...]
    phones: frozenset[str]
    raw_phones: frozenset[str]
    emails: frozenset[str]
    quote_id: str
    quote: str
    other_id: str


def _national(phone: str) -> str:
    """``+84912345678`` as a person would type it: ``0912 345 678``."""
    digits = "0" + phone.removeprefix("+84")
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"


def _pick_subject(stores: Stores) -> tuple[str, str, str]:
    """A person quoted in a persona who has orders, a phone and an e-mail."""
    wh = stores.warehouse
    feedback = wh.table("feedback").to_pyarrow().to_pylist()
    authors = {f["feedback_id"]: f["customer_id"] for f in feedback}
    customers = {c["customer_id"]: c for c in wh.table("customers").to_pyarrow().to_pylist()}
    buyers = set(wh.table("orders").customer_id.to_pyarrow().to_pylist())
    for persona in load_personas(stores):
        for statement in persona.sections.get("quotes", []):
            if statement.evidence is None:
                continue
            fid = statement.evidence.ids[0]
            author = customers.get(authors.get(fid) or "")
            if (
                author
                and author["phone_e164"]
                and author["email"]
                and author["customer_id"] in buyers
            ):
                return author["customer_id"], fid, str(statement.params["quote"])
    raise AssertionError("no quoted buyer with a phone and an e-mail in the demo")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    home = tmp_path_factory.mktemp("subjects") / "shop"
    with open_stores(Workspace.open(home)) as stores:
        generate_demo(stores, customers=400, seed=1)
        run_analysis(stores)
        generate_personas(stores)
        create_segment(stores, "Everyone", "records >= 1")
        snapshot_segment(stores, "Everyone")
        record_id, quote_id, quote = _pick_subject(stores)
        subject = find_subject(stores, record_id)
        customers = stores.warehouse.table("customers")
        own = customers.filter(customers.customer_id.isin(list(subject.record_ids)))
        own_rows = own.to_pyarrow().to_pylist()
        phones = frozenset(r["phone_e164"] for r in own_rows if r["phone_e164"])
        emails = frozenset(r["email"].lower() for r in own_rows if r["email"])
        raw = frozenset(r["phone"] for r in own_rows if r["phone"])
        other = customers.filter(~customers.customer_id.isin(list(subject.record_ids)))
        other_id = str(other.customer_id.min().to_pyarrow().as_py())
        with stores.app_db.session() as session:
            now = datetime.now(UTC)
            session.add(IdentityOverride(
                kind="merge", customer_id=record_id, other_customer_id=other_id, created_at=now
            ))  # fmt: skip
            session.add(IdentityOverride(kind="split", customer_id=other_id, created_at=now))
        # A quarantined row carrying their phone as typed, and one of somebody else.
        phone = sorted(phones)[0]
        record = json.dumps({"ho_ten": "?", "sdt": _national(phone)}, ensure_ascii=False)
        quarantined = pa.table(
            {"import_batch": ["batch-1", "batch-1"], "kind": ["quarantine", "quarantine"],
             "row": [3, 4], "column": ["ngay_sinh", "ngay_sinh"], "value": ["31/02", "32/01"],
             "reason": ["date.invalid", "date.invalid"],
             "record": [record, json.dumps({"sdt": "0900000000"})]},
            schema=QUARANTINE_SCHEMA,
        )  # fmt: skip
        stores.workspace.quarantine_dir.mkdir(parents=True, exist_ok=True)
        path = stores.workspace.quarantine_dir / "batch-1.parquet"
        with stores.private_parquet_writer(path, QUARANTINE_SCHEMA) as writer:
            writer.write_table(quarantined)
    return Demo(
        home, record_id, subject.person_id, subject.record_ids, phones, raw, emails, quote_id,
        quote, other_id,
    )  # fmt: skip


@pytest.fixture
def shared(demo: Demo) -> Iterator[Stores]:
    """The module's workspace, for tests that change nothing but the audit log."""
    with open_stores(Workspace.open(demo.home)) as stores:
        yield stores


@pytest.fixture
def shop(demo: Demo, tmp_path: Path) -> Iterator[Stores]:
    """A copy of the module's workspace, for tests that change it."""
    copy = tmp_path / "shop"
    shutil.copytree(demo.home, copy)
    with open_stores(Workspace.open(copy)) as stores:
        yield stores


def _needles(demo: Demo) -> set[str]:
    return {*demo.records, demo.person_id, *demo.phones, *demo.raw_phones, *demo.emails}


def occurrences(stores: Stores, needles: set[str]) -> dict[str, int]:
    """Rows of every warehouse table holding one of ``needles`` in a text column."""
    wh = stores.warehouse
    found: dict[str, int] = {}
    lowered = [n.lower() for n in needles]
    for name in wh.backend.list_tables():
        if name.startswith("_"):
            continue
        t = wh.table(name)
        tests = [
            t[c].strip().lower().isin(lowered)
            for c, dtype in t.schema().items()
            if dtype.is_string()
        ]
        if not tests:
            continue
        hit = tests[0]
        for test in tests[1:]:
            hit = hit | test
        n = int(t.filter(hit.fill_null(False)).count().to_pyarrow().as_py())
        if n:
            found[name] = n
    return found


def _quote_ids(stores: Stores) -> set[str]:
    with stores.app_db.session() as session:
        data = [r.data for r in session.scalars(select(PersonaRecord))]
    return {
        i
        for d in data
        for statements in d["sections"].values()  # type: ignore[union-attr]
        for s in statements
        for i in (s.get("evidence") or {}).get("ids", [])
    }


def _audit(stores: Stores, action: str) -> list[AuditEntry]:
    with stores.app_db.session() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        for e in entries:
            session.expunge(e)
    return entries


# --- export ------------------------------------------------------------------------------


def test_export_holds_everything_about_the_person(demo: Demo, shared: Stores) -> None:
    data = subject_export(shared, demo.records[-1])
    json.dumps(data)  # JSON as it is
    assert data["subject"] == {"person_id": demo.person_id, "record_ids": list(demo.records)}
    assert data["golden_record"]["person_id"] == demo.person_id
    assert data["records_sharing_identifiers"] == 0
    tables = data["tables"]
    assert {c["customer_id"] for c in tables["customers"]} >= set(demo.records)
    orders = tables["orders"]
    assert orders and {o["customer_id"] for o in orders} <= set(demo.records)
    assert re.match(r"\d{4}-\d\d-\d\dT", orders[0]["ordered_at"])
    lines = {i["order_id"] for i in tables["order_items"]}
    assert lines and lines <= {o["order_id"] for o in orders}
    assert demo.quote_id in {f["feedback_id"] for f in tables["feedback"]}
    for name in ("consents", "customer_links", "people", "customer_value", "segment_base",
                 "segment_assignments", "segment_snapshot_members"):  # fmt: skip
        assert name in tables, name
    assert [s["segment"] for s in data["segment_snapshots"]] == ["Everyone"]
    assert any(p["text"] == demo.quote and demo.quote_id in p["ids"] for p in data["personas"])
    assert [o["customer_id"] for o in data["identity_overrides"]] == [demo.author]
    assert len(data["quarantine"]) == 1 and data["quarantine"][0]["row"] == 3
    # Found the same by their person id; and the request is in the audit log, without data.
    assert subject_export(shared, demo.person_id)["subject"] == data["subject"]
    entry = _audit(shared, "subject.export")[-1]
    assert entry.target == demo.person_id and entry.rows
    assert not any(n in json.dumps(entry.details) for n in demo.phones | demo.emails)


def test_requests_need_the_permission(demo: Demo, shared: Stores) -> None:
    for role in ("analyst", "marketer", "viewer"):
        with acting_as(Principal("someone", role)):
            with pytest.raises(AccessDenied):
                subject_export(shared, demo.person_id)
            with pytest.raises(AccessDenied):
                subject_erase(shared, demo.person_id)


def test_an_unknown_person_is_not_found(shared: Stores) -> None:
    with pytest.raises(NotFoundError):
        subject_export(shared, "NO-SUCH-ID")
    with pytest.raises(InputError):
        subject_erase(shared, "  ")


# --- erase -------------------------------------------------------------------------------


def test_erase_removes_the_person_everywhere_and_keeps_a_tombstone(
    demo: Demo, shop: Stores
) -> None:
    wh = shop.warehouse
    needles = _needles(demo)
    before = occurrences(shop, needles)
    assert {"customers", "orders", "people", "customer_links", "consents"} <= set(before)
    # What an old backup holds of them: every canonical row of theirs.
    scope = subject_export(shop, demo.person_id)["tables"]
    originals = {}
    for spec in TABLES:
        if scope.get(spec.name):
            full = wh.table(spec.name).to_pyarrow()
            keys = {tuple(r[k] for k in spec.primary_key) for r in scope[spec.name]}
            mask = [tuple(r[k] for k in spec.primary_key) in keys for r in full.to_pylist()]
            originals[spec.name] = full.filter(pa.array(mask))
    other_orders = wh.table("orders").count().to_pyarrow().as_py() - len(scope["orders"])

    report = subject_erase(shop, demo.records[0])

    assert report.records >= len(demo.records)
    assert report.counts["orders"] == len(scope["orders"])
    assert report.counts["persona_statements"] >= 1 and report.counts["quarantine"] == 1
    assert occurrences(shop, needles) == {}
    assert wh.table("orders").count().to_pyarrow().as_py() == other_orders
    feedback = wh.table("feedback")
    assert not feedback.filter(feedback.text == demo.quote).count().to_pyarrow().as_py()
    # The app database: overrides naming them gone (others kept), quotes of theirs replaced.
    with shop.app_db.session() as session:
        overrides = [o.customer_id for o in session.scalars(select(IdentityOverride))]
        personas = [json.dumps(r.data, ensure_ascii=False) for r in session.scalars(
            select(PersonaRecord))]  # fmt: skip
        tombstones = list(session.scalars(select(Erasure)))
    assert overrides == [demo.other_id]
    assert demo.quote_id not in _quote_ids(shop)
    assert not any(demo.quote in p for p in personas)
    # The quarantined row with their phone went, the other stayed.
    quarantine = shop.workspace.quarantine_dir / "batch-1.parquet"
    assert read_private_parquet(shop.workspace, quarantine).column("row").to_pylist() == [4]
    assert parquet_is_encrypted(quarantine) == shop.workspace.settings.security.encrypt_at_rest
    # Only an anonymous record is kept: keyed hashes and counts.
    assert len(tombstones) == 1
    stone = tombstones[0]
    assert stone.counts == report.counts
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stone.identifier_hashes)
    kept_text = json.dumps([stone.identifier_hashes, stone.counts], ensure_ascii=False).lower()
    assert not any(n.lower() in kept_text for n in needles)
    entry = _audit(shop, "subject.erase")[-1]
    assert entry.target == "" and entry.rows == report.rows
    assert not any(n.lower() in json.dumps(entry.details).lower() for n in needles)
    # Nothing is left to erase again.
    assert apply_erasures(shop) == {}
    with pytest.raises(NotFoundError):
        subject_export(shop, demo.person_id)

    # An older backup comes back: their rows return, and the tombstone erases them again.
    for name, table in originals.items():
        wh.append(name, table)
    assert occurrences(shop, needles)
    counts = apply_erasures(shop)
    assert counts["customers"] == len(originals["customers"])
    assert counts["orders"] == len(scope["orders"])
    assert occurrences(shop, needles) == {}

    # A re-import gives them a new record id, and a lead is typed in by hand: the rows of
    # that import are searched, and found by the phone and e-mail.
    phone, email = sorted(demo.phones)[0], sorted(demo.emails)[0]
    wh.append("customers", rows("customers", [
        {"customer_id": "REIMPORT-1", "phone_e164": phone, "full_name": "X"},
        {"customer_id": "REIMPORT-2", "email": email.upper(), "full_name": "Y"},
    ]))  # fmt: skip
    wh.append("leads", rows("leads", [
        {"lead_id": "LEAD-NEW", "phone": _national(phone), "created_at": datetime(2026, 1, 1)},
    ]))  # fmt: skip
    assert apply_erasures(shop, import_batch="another-import") == {}
    counts = apply_erasures(shop, import_batch="test")
    assert (counts["customers"], counts["leads"]) == (2, 1)
    assert occurrences(shop, needles | {"REIMPORT-1", "REIMPORT-2", "LEAD-NEW"}) == {}
    assert apply_erasures(shop) == {}


def test_shared_identifiers_and_references(demo: Demo, shop: Stores) -> None:
    wh = shop.warehouse
    phone = sorted(demo.phones)[0]
    # A switchboard number held by many records identifies nobody: those records stay.
    switchboard = [
        {"customer_id": f"SHARED-{i}", "phone_e164": phone, "full_name": f"Z {i}"}
        for i in range(shop.workspace.settings.identity.max_shared_identifier + 1)
    ]
    wh.append("customers", rows("customers", switchboard))
    # Another record with their e-mail (a family member's, say) is not handed over with
    # their data, but is erased with them: it carries their identifier.
    email = sorted(demo.emails)[0]
    wh.append("customers", rows("customers", [{"customer_id": "SISTER", "email": email}]))
    data = subject_export(shop, demo.person_id)
    assert {c["customer_id"] for c in data["tables"]["customers"]} == set(demo.records)
    assert data["records_sharing_identifiers"] == len(switchboard) + 1
    wh.append("accounts", rows("accounts", [
        {"account_id": "ACME", "name": "Acme", "decision_maker_customer_id": demo.records[0]},
    ]))  # fmt: skip
    subject_erase(shop, demo.person_id)
    customers = wh.table("customers")
    left = set(customers.filter(customers.customer_id.startswith("SHARED-")).customer_id
               .to_pyarrow().to_pylist())  # fmt: skip
    assert left == {r["customer_id"] for r in switchboard}
    assert not customers.filter(customers.customer_id == "SISTER").count().to_pyarrow().as_py()
    assert (
        not customers.filter(customers.customer_id.isin(list(demo.records)))
        .count()
        .to_pyarrow()
        .as_py()
    )
    # A company naming them as its decision maker keeps its row, without the reference.
    accounts = wh.table("accounts")
    acme = accounts.filter(accounts.account_id == "ACME").to_pyarrow().to_pylist()
    assert len(acme) == 1 and acme[0]["decision_maker_customer_id"] is None
    assert apply_erasures(shop) == {}
