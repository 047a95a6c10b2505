"""Encrypted, verified backups and restoring them, on real files of a small demo workspace."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chandung.errors import ConfigError, StoreError
from chandung.privacy.keys import encode_key, key_id, load_workspace_key, new_key
from chandung.services import audit
from chandung.services import backups as service
from chandung.services.demo import generate_demo
from chandung.services.stores import open_stores
from chandung.services.subjects import subject_erase
from chandung.workspace import Workspace

MARKER = "Nguyễn Thị Dấu Vết 0912345678"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace of 400 customers, with a quarantined row and a work table on disk."""
    home = tmp_path_factory.mktemp("backup-template") / "ws"
    ws = Workspace.open(home)
    with open_stores(ws) as stores:
        generate_demo(stores, customers=400, seed=1)
    pq.write_table(pa.table({"raw": [MARKER], "reason": ["phone.too_short"]}),
                   ws.quarantine_dir / "batch-1.parquet")  # fmt: skip
    ws.work_dir.mkdir(exist_ok=True)
    pq.write_table(pa.table({"customer_id": ["C1", "C2"]}), ws.work_dir / "_work_x.parquet")
    return home


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Workspace:
    home = tmp_path / "shop"
    shutil.copytree(template, home)
    return Workspace.open(home, create=False)


def _counts(ws: Workspace) -> tuple[dict[str, int], dict[str, int]]:
    with open_stores(ws) as stores:
        return service._warehouse_counts(stores.warehouse), service._app_counts(stores.app_db)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _with_settings(ws: Workspace, **backup: object) -> Workspace:
    settings = ws.settings.model_copy(deep=True)
    for key, value in backup.items():
        setattr(settings.backup, key, value)
    return ws.save_settings(settings)


def test_backup_wipe_restore_gives_every_table_back(ws: Workspace) -> None:
    before_wh, before_app = _counts(ws)
    report = service.create_backup(ws)
    assert report.verified is not None and report.verified.ok, report.verified
    assert report.warehouse_rows == before_wh and report.warehouse_rows["customers"] > 0
    assert set(report.files) == {"config.toml", "warehouse.duckdb", "app.db",
                                 "quarantine/batch-1.parquet", "work/_work_x.parquet"}  # fmt: skip
    backup = Path(report.paths[0])
    assert backup.parent == ws.backups_dir and backup.name.endswith(".backup")
    assert (backup.parent / (backup.name + ".sha256")).read_text().split() == [
        _sha256(backup),
        backup.name,
    ]

    ws.warehouse_path.unlink()
    ws.app_db_path.unlink()
    shutil.rmtree(ws.quarantine_dir)
    restored = service.restore_backup(ws, backup)

    # The files put in place are those of the backup, byte for byte.
    assert restored.files == {name: f["sha256"] for name, f in report.files.items()}
    for name in ("config.toml", "quarantine/batch-1.parquet", "work/_work_x.parquet"):
        assert _sha256(ws.home / name) == report.files[name]["sha256"], name
    after_wh, after_app = _counts(ws)
    assert after_wh == before_wh
    assert {k: v for k, v in after_app.items() if k != "audit_log"} == {
        k: v for k, v in before_app.items() if k != "audit_log"
    }
    assert restored.warehouse_rows == before_wh
    assert ws.keys_dir.joinpath("workspace.key").is_file()
    assert not list(ws.home.glob(".restore-*")) and not (ws.home / ".restore.json").exists()


def test_the_audit_log_records_backups_and_stays_whole_across_a_restore(ws: Workspace) -> None:
    report = service.create_backup(ws)
    service.verify_backup(ws)
    service.restore_backup(ws, report.paths[0])
    with open_stores(ws) as stores:
        actions = [e["action"] for e in audit.list_entries(stores)]
        # The entries made after the backup are carried into the restored log, chain intact.
        assert actions[:3] == ["restore", "backup.verify", "backup"]
        assert audit.verify(stores).ok


def test_the_backup_file_holds_no_plaintext(ws: Workspace) -> None:
    with open_stores(ws) as stores:
        name = stores.warehouse.table("customers").full_name.to_pyarrow().drop_null()[0]
    report = service.create_backup(ws)
    data = Path(report.paths[0]).read_bytes()
    assert data.startswith(service.MAGIC)
    for secret in (name.as_py(), MARKER, "customer_id", "manifest.json", "phone.too_short"):
        assert secret.encode("utf-8") not in data, secret


