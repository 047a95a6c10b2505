"""The workspace key and the keys derived from it.

One random 32-byte key per workspace, kept outside the data files: in ``keys/workspace.key``
(created owner-only on first use) or, when set, in the environment variable named by
``[security] key_env`` (base64). Each use gets its own key derived with HKDF-SHA256 (the
warehouse, backups, erasure tombstones...), so a key of one use reveals nothing of another.

While a key rotation is under way the next key waits beside the current one: in
``keys/workspace.key.next``, or in the variable named by ``key_env`` plus ``_NEW`` when the key
comes from the environment (see ``docs/encryption.md``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import ConfigError

KEY_BYTES = 32
KEY_FILE = "workspace.key"
#: The next key during a rotation, beside the key file.
PENDING_KEY_FILE = "workspace.key.next"
#: Suffix of the environment variable that holds the next key during a rotation.
PENDING_ENV_SUFFIX = "_NEW"


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
            handle.flush()
            os.fsync(handle.fileno())
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


def key_id(key: bytes) -> str:
    """A short public name of ``key`` (a truncated hash), to tell keys apart without
    revealing them.

    >>> len(key_id(bytes(32))), key_id(bytes(32)) == key_id(bytes(32))
    (12, True)
    """
    return hashlib.sha256(b"chandung key id\0" + key).hexdigest()[:12]


@dataclass(frozen=True)
class KeySource:
    """Where the workspace key is kept: an environment variable or the key file."""

    env_name: str
    path: Path
    from_env: bool

    @property
    def pending_env_name(self) -> str:
        return self.env_name + PENDING_ENV_SUFFIX

    @property
    def pending_path(self) -> Path:
        return self.path.with_name(PENDING_KEY_FILE)

    def describe(self) -> str:
        """``$NAME`` or the key file's path, for messages."""
        return f"${self.env_name}" if self.from_env else str(self.path)


def key_source(keys_dir: Path, env_name: str) -> KeySource:
    """Where :func:`load_workspace_key` takes the key from."""
    return KeySource(env_name, keys_dir / KEY_FILE, bool(env_name and os.environ.get(env_name)))


def load_pending_key(keys_dir: Path, env_name: str) -> bytes | None:
    """The next key of a rotation under way, or ``None``."""
    source = key_source(keys_dir, env_name)
    if source.from_env:
        text = os.environ.get(source.pending_env_name)
        return _decode(text, f"${source.pending_env_name}") if text else None
    path = source.pending_path
    return _decode(path.read_text("ascii"), str(path)) if path.exists() else None


def promote_pending_key(keys_dir: Path) -> None:
    """Make the next key (``workspace.key.next``) the key, at once."""
    path = keys_dir / KEY_FILE
    os.replace(path.with_name(PENDING_KEY_FILE), path)
    if os.name != "nt":  # make the rename itself durable
        fd = os.open(keys_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
