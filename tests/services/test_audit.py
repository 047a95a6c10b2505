"""The audit trail: appends chain, the database refuses changes, tampering around it is found,
concurrent writers keep one chain, and the actions of the services are recorded."""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from chandung.errors import AccessDenied, StoreError
from chandung.privacy.audit import GENESIS
from chandung.privacy.context import acting_as
from chandung.privacy.roles import Principal
from chandung.services import audit
from chandung.services.analysis import run_analysis
from chandung.services.demo import generate_demo
from chandung.services.imports import import_file
from chandung.services.personas import edit_persona, generate_personas
from chandung.services.quarantine import export_quarantine
from chandung.services.retention import purge
from chandung.services.segments import create_segment, delete_segment, snapshot_segment
from chandung.services.stores import Stores, open_stores
from chandung.store import AppDatabase
from chandung.workspace import Workspace


def _fill(stores: Stores, n: int) -> None:
    for i in range(n):
        audit.record(
            stores, "export", target=f"segment:s{i}", rows=i, details={"format": "csv", "i": i}
        )


def _rows(stores: Stores) -> list[dict[str, object]]:
    with stores.app_db.engine.connect() as conn:
        result = conn.execute(text("SELECT * FROM audit_log ORDER BY id"))
        return [dict(r) for r in result.mappings()]


def _sql(stores: Stores, *statements: str) -> None:
    with stores.app_db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def test_entries_chain_and_verify(stores: Stores) -> None:
    assert audit.verify(stores).ok and audit.verify(stores).checked == 0
    _fill(stores, 5)
    result = audit.verify(stores)
    assert result.ok and result.checked == 5
    entries = _rows(stores)
    assert entries[0]["prev_hash"] == GENESIS
    for before, after in itertools.pairwise(entries):
        assert after["prev_hash"] == before["entry_hash"]
    head = json.loads(audit.head_path(stores.workspace).read_text("utf-8"))
    assert head == {"id": entries[-1]["id"], "hash": entries[-1]["entry_hash"]}