def test_verify_finds_a_flipped_byte(ws: Workspace, tmp_path: Path) -> None:
    path = Path(service.create_backup(ws).paths[0])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = service.verify_backup(ws, path)
    codes = [p.code for p in report.problems]
    assert not report.ok and report.checksum == "mismatch"
    assert codes == ["checksum_mismatch", "damaged"]
    # Without its checksum file the encryption itself still catches it.
    path.with_name(path.name + ".sha256").unlink()
    report = service.verify_backup(ws, path)
    assert [p.code for p in report.problems] == ["damaged"] and report.checksum == "missing"


def _without_checksum(path: Path) -> Path:
    path.with_name(path.name + ".sha256").unlink()
    return path


def test_verify_finds_a_cut_off_file(ws: Workspace) -> None:
    path = _without_checksum(Path(service.create_backup(ws).paths[0]))
    path.write_bytes(path.read_bytes()[:-100])
    assert [p.code for p in service.verify_backup(ws, path).problems] == ["damaged"]
    path.write_bytes(path.read_bytes()[:40])
    assert [p.code for p in service.verify_backup(ws, path).problems] == ["not_a_backup"]


def test_chunks_cut_at_a_boundary_or_reordered_do_not_authenticate(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CHUNK_SIZE", 64 * 1024)
    path = _without_checksum(Path(service.create_backup(ws).paths[0]))
    assert service.verify_backup(ws, path).ok
    data = path.read_bytes()
    header, size = service._HEADER.size, 64 * 1024 + 16
    chunks = [data[i : i + size] for i in range(header, len(data), size)]
    assert len(chunks) > 3
    path.write_bytes(data[:header] + b"".join(chunks[:-1]))  # the final chunk dropped
    assert [p.code for p in service.verify_backup(ws, path).problems] == ["damaged"]
    swapped = [chunks[0], chunks[2], chunks[1], *chunks[3:]]
    path.write_bytes(data[:header] + b"".join(swapped))
    assert [p.code for p in service.verify_backup(ws, path).problems] == ["damaged"]


def test_a_different_key_cannot_open_or_restore_it(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path(service.create_backup(ws).paths[0])
    before = _counts(ws)[0]
    made_with = key_id(load_workspace_key(ws.keys_dir, "CHANDUNG_KEY"))
    assert service.list_backups(ws)[0].key_id == made_with
    other = new_key()
    monkeypatch.setenv("CHANDUNG_KEY", encode_key(other))
    report = service.verify_backup(ws, path)
    assert [p.code for p in report.problems] == ["wrong_key"]
    assert report.problems[0].params == {"backup_key": made_with, "key": key_id(other)}
    text = report.problems[0].text("en")
    assert "different workspace key" in text and made_with in text and key_id(other) in text
    with pytest.raises(service.BackupProblemsError) as caught:
        service.restore_backup(ws, path)
    assert caught.value.code == "backup.invalid" and "different workspace key" in str(caught.value)
    assert "khóa" in caught.value.render("vi")
    monkeypatch.delenv("CHANDUNG_KEY")
    assert _counts(ws)[0] == before


def test_only_the_newest_generations_are_kept(ws: Workspace, tmp_path: Path) -> None:
    ws = _with_settings(ws, keep=2)
    other = tmp_path / "usb"
    made = [service.create_backup(ws, [ws.backups_dir, other]).name for _ in range(3)]
    for folder in (ws.backups_dir, other):
        assert sorted(p.name for p in folder.glob("*.backup")) == made[1:]
        assert sorted(p.name for p in folder.glob("*.sha256")) == [f"{n}.sha256" for n in made[1:]]
    assert [b.name for b in service.list_backups(ws)] == made[:0:-1]
    listed = service.list_backups(ws, [other])
    assert listed[0].has_checksum and listed[0].size == (other / made[2]).stat().st_size
    assert service.resolve_backup(ws) == ws.backups_dir / made[2]


def test_destinations_from_the_settings_are_relative_to_the_workspace(ws: Workspace) -> None:
    ws = _with_settings(ws, destinations=["copies"])
    assert service.backup_destinations(ws) == [ws.home / "copies"]
    report = service.create_backup(ws, verify=False)
    assert report.verified is None and Path(report.paths[0]).parent == ws.home / "copies"


def test_if_due_follows_the_schedule(ws: Workspace) -> None:
    assert service.backup_due(ws) == service.DueStatus("", False, None, None)
    ws = _with_settings(ws, schedule="daily")
    assert service.backup_due(ws).due  # no backup yet
    report = service.create_backup(ws)
    made = datetime.fromisoformat(report.created_at)
    status = service.backup_due(ws, now=made + timedelta(hours=2))
    assert not status.due and status.newest is not None
    assert abs(status.newest - made) < timedelta(milliseconds=1)
    # A daily timer that fires a few seconds early is not skipped.
    assert service.backup_due(ws, now=made + timedelta(hours=23, minutes=59)).due
    assert (
        service.backup_due(_with_settings(ws, schedule="weekly"), now=made + timedelta(days=2)).due
        is False
    )
    with pytest.raises(ConfigError) as caught:
        service.backup_due(_with_settings(ws, schedule="monthly"))
    assert caught.value.code == "backup.schedule"


def _change_data(ws: Workspace) -> dict[str, int]:
    with open_stores(ws) as stores:
        generate_demo(stores, customers=150, seed=2)
    return _counts(ws)[0]


def test_a_restore_that_fails_midway_leaves_the_previous_data(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = service.create_backup(ws).paths[0]
    changed = _change_data(ws)
    real_replace = os.replace

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        # The config and the warehouse are swapped already; moving the app database in fails.
        if Path(src).parent.name == "new" and Path(src).name == "app.db":
            raise OSError("disk unplugged")
        real_replace(src, dst)

    monkeypatch.setattr(service.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk unplugged"):
        service.restore_backup(ws, path)
    monkeypatch.setattr(service.os, "replace", real_replace)
    assert _counts(ws)[0] == changed
    assert not list(ws.home.glob(".restore-*")) and not (ws.home / ".restore.json").exists()


def test_a_killed_restore_is_completed_by_the_next_run(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = service.create_backup(ws)
    _change_data(ws)
    real_swap: Callable[..., None] = service._swap

    def killed(home: Path, staging: Path, items: list[dict[str, object]]) -> None:
        # Only the first two moves happen, then the process is gone (no rollback runs).
        real_swap(home, staging, items[:2])
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "_swap", killed)
    with pytest.raises(KeyboardInterrupt):
        service.restore_backup(ws, report.paths[0])
    assert (ws.home / ".restore.json").exists()
    with pytest.raises(StoreError, match="interrupted"), open_stores(ws) as stores:
        service.create_backup(stores)
    monkeypatch.undo()
    assert service.recover_interrupted_restore(ws)
    assert _counts(ws)[0] == report.warehouse_rows
    assert not (ws.home / ".restore.json").exists() and not list(ws.home.glob(".restore-*"))
    assert not service.recover_interrupted_restore(ws)


def test_people_erased_after_the_backup_stay_erased(ws: Workspace) -> None:
    report = service.create_backup(ws)
    with open_stores(ws) as stores:
        customer = stores.warehouse.table("customers").customer_id.to_pyarrow()[0].as_py()
        erased = subject_erase(stores, customer)
        after_erasure = stores.warehouse.counts()
    assert erased.records >= 1
    restored = service.restore_backup(ws, report.paths[0])
    assert restored.carried_over["erasures"] == 1 and restored.carried_over["audit_log"] >= 2
    assert sum(restored.erasures.values()) > 0
    assert restored.warehouse_rows["customers"] == after_erasure["customers"]
    with open_stores(ws) as stores:
        ids = stores.warehouse.table("customers").customer_id.to_pyarrow().to_pylist()
        assert customer not in ids
        assert audit.verify(stores).ok


def test_backups_refuse_stores_outside_the_workspace(ws: Workspace, tmp_path: Path) -> None:
    settings = ws.settings.model_copy(deep=True)
    settings.warehouse.url = f"duckdb://{tmp_path / 'elsewhere.duckdb'}"
    ws = ws.save_settings(settings)
    with pytest.raises(StoreError) as caught:
        service.create_backup(ws)
    assert caught.value.code == "backup.external_store"
