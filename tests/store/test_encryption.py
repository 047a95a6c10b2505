"""Encryption at rest of the embedded stores: the DuckDB warehouse, its work files and the app
database's personal fields (see docs/encryption.md)."""

from __future__ import annotations

import base64
import os
import sqlite3
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chandung.errors import ConfigError, StoreError
from chandung.privacy.fields import (
    FieldCipher,
    bind_cipher,
    is_sealed,
    parquet_is_encrypted,
    read_parquet,
)
from chandung.privacy.keys import KEY_FILE, derive_key, encode_key, new_key
from chandung.schema import table
from chandung.services.stores import Stores, open_stores, read_private_parquet
from chandung.store import AppDatabase, Warehouse
from chandung.store import warehouse as warehouse_module
from chandung.store.app_models import ImportBatch
from chandung.store.warehouse import ENCRYPTING_SUFFIX, file_state, opens_with
from chandung.workspace import Workspace

from ..conftest import rows

SECRET = "Nguyễn Thị Bí Mật 0912345678"


def _plain_duckdb(path: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """DuckDB as anyone would open it (never fetching an extension from the network)."""
    return duckdb.connect(path, config={"autoinstall_known_extensions": False})


def _customer(stores: Stores) -> None:
    stores.warehouse.append("customers", rows("customers", [{"customer_id": "C1"}]))
    stores.warehouse.backend.raw_sql(f"CREATE TABLE notes AS SELECT '{SECRET}' AS note")


def _key(workspace: Workspace) -> bytes:
    return base64.b64decode((workspace.keys_dir / KEY_FILE).read_text())


def test_new_workspace_is_encrypted_and_plain_duckdb_cannot_open_it(
    workspace: Workspace,
) -> None:
    with open_stores(workspace) as stores:
        _customer(stores)
        assert stores.warehouse.encrypted
    path = workspace.warehouse_path
    assert file_state(path) == "encrypted"
    with pytest.raises(duckdb.Error, match="encrypted"):
        _plain_duckdb(str(path))
    con = _plain_duckdb()
    with pytest.raises(duckdb.Error, match="encrypted"):
        con.execute(f"ATTACH '{path}' AS w")
    with pytest.raises(duckdb.Error, match=r"(?i)wrong encryption key"):
        con.execute(f"ATTACH '{path}' AS w (ENCRYPTION_KEY '{encode_key(new_key())}', READ_ONLY)")
    con.close()
    # ... while the workspace opens it with its key.
    with open_stores(workspace) as stores:
        assert stores.warehouse.counts()["customers"] == 1
        assert stores.warehouse.backend.raw_sql("SELECT note FROM notes").fetchall() == [(SECRET,)]


def test_no_plaintext_on_disk(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        _customer(stores)
        stores.warehouse.backend.raw_sql("CHECKPOINT")
    for file in workspace.home.glob("warehouse.duckdb*"):
        assert SECRET.encode() not in file.read_bytes(), file


def test_the_key_is_derived_for_the_warehouse(workspace: Workspace) -> None:
    with open_stores(workspace):
        pass
    master = _key(workspace)
    assert opens_with(workspace.warehouse_path, derive_key(master, "warehouse"))
    assert not opens_with(workspace.warehouse_path, master)


def test_wrong_key_is_a_clear_error_in_both_languages(workspace: Workspace) -> None:
    with open_stores(workspace):
        pass
    (workspace.keys_dir / KEY_FILE).write_text(encode_key(new_key()) + "\n")
    with pytest.raises(ConfigError) as caught, open_stores(workspace):
        pass
    error = caught.value
    assert error.code == "security.wrong_key"
    assert str(workspace.warehouse_path) in error.render("en")
    assert "does not open" in error.render("en")
    assert "không mở được" in error.render("vi")


def test_missing_key_of_an_encrypted_workspace_is_no_key_not_a_new_key(
    workspace: Workspace,
) -> None:
    with open_stores(workspace):
        pass
    (workspace.keys_dir / KEY_FILE).unlink()
    with pytest.raises(ConfigError) as caught, open_stores(workspace):
        pass
    assert caught.value.code == "security.no_key"
    assert not (workspace.keys_dir / KEY_FILE).exists()


def test_malformed_key_is_bad_key(workspace: Workspace) -> None:
    with open_stores(workspace):
        pass
    (workspace.keys_dir / KEY_FILE).write_text("not a key\n")
    with pytest.raises(ConfigError) as caught, open_stores(workspace):
        pass
    assert caught.value.code == "security.bad_key"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_key_file_is_readable_by_the_owner_only(workspace: Workspace) -> None:
    with open_stores(workspace):
        pass
    assert stat.S_IMODE((workspace.keys_dir / KEY_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(workspace.keys_dir.stat().st_mode) == 0o700


def test_key_from_the_environment_writes_no_key_file(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    monkeypatch.setenv("CHANDUNG_KEY", encode_key(key))
    with open_stores(workspace) as stores:
        _customer(stores)
    assert not (workspace.keys_dir / KEY_FILE).exists()
    assert opens_with(workspace.warehouse_path, derive_key(key, "warehouse"))
    monkeypatch.delenv("CHANDUNG_KEY")
    with pytest.raises(ConfigError) as caught, open_stores(workspace):
        pass
    assert caught.value.code == "security.no_key"


def test_work_files_are_encrypted(stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every chunk is written as it comes (a load gathers them into larger parts).
    monkeypatch.setattr(warehouse_module, "WORK_PART_ROWS", 1)
    wh = stores.warehouse
    spec = table("customers")
    wh.create_scratch("_import_test", spec, {"_row": "int64"})
    chunk = rows("customers", [{"customer_id": "C9", "full_name": SECRET}])
    wh.append_scratch("_import_test", chunk.append_column("_row", pa.array([1], pa.int64())))
    parts = sorted((stores.workspace.work_dir / "_import_test").glob("*.parquet"))
    assert len(parts) == 2  # the empty first part, then the chunk
    for part in parts:
        assert SECRET.encode() not in part.read_bytes()
        with pytest.raises(OSError, match=r"(?i)encrypt"):
            pq.read_table(part)
        with pytest.raises(duckdb.Error, match=r"(?i)encrypt"):
            _plain_duckdb().sql(f"SELECT * FROM read_parquet('{part}')").fetchall()
    assert wh.scratch_tables("_import_") == ["_import_test"]
    result = wh.publish("_import_test", spec, "_row")
    assert result.inserted == 1
    assert not (stores.workspace.work_dir / "_import_test").exists()
    assert wh.table("customers").full_name.to_pyarrow().to_pylist() == [SECRET]


def test_legacy_plain_warehouse_is_encrypted_once(workspace: Workspace) -> None:
    path = workspace.warehouse_path
    con = _plain_duckdb(str(path))
    con.execute(f"CREATE TABLE notes AS SELECT '{SECRET}' AS note")
    con.close()
    # A batch recorded before fields were encrypted.
    db = AppDatabase.connect(workspace.app_db_url)
    with db.session() as session:
        session.add(_batch("old", {"report": {"errors": [{"value": "0912345678"}]}}))
    db.close()
    assert file_state(path) == "plain"

    with open_stores(workspace) as stores:
        assert stores.warehouse.backend.raw_sql("SELECT note FROM notes").fetchall() == [(SECRET,)]
        with stores.app_db.session() as session:
            details = session.get(ImportBatch, "old").details  # type: ignore[union-attr]
        assert details == {"report": {"errors": [{"value": "0912345678"}]}}
    assert file_state(path) == "encrypted"
    assert SECRET.encode() not in path.read_bytes()
    assert not path.with_name(path.name + ENCRYPTING_SUFFIX).exists()
    assert "0912345678" not in _raw_details(workspace)[0]
    with pytest.raises(duckdb.Error, match="encrypted"):
        _plain_duckdb(str(path))


def test_a_copy_left_by_an_interrupted_encryption_is_ignored_and_removed(
    workspace: Workspace,
) -> None:
    path = workspace.warehouse_path
    con = _plain_duckdb(str(path))
    con.execute("CREATE TABLE notes AS SELECT 'kept' AS note")
    con.close()
    # Killed while copying: a partial copy beside the plain file, which is still whole.
    leftover = path.with_name(path.name + ENCRYPTING_SUFFIX)
    leftover.write_bytes(b"partial copy")
    with open_stores(workspace) as stores:
        assert stores.warehouse.backend.raw_sql("SELECT note FROM notes").fetchall() == [("kept",)]
    assert not leftover.exists()


def test_encryption_can_be_turned_off_for_new_workspaces(workspace: Workspace) -> None:
    settings = workspace.settings.model_copy(deep=True)
    settings.security.encrypt_at_rest = False
    ws = workspace.save_settings(settings)
    with open_stores(ws) as stores:
        _customer(stores)
        assert not stores.warehouse.encrypted
    assert file_state(ws.warehouse_path) == "plain"
    assert not (ws.keys_dir / KEY_FILE).exists()


def test_an_encrypted_warehouse_stays_encrypted_when_encryption_is_turned_off(
    workspace: Workspace,
) -> None:
    with open_stores(workspace) as stores:
        _customer(stores)
    settings = workspace.settings.model_copy(deep=True)
    settings.security.encrypt_at_rest = False
    ws = workspace.save_settings(settings)
    with open_stores(ws) as stores:
        assert stores.warehouse.encrypted
        assert stores.warehouse.counts()["customers"] == 1
    assert file_state(ws.warehouse_path) == "encrypted"


def test_missing_crypto_module_is_a_clear_error(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from chandung.store import warehouse as module

    monkeypatch.setattr(module.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("HOME", str(tmp_path / "nohome"))  # no DuckDB extension folder either
    with pytest.raises(StoreError) as caught:
        Warehouse.connect(workspace.warehouse_url, encryption_keys=[new_key()])
    assert caught.value.code == "security.no_crypto"
    assert "duckdb-extension-httpfs" in caught.value.render("en")
    assert not workspace.warehouse_path.exists()


def test_personal_fields_of_the_app_database_are_encrypted(stores: Stores) -> None:
    with stores.app_db.session() as session:
        session.add(_batch("b1", {"report": {"errors": [{"value": "lan@example.vn"}]}}))
    raw = _raw_details(stores.workspace)
    assert "lan@example.vn" not in raw[0]
    with stores.app_db.session() as session:
        batch = session.get(ImportBatch, "b1")
        assert batch is not None
        assert batch.details == {"report": {"errors": [{"value": "lan@example.vn"}]}}


def test_an_encrypted_field_does_not_open_with_another_key_or_column(tmp_path: Path) -> None:
    key = new_key()
    cipher = FieldCipher(key)
    token = cipher.seal(b"secret", "personas.data")
    with pytest.raises(ConfigError) as caught:
        FieldCipher(new_key()).open(token, "personas.data")
    assert caught.value.code == "security.field_key"
    with pytest.raises(ConfigError):
        cipher.open(token, "import_batches.details")
    # A database opened without the key cannot read what was encrypted...
    db = AppDatabase.connect(f"sqlite:///{tmp_path / 'app.db'}")
    bind_cipher(db.engine, cipher)
    with db.session() as session:
        session.add(_batch("b1", {"a": 1}))
    bind_cipher(db.engine, None)
    with pytest.raises(ConfigError), db.session() as session:
        session.get(ImportBatch, "b1")
    # ... and writes plain text (read by anyone, as before encryption existed).
    with db.session() as session:
        session.add(_batch("b2", {"b": 2}))
    db.close()
    stored = dict(
        sqlite3.connect(tmp_path / "app.db").execute("SELECT id, details FROM import_batches")
    )
    assert is_sealed(_json(stored["b1"])) and not is_sealed(_json(stored["b2"]))


def _batch(batch_id: str, details: dict[str, object]) -> ImportBatch:
    now = datetime.now(UTC)
    return ImportBatch(
        id=batch_id,
        source="test",
        started_at=now,
        finished_at=now,
        status="loaded",
        rows_loaded=0,
        details=details,
    )


def _raw_details(workspace: Workspace) -> list[str]:
    con = sqlite3.connect(workspace.app_db_path)
    try:
        return [r[0] for r in con.execute("SELECT details FROM import_batches")]
    finally:
        con.close()


def _json(text: str) -> object:
    import json

    return json.loads(text)


def test_the_process_umask_does_not_loosen_the_key_file(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    old = os.umask(0)
    try:
        ws = Workspace.open(tmp_path / "open")
        with open_stores(ws):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((ws.keys_dir / KEY_FILE).stat().st_mode) == 0o600


def test_private_parquet_files_are_encrypted_with_the_workspace_key(stores: Stores) -> None:
    path = stores.workspace.quarantine_dir / "batch.parquet"
    data = pa.table({"value": [SECRET, "lan@example.vn"]})
    with stores.private_parquet_writer(path, data.schema) as writer:
        writer.write_table(data)
    assert parquet_is_encrypted(path)
    assert SECRET.encode() not in path.read_bytes()
    with pytest.raises(OSError, match=r"(?i)encrypt"):
        pq.read_table(path)
    assert read_private_parquet(stores.workspace, path).equals(data)
    with pytest.raises(ConfigError) as caught:
        read_parquet(path, [new_key()])
    assert caught.value.code == "security.file_key"
    plain = stores.workspace.quarantine_dir / "old.parquet"
    pq.write_table(data, plain)  # written before encryption: still read
    assert read_private_parquet(stores.workspace, plain).equals(data)


def test_tables_go_to_the_encrypted_file_and_temporary_ones_stay_in_memory(
    stores: Stores,
) -> None:
    import ibis

    backend = stores.warehouse.backend
    backend.create_table("kept", schema=ibis.schema({"a": "int64"}))
    backend.create_table("scratch", schema=ibis.schema({"a": "int64"}), temp=True)
    placed = dict(
        backend.raw_sql(
            "SELECT table_name, database_name FROM duckdb_tables() "
            "WHERE table_name IN ('kept', 'scratch')"
        ).fetchall()
    )
    assert placed == {"kept": "warehouse", "scratch": "temp"}
    assert {"kept", "scratch", "customers"} <= set(backend.list_tables())
    # The swap of tables is still one transaction: a failure inside leaves nothing changed.
    with pytest.raises(RuntimeError), stores.warehouse.transaction():
        backend.drop_table("kept")
        raise RuntimeError
    assert "kept" in backend.list_tables()
