"""The workspace key and the keys derived from it.

One random 32-byte key per workspace, kept outside the data files: in ``keys/workspace.key``
(created owner-only on first use) or, when set, in the environment variable named by
``[security] key_env`` (base64). Each use gets its own key derived with HKDF-SHA256 (the
warehouse, backups, erasure tombstones...), so a key of one use reveals nothing of another.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import ConfigError

KEY_BYTES = 32
KEY_FILE = "workspace.key"


def _decode(text: str, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigError("security.bad_key", source=source) from exc
    if len(key) != KEY_BYTES:
        raise ConfigError("security.bad_key", source=source)
    return key


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def write_key_file(path: Path, key: bytes) -> None:
    """Write ``key`` to ``path`` readable by the owner only, whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(encode_key(key) + "\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_workspace_key(keys_dir: Path, env_name: str, *, create: bool = True) -> bytes:
    """The workspace key: from the environment variable ``env_name`` if set, else the key
    file in ``keys_dir`` (created when missing and ``create``)."""
    from_env = os.environ.get(env_name) if env_name else None
    if from_env:
        return _decode(from_env, f"${env_name}")
    path = keys_dir / KEY_FILE
    if path.exists():
        return _decode(path.read_text("ascii"), str(path))
    if not create:
        raise ConfigError("security.no_key", source=str(path), env=env_name)
    key = new_key()
    write_key_file(path, key)
    return key


def derive_key(master: bytes, purpose: str, length: int = KEY_BYTES) -> bytes:
    """A key for one ``purpose`` (e.g. ``"warehouse"``, ``"backup"``), derived from ``master``.

    >>> derive_key(bytes(32), "backup") != derive_key(bytes(32), "warehouse")
    True
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=purpose.encode())
    return hkdf.derive(master)
