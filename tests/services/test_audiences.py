"""Audience exports: consented members only, safe in a spreadsheet, masked, audited."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from chandung.errors import AccessDenied, InputError
from chandung.privacy.context import acting_as
from chandung.privacy.roles import Principal
from chandung.services.analysis import run_analysis
from chandung.services.audiences import export_audience
from chandung.services.consents import record_consent
from chandung.services.demo import generate_demo
from chandung.services.personas import generate_personas, get_persona
from chandung.services.segments import create_segment
from chandung.services.stores import Stores, open_stores
from chandung.store.app_models import AuditEntry
from chandung.workspace import Workspace

EVIL = '=HYPERLINK("http://evil.example","Bấm vào đây")'


def expected_consented(stores: Stores, channel: str) -> set[str]:
    """People whose latest marketing entry applying to ``channel`` is a consent, computed
    here from the ledger row by row."""
    wh = stores.warehouse
    person = {
        r["customer_id"]: r["person_id"]
        for r in wh.table("customer_links").to_pyarrow().to_pylist()
    }
    latest: dict[str, tuple[datetime, bool, str]] = {}
    for e in wh.table("consents").to_pyarrow().to_pylist():
        if e["purpose"] != "marketing" or (e["channel"] or channel) != channel:
            continue
        key = (e["recorded_at"], e["status"] == "withdrawn", e["status"])
        who = person.get(e["customer_id"], e["customer_id"])
        if who not in latest or key[:2] > latest[who][:2]:
            latest[who] = key
    return {p for p, (_, _, status) in latest.items() if status == "given"}


def contacts(stores: Stores) -> dict[str, dict[str, Any]]:
    people = stores.warehouse.table("people").to_pyarrow().to_pylist()
    return {p["person_id"]: p for p in people}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audiences") / "shop"
    with open_stores(Workspace.open(path)) as stores:
        generate_demo(stores, customers=400, seed=1)
        run_analysis(stores)
        generate_personas(stores)
        create_segment(stores, "Everyone", "records >= 1")
        people = contacts(stores)
        with_phone = sorted(p for p, row in people.items() if row["phone_e164"])
        withdrawn, evil = with_phone[0], with_phone[1]
        # One gave Zalo, then withdrew everything; the other withdrew Zalo, then gave it.
        record_consent(stores, withdrawn, "marketing", "zalo", "given", method="a",
                       at=datetime(2026, 7, 1))  # fmt: skip
        record_consent(stores, withdrawn, "marketing", None, "withdrawn", method="b",
                       at=datetime(2026, 7, 2))  # fmt: skip
        record_consent(stores, evil, "marketing", "zalo", "withdrawn", method="a",
                       at=datetime(2026, 7, 1))  # fmt: skip
        record_consent(stores, evil, "marketing", "zalo", "given", method="b",
                       at=datetime(2026, 7, 2))  # fmt: skip
        # The name reaches the golden record from the person's records.
        stores.warehouse.backend.raw_sql(
            f"UPDATE customers SET full_name = '{EVIL}' WHERE customer_id IN "
            f"(SELECT customer_id FROM customer_links WHERE person_id = '{evil}')"
        )
        run_analysis(stores)
        (path / "withdrawn.txt").write_text(withdrawn, "utf-8")
    return path


@pytest.fixture
def stores(home: Path) -> Iterator[Stores]:
    with open_stores(Workspace.open(home)) as s:
        yield s


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def audit_entries(stores: Stores) -> int:
    with stores.app_db.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_only_consented_members_with_a_contact(stores: Stores, tmp_path: Path) -> None:
    out = tmp_path / "zalo.csv"
    report = export_audience(
        stores, segment="Everyone", channel="zalo", purpose="Tết reactivation", path=out,
        fmt="csv",
    )  # fmt: skip
    got = read_csv(out)
    people = contacts(stores)
    consented = expected_consented(stores, "zalo")
    expected = {p for p in consented if p in people and people[p]["phone_e164"]}
    assert list(got[0]) == ["person_id", "display_name", "phone"]
    assert {r["person_id"] for r in got} == expected and len(got) == len(expected)
    assert report.rows == len(got) and report.consented == len(consented & set(people))
    assert report.members == len(people) and not report.masked
    by_id = {r["person_id"]: r for r in got}
    for person, row in by_id.items():
        assert row["phone"] == people[person]["phone_e164"]
    # The one who withdrew everything is out; the name that is a formula is made harmless.
    withdrawn = (stores.workspace.home / "withdrawn.txt").read_text("utf-8")
    assert people[withdrawn]["phone_e164"] and withdrawn not in by_id
    evil = next(p for p, row in people.items() if row["full_name"] == EVIL)
    assert by_id[evil]["display_name"] == "'" + EVIL
    assert not any(r["display_name"].lstrip().startswith(("=", "+", "-", "@")) for r in got)
    assert not any(p in by_id for p in people if p not in consented)
    with stores.app_db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None
        assert (entry.target, entry.rows, entry.purpose) == (
            "audience:segment:Everyone",
            len(got),
            "Tết reactivation",
        )
        assert entry.details["channel"] == "zalo" and entry.details["file"] == "zalo.csv"


def test_a_purpose_is_required(stores: Stores, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    before = audit_entries(stores)
    for purpose in ("", "   "):
        with pytest.raises(InputError) as caught:
            export_audience(
                stores, segment="Everyone", channel="zalo", purpose=purpose, path=out, fmt="csv"
            )
        assert caught.value.code == "audience.purpose"
    assert not out.exists() and audit_entries(stores) == before


def test_masked_without_the_personal_data_permission(stores: Stores, tmp_path: Path) -> None:
    out = tmp_path / "masked.json"
    with acting_as(Principal("m", "marketer")):
        report = export_audience(
            stores, segment="Everyone", channel="facebook", purpose="lookalike seed", path=out,
            fmt="json",
        )  # fmt: skip
    got = json.loads(out.read_text("utf-8"))
    people = contacts(stores)
    assert report.masked and report.rows == len(got) > 0
    assert list(got[0]) == ["person_id", "display_name", "phone", "email"]
    real = {v for p in people.values() for v in (p["full_name"], p["phone_e164"], p["email"]) if v}
    for row in got:
        assert not {row["display_name"], row["phone"], row["email"]} & real
        assert row["phone"] is None or "***" in row["phone"]
        assert row["email"] is None or "***" in row["email"]
    # The principal that is no marketer with the grant sees it whole.
    grant = Principal("m2", "marketer", grants=frozenset({"personal_data.read"}))
    with acting_as(grant):
        whole = export_audience(
            stores, segment="Everyone", channel="facebook", purpose="lookalike seed",
            path=tmp_path / "whole.json", fmt="json",
        )  # fmt: skip
    assert not whole.masked and whole.rows == report.rows


def test_denied_to_a_viewer(stores: Stores, tmp_path: Path) -> None:
    out = tmp_path / "v.csv"
    with acting_as(Principal("v", "viewer")), pytest.raises(AccessDenied):
        export_audience(stores, segment="Everyone", channel="zalo", purpose="x", path=out)
    assert not out.exists()


def test_a_personas_audience(stores: Stores, tmp_path: Path) -> None:
    out = tmp_path / "p1.parquet"
    report = export_audience(
        stores, persona="P1", channel="email", purpose="newsletter", path=out, fmt="parquet"
    )
    got = pq.read_table(out).to_pylist()
    persona = get_persona(stores, "P1")
    assignments = stores.warehouse.table("segment_assignments")
    members = set(
        assignments.filter(
            (assignments.segmentation_id == persona.segment["segmentation_id"])
            & (assignments.segment_id == persona.segment["id"])
        )
        .customer_id.to_pyarrow()
        .to_pylist()
    )
    consented = expected_consented(stores, "email")
    people = contacts(stores)
    expected = {p for p in members & consented if people[p]["email"]}
    assert {r["person_id"] for r in got} == expected and report.rows == len(expected)
    assert report.members == len(members) and report.source == "persona"
    assert all(r["email"] == people[r["person_id"]]["email"] for r in got)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"segment": "Everyone", "persona": "P1"}, "audience.source"),
        ({}, "audience.source"),
        ({"segment": "Everyone", "channel": "pigeon"}, "consent.channel"),
        ({"segment": "Everyone", "fmt": "xlsx"}, "input.export_format"),
    ],
)
def test_bad_requests(stores: Stores, tmp_path: Path, kwargs: dict[str, Any], code: str) -> None:
    args: dict[str, Any] = {"channel": "zalo", "purpose": "x", "path": tmp_path / "o", **kwargs}
    with pytest.raises(InputError) as caught:
        export_audience(stores, **args)
    assert caught.value.code == code