def test_the_database_refuses_to_change_or_delete_an_entry(stores: Stores) -> None:
    _fill(stores, 2)
    for statement in ("UPDATE audit_log SET rows = 0", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(DBAPIError, match="append-only"):
            _sql(stores, statement)
    assert len(_rows(stores)) == 2 and audit.verify(stores).ok


def test_a_field_changed_around_the_triggers_is_found(stores: Stores) -> None:
    _fill(stores, 4)
    _sql(stores, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET rows = 999 WHERE id = 2")
    result = audit.verify(stores)
    assert not result.ok and (result.first_bad_id, result.reason) == (2, "entry_hash")
    assert result.checked == 1


def test_one_flipped_byte_in_the_database_file_is_found(workspace: Workspace) -> None:
    marker = f"MARK{uuid.uuid4().hex}"
    with open_stores(workspace) as stores:
        _fill(stores, 2)
        audit.record(stores, "export", target=marker, rows=3)
        _fill(stores, 2)
        bad_id = next(r["id"] for r in _rows(stores) if r["target"] == marker)
    data = bytearray(workspace.app_db_path.read_bytes())
    assert data.count(marker.encode()) == 1
    data[data.index(marker.encode()) + 10] ^= 0x01
    workspace.app_db_path.write_bytes(bytes(data))
    with open_stores(workspace) as stores:
        result = audit.verify(stores)
    assert not result.ok and (result.first_bad_id, result.reason) == (bad_id, "entry_hash")


def test_removed_last_entries_are_found_by_the_head_and_stay_found(stores: Stores) -> None:
    _fill(stores, 5)
    _sql(stores, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id >= 4")
    result = audit.verify(stores)
    assert not result.ok and (result.first_bad_id, result.reason) == (5, "truncated")
    # Later entries do not hide it (the head is evidence, and is left as it is).
    _fill(stores, 3)
    assert not audit.verify(stores).ok


def test_a_missing_head_is_found_and_a_restore_reseals(stores: Stores) -> None:
    _fill(stores, 2)
    audit.head_path(stores.workspace).unlink()
    assert audit.verify(stores).reason == "head_missing"
    audit.reseal(stores)
    assert audit.verify(stores).ok
    audit.head_path(stores.workspace).write_text("not a head", "utf-8")
    assert audit.verify(stores).reason == "head_unreadable"


def test_a_failed_commit_puts_the_head_back(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(stores, 2)
    before = audit.head_path(stores.workspace).read_text("utf-8")

    def fail(conn: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(audit, "_commit", fail)
    with pytest.raises(StoreError, match="disk full"):
        audit.record(stores, "login")
    monkeypatch.undo()
    assert audit.head_path(stores.workspace).read_text("utf-8") == before
    assert audit.verify(stores).ok and len(_rows(stores)) == 2


@pytest.mark.parametrize("local_lock", [True, False], ids=["one-process", "no-process-lock"])
def test_concurrent_appends_keep_one_chain(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, local_lock: bool
) -> None:
    if not local_lock:
        # As if each thread were its own process: only the database's lock serialises them.
        monkeypatch.setattr(audit, "_LOCAL", contextlib.nullcontext())
    threads_count, each = 6, 8
    errors: list[BaseException] = []
    with open_stores(workspace) as first:
        # A second pool of connections to the app database, as another process would have.
        second = Stores(workspace, first.warehouse, AppDatabase.connect(workspace.app_db_url))
        start = threading.Barrier(threads_count)

        def work(k: int) -> None:
            try:
                start.wait()
                with acting_as(Principal(f"user{k}", "analyst")):
                    for i in range(each):
                        audit.record((first, second)[k % 2], "login", details={"i": i})
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(threads_count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        second.app_db.close()
        assert not errors
        result = audit.verify(first)
        assert result.ok and result.checked == threads_count * each
        entries = _rows(first)
        assert len({e["prev_hash"] for e in entries}) == len(entries)
        assert {e["actor"] for e in entries} == {f"user{k}" for k in range(threads_count)}


def test_record_names_the_current_principal(stores: Stores) -> None:
    audit.record(stores, "login")
    with acting_as(Principal("lan", "marketer")):
        audit.record(stores, "export", target="segment:vip", rows=12, purpose="Tết")
        audit.record(stores, "login_failed", actor="someone")
    actors = [e["actor"] for e in audit.list_entries(stores)]
    assert actors == ["someone", "lan", "local"]


def test_record_refuses_an_unknown_action_and_keeps_details_plain(stores: Stores) -> None:
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(stores, "exported")
    audit.record(stores, "backup", details={"day": date(2025, 7, 1), "tables": ("a", "b")})
    (entry,) = audit.list_entries(stores)
    assert entry["details"] == {"day": "2025-07-01", "tables": ["a", "b"]}
    assert audit.verify(stores).ok


def test_list_filters_by_actor_action_and_day(stores: Stores) -> None:
    _fill(stores, 3)
    with acting_as(Principal("lan", "analyst")):
        audit.record(stores, "import", target="import-1", rows=7)
    assert [e["action"] for e in audit.list_entries(stores, action="import")] == ["import"]
    assert len(audit.list_entries(stores, actor="local")) == 3
    assert len(audit.list_entries(stores, limit=2)) == 2
    today = datetime.now(UTC).date()
    assert len(audit.list_entries(stores, since=today, until=today)) == 4
    assert audit.list_entries(stores, until=today - timedelta(days=1)) == []
    assert audit.list_entries(stores, since=today + timedelta(days=1)) == []
    newest = audit.list_entries(stores)[0]
    assert newest["id"] == 4 and newest["at"].endswith("+00:00") and newest["rows"] == 7


def test_reading_the_log_needs_the_permission(stores: Stores) -> None:
    with acting_as(Principal("mai", "viewer")):
        audit.record(stores, "login")
        with pytest.raises(AccessDenied):
            audit.list_entries(stores)
        with pytest.raises(AccessDenied):
            audit.verify(stores)


def test_an_import_is_recorded(stores: Stores, tmp_path: Path) -> None:
    path = tmp_path / "don_hang.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Mã đơn hàng", "Mã KH", "Ngày đặt hàng", "Kênh bán", "Tổng tiền"])
        writer.writerow(["DH1", "KH1", "05/01/2025 10:30", "Shopee", "350.000"])
        writer.writerow(["DH2", "KH2", "hôm qua", "Shopee", "99k"])
        writer.writerow(["DH3", "KH1", "07/01/2025 10:30", "website", "1,2tr"])
    with acting_as(Principal("lan", "analyst")):
        report = import_file(stores, "orders", path)
    (entry,) = audit.list_entries(stores, action="import")
    assert entry["rows"] == report.rows_loaded == 2 and entry["actor"] == "lan"
    assert entry["target"] == report.import_batch
    assert entry["details"]["file"] == "don_hang.csv"
    assert entry["details"]["rows_quarantined"] == 1
    quarantine = tmp_path / "sai.csv"
    assert export_quarantine(stores.workspace, quarantine) == 1
    (exported,) = audit.list_entries(stores, action="export")
    assert exported["rows"] == 1 and exported["target"] == "quarantine:all"
    assert audit.verify(stores).ok


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    workspace = Workspace.open(tmp_path_factory.mktemp("audit") / "shop")
    with open_stores(workspace) as stores:
        generate_demo(stores, customers=200, seed=3)
        run_analysis(stores)
        yield stores


def test_segments_personas_and_purges_are_recorded(shop: Stores) -> None:
    create_segment(shop, "Buyers", "records >= 1")
    snapshot = snapshot_segment(shop, "Buyers")
    report = generate_personas(shop, segments=["Buyers"])
    edit_persona(shop, report.personas[0].id, name="Chị Lan", note="ghi chú")
    delete_segment(shop, "Buyers")
    purged = purge(shop, "1d", apply=True)
    entries = {e["action"]: e for e in audit.list_entries(shop)}
    assert entries["segment.create"]["target"] == "Buyers"
    assert entries["segment.snapshot"]["details"] == {"snapshot_id": snapshot}
    assert entries["segment.snapshot"]["rows"] > 0
    generated = entries["persona.generate"]
    assert generated["rows"] == len(report.personas) >= 1
    assert generated["target"] == f"v{report.version}"
    assert entries["persona.edit"]["details"] == {"changed": ["name", "note"]}
    assert "Chị Lan" not in json.dumps(entries["persona.edit"], ensure_ascii=False)
    assert entries["segment.delete"]["details"] == {"snapshots": 1}
    assert entries["retention.purge"]["rows"] == purged.people > 0
    assert audit.verify(shop).ok
