"""Erasure tombstones outlive a key rotation: their secret is never rotated."""

from __future__ import annotations

import stat

from chandung.privacy.keys import key_id
from chandung.services.keys import rotate_key
from chandung.services.stores import open_stores
from chandung.services.subjects import TOMBSTONE_SECRET, tombstone_key
from chandung.workspace import Workspace


def test_tombstone_key_survives_a_key_rotation(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        before = tombstone_key(stores)
        warehouse_key = stores.active_key
    secret = workspace.keys_dir / f"{TOMBSTONE_SECRET}.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    rotate_key(workspace)
    with open_stores(Workspace.open(workspace.home)) as stores:
        assert stores.active_key is None or key_id(stores.active_key) != key_id(
            warehouse_key or b"\0" * 32
        )
        assert tombstone_key(stores) == before
