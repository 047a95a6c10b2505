"""Rotation of the workspace key: everything readable after, the old key useless, and a crash
at any step leaves a workspace that opens (docs/encryption.md)."""

from __future__ import annotations

import base64
import sqlite3
import stat
import sys
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from chandung.errors import ConfigError
from chandung.privacy.fields import read_parquet
from chandung.privacy.keys import KEY_FILE, PENDING_KEY_FILE, derive_key, encode_key, new_key
from chandung.services import audit
from chandung.services.keys import key_location, rotate_key
from chandung.services.stores import Stores, open_stores, read_private_parquet
from chandung.store.app_models import ImportBatch
from chandung.store.warehouse import opens_with, reencrypt_file
from chandung.workspace import Workspace

from ..conftest import rows


def _fill(stores: Stores) -> None:
    stores.warehouse.append("customers", rows("customers", [{"customer_id": "C1"}]))
    now = datetime.now(UTC)
    with stores.app_db.session() as session:
        session.add(
            ImportBatch(
                id="b1",
                source="test",
                started_at=now,
                finished_at=now,
                status="loaded",
                rows_loaded=1,
                details={"report": {"errors": [{"value": "0912345678"}]}},
            )
        )


def _check_readable(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        assert stores.warehouse.counts()["customers"] == 1
        with stores.app_db.session() as session:
            batch = session.get(ImportBatch, "b1")
            assert batch is not None
            assert batch.details == {"report": {"errors": [{"value": "0912345678"}]}}


def _file_key(workspace: Workspace, name: str = KEY_FILE) -> bytes:
    return base64.b64decode((workspace.keys_dir / name).read_text())


def _opens(workspace: Workspace, key: bytes) -> bool:
    return opens_with(workspace.warehouse_path, derive_key(key, "warehouse"))


def _field_key_ids(workspace: Workspace) -> set[str]:
    con = sqlite3.connect(workspace.app_db_path)
    try:
        values = [r[0] for r in con.execute("SELECT details FROM import_batches")]
    finally:
        con.close()
    return {v.split(".")[1] for v in values}


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    with open_stores(workspace) as stores:
        _fill(stores)
    return workspace


def test_rotation_re_encrypts_everything_and_the_old_key_no_longer_opens_it(
    filled: Workspace,
) -> None:
    old = _file_key(filled)
    report = rotate_key(filled)
    new = _file_key(filled)
    assert report.status == "rotated" and report.warehouse and report.fields == 1
    assert new != old
    assert not (filled.keys_dir / PENDING_KEY_FILE).exists()
    assert _opens(filled, new) and not _opens(filled, old)
    _check_readable(filled)
    assert report.new_key_id == key_location(filled).key_id
    assert report.new_key is None  # a key from the file is never shown
    if sys.platform != "win32":
        assert stat.S_IMODE((filled.keys_dir / KEY_FILE).stat().st_mode) == 0o600
    with open_stores(filled) as stores:
        entries = audit.list_entries(stores, action="key.rotate")
    assert len(entries) == 1


def test_rotating_twice_works(filled: Workspace) -> None:
    rotate_key(filled)
    rotate_key(filled)
    _check_readable(filled)
    assert len(_field_key_ids(filled)) == 1


def test_fields_written_under_the_old_key_are_re_encrypted(filled: Workspace) -> None:
    before = _field_key_ids(filled)
    rotate_key(filled)
    after = _field_key_ids(filled)
    assert before.isdisjoint(after)


def test_a_crash_after_the_next_key_was_stored_leaves_a_readable_workspace(
    filled: Workspace,
) -> None:
    old = _file_key(filled)
    pending = new_key()
    (filled.keys_dir / PENDING_KEY_FILE).write_text(encode_key(pending))  # step 1, then killed
    _check_readable(filled)
    assert key_location(filled).rotation_pending
    report = rotate_key(filled)  # finishes with the key it had stored
    assert report.status == "rotated"
    assert _file_key(filled) == pending
    assert _opens(filled, pending) and not _opens(filled, old)
    _check_readable(filled)


def test_a_crash_after_the_warehouse_was_re_encrypted_leaves_a_readable_workspace(
    filled: Workspace,
) -> None:
    old = _file_key(filled)
    pending = new_key()
    (filled.keys_dir / PENDING_KEY_FILE).write_text(encode_key(pending))
    reencrypt_file(
        filled.warehouse_path, [derive_key(old, "warehouse")], derive_key(pending, "warehouse")
    )  # step 2, then killed: the key file still holds the old key
    assert not _opens(filled, old)
    _check_readable(filled)  # opens with the stored next key
    with open_stores(filled) as stores:
        assert stores.active_key == pending
    rotate_key(filled)
    assert _file_key(filled) == pending
    assert not (filled.keys_dir / PENDING_KEY_FILE).exists()
    _check_readable(filled)


def test_a_key_from_the_environment_is_rotated_in_two_steps(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = new_key()
    monkeypatch.setenv("CHANDUNG_KEY", encode_key(old))
    with open_stores(workspace) as stores:
        _fill(stores)

    first = rotate_key(workspace)
    assert first.status == "key_issued" and first.new_key is not None
    assert _opens(workspace, old)  # nothing changed yet
    assert not (workspace.keys_dir / KEY_FILE).exists()
    assert not (workspace.keys_dir / PENDING_KEY_FILE).exists()

    monkeypatch.setenv("CHANDUNG_KEY_NEW", first.new_key)
    second = rotate_key(workspace)
    new = base64.b64decode(first.new_key)
    assert second.status == "rotated" and second.new_key is None
    assert _opens(workspace, new) and not _opens(workspace, old)
    _check_readable(workspace)  # the old variable and the new one together still open it

    monkeypatch.setenv("CHANDUNG_KEY", first.new_key)
    monkeypatch.delenv("CHANDUNG_KEY_NEW")
    _check_readable(workspace)
    monkeypatch.setenv("CHANDUNG_KEY", encode_key(old))
    with pytest.raises(ConfigError) as caught, open_stores(workspace):
        pass
    assert caught.value.code == "security.wrong_key"
    assert not (workspace.keys_dir / KEY_FILE).exists()


def test_a_workspace_with_nothing_encrypted_has_no_key_to_rotate(workspace: Workspace) -> None:
    settings = workspace.settings.model_copy(deep=True)
    settings.security.encrypt_at_rest = False
    ws = workspace.save_settings(settings)
    with open_stores(ws):
        pass
    with pytest.raises(ConfigError) as caught:
        rotate_key(ws)
    assert caught.value.code == "security.not_encrypted"
    assert not key_location(ws).encrypted


def test_encrypted_quarantine_files_are_re_encrypted(filled: Workspace) -> None:
    path = filled.quarantine_dir / "batch.parquet"
    data = pa.table({"value": ["0912345678"]})
    with open_stores(filled) as stores, stores.private_parquet_writer(path, data.schema) as out:
        out.write_table(data)
    old = _file_key(filled)
    report = rotate_key(filled)
    assert report.files == 1
    assert read_private_parquet(filled, path).equals(data)
    with pytest.raises(ConfigError):
        read_parquet(path, [old])


def test_work_files_of_killed_loads_are_removed(filled: Workspace) -> None:
    dead = filled.work_dir / "_import_dead"
    dead.mkdir(parents=True)
    (dead / "part-00000.parquet").write_bytes(b"encrypted with the old key")
    report = rotate_key(filled)
    assert report.work_files == 1
    assert not dead.exists()
