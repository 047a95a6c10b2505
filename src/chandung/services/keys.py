"""The workspace key: where it is, and its rotation.

A rotation replaces the workspace key with a new random one and re-encrypts everything the old
one protected. It never leaves the workspace unreadable: the new key is stored (or, when the
key comes from the environment, handed to the operator) *before* anything is re-encrypted, and
while a rotation is under way the stores open with either key (see
:func:`chandung.services.stores.workspace_keys`). Its steps, each safe to repeat:

1. Keep the next key: ``keys/workspace.key.next`` (owner-only), or, from the environment, the
   variable ``<key_env>_NEW`` that the operator set after a first run printed the new key.
2. Re-encrypt the warehouse: a whole new copy encrypted with the next key, then put in place
   of the file at once (a crash leaves the old file or the new one, each readable with its
   key).
3. Re-encrypt the app database's encrypted fields, in one transaction, and the encrypted
   quarantine files, each replaced at once.
4. Remove the work files of killed loads (encrypted with the old key, never needed again).
5. Make the next key the key: the key file is replaced at once (or, from the environment, the
   operator is told to move the new value into ``<key_env>`` and remove ``<key_env>_NEW``).

Running ``chandung keys rotate`` again after a crash finishes the rotation under way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from ..errors import ConfigError
from ..privacy.fields import (
    FieldCipher,
    bind_cipher,
    parquet_is_encrypted,
    reencrypt_parquet,
    reseal,
)
from ..privacy.keys import (
    derive_key,
    encode_key,
    key_id,
    key_source,
    load_pending_key,
    load_workspace_key,
    new_key,
    promote_pending_key,
    write_key_file,
)
from ..store import AppDatabase
from ..store.app_models import Base
from ..store.warehouse import encrypt_file, file_state, opens_with, reencrypt_file
from ..workspace import Workspace
from . import audit
from .imports import discard_unfinished
from .stores import (
    WorkspaceKeys,
    open_stores,
    warehouse_is_embedded,
    workspace_keys,
)


@dataclass
class KeyLocation:
    """Where the workspace key is (never the key itself)."""

    #: ``file`` or ``env``.
    source: str
    #: The key file (where it is, or would be).
    path: str
    #: The environment variable that may hold the key instead.
    env: str
    #: The variable that holds the next key during a rotation from the environment.
    pending_env: str
    #: Whether the workspace has anything encrypted (or to be encrypted) with the key.
    encrypted: bool
    #: Whether the key is there (the file exists, or the variable is set).
    present: bool
    #: A short public name of the key (a truncated hash), to tell keys apart.
    key_id: str | None
    #: Whether a rotation was started and not finished.
    rotation_pending: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def key_location(workspace: Workspace) -> KeyLocation:
    """Where the key of ``workspace`` is; creates nothing."""
    security = workspace.settings.security
    source = key_source(workspace.keys_dir, security.key_env)
    present = source.from_env or source.path.exists()
    current = (
        load_workspace_key(workspace.keys_dir, security.key_env, create=False) if present else None
    )
    pending = load_pending_key(workspace.keys_dir, security.key_env)
    encrypted = security.encrypt_at_rest or (
        warehouse_is_embedded(workspace) and file_state(workspace.warehouse_path) == "encrypted"
    )
    return KeyLocation(
        source="env" if source.from_env else "file",
        path=str(source.path),
        env=source.env_name,
        pending_env=source.pending_env_name,
        encrypted=encrypted,
        present=present,
        key_id=key_id(current) if current is not None else None,
        rotation_pending=pending is not None and pending != current,
    )


@dataclass
class RotationReport:
    """What :func:`rotate_key` did."""

    #: ``rotated`` (done), or ``key_issued`` (key from the environment: the new key was made
    #: and must be put in ``pending_env`` before running the rotation again; nothing changed).
    status: str
    source: str
    path: str
    env: str
    pending_env: str
    old_key_id: str
    new_key_id: str
    #: Whether the warehouse file was re-encrypted by this run.
    warehouse: bool = False
    #: Encrypted fields of the app database written again.
    fields: int = 0
    #: Encrypted quarantine files written again.
    files: int = 0
    #: Work files of killed loads removed.
    work_files: int = 0
    #: The new key, base64: only for ``key_issued``, shown once.
    new_key: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def rotate_key(workspace: Workspace) -> RotationReport:
    """Replace the workspace key with a new one and re-encrypt what it protects (see the
    module's docstring for the steps, and ``docs/encryption.md``).

    Nothing else may have the workspace open (the web app above all).

    Raises
    ------
    ConfigError
        ``security.not_encrypted`` when the workspace has nothing encrypted, or the key
        errors of :func:`~chandung.services.stores.workspace_keys`.
    StoreError
        ``store.locked`` when another process has the warehouse open.
    """
    keys = workspace_keys(workspace)
    if keys is None:
        raise ConfigError("security.not_encrypted")
    source = keys.source
    report = RotationReport(
        status="rotated",
        source="env" if source.from_env else "file",
        path=str(source.path),
        env=source.env_name,
        pending_env=source.pending_env_name,
        old_key_id=key_id(keys.current),
        new_key_id="",
    )
    new = keys.pending
    if new is None or new == keys.current:
        new = new_key()
        report.new_key_id = key_id(new)
        if source.from_env:
            # The key is kept outside the workspace: it is not written here. The operator
            # stores it and gives it back in <key_env>_NEW; only then is anything changed.
            report.status = "key_issued"
            report.new_key = encode_key(new)
            return report
        write_key_file(source.pending_path, new)  # step 1
        keys = replace(keys, pending=new)
    report.new_key_id = key_id(new)

    # Step 2: the warehouse.
    path = workspace.warehouse_path
    if warehouse_is_embedded(workspace):
        state = file_state(path)
        wanted = derive_key(new, "warehouse")
        if state == "encrypted" and not opens_with(path, wanted):
            reencrypt_file(path, [derive_key(k, "warehouse") for k in keys.candidates()], wanted)
            report.warehouse = True
        elif state == "plain" and workspace.settings.security.encrypt_at_rest:
            encrypt_file(path, wanted)
            report.warehouse = True

    # Step 3: the app database's encrypted fields.
    report.fields = _reseal_fields(workspace, keys, new)
    for file in sorted(workspace.quarantine_dir.glob("*.parquet")):
        if parquet_is_encrypted(file):
            reencrypt_parquet(file, keys.candidates(), new)
            report.files += 1

    # Step 4 (work files) runs with the stores open on the next key, which also proves it
    # opens them; the audit entry is written then too.
    with open_stores(workspace) as stores:
        report.work_files = discard_unfinished(stores)
        if not source.from_env:
            promote_pending_key(workspace.keys_dir)  # step 5
        audit.record(
            stores,
            "key.rotate",
            target=report.source,
            details={
                "old_key": report.old_key_id,
                "new_key": report.new_key_id,
                "warehouse": report.warehouse,
                "fields": report.fields,
                "files": report.files,
            },
        )
    return report


def _reseal_fields(workspace: Workspace, keys: WorkspaceKeys, new: bytes) -> int:
    db = AppDatabase.connect(workspace.app_db_url)
    try:
        bind_cipher(db.engine, FieldCipher(new, keys.candidates()))
        return reseal(db.engine, Base.metadata.tables.values())
    finally:
        db.close()


__all__ = ["KeyLocation", "RotationReport", "key_location", "rotate_key"]
