"""Encryption of the app-database fields, and of Parquet files, that can hold personal data.

The app database is SQLite by default, and no encrypted page store (SQLCipher) can be counted
on, so the columns that can hold personal data are encrypted one by one instead
(``docs/encryption.md`` lists them and why the others are not). A value is encrypted with
AES-256-GCM under a key derived from the workspace key (``derive_key(key, "appdb")``) and kept
as the JSON object ``{"$enc": "v1.<key id>.<base64 of nonce and ciphertext>"}``; the column name
is bound in as associated data, so a value moved to another column does not decrypt.

Which key encrypts is a property of the engine, not of the process: :func:`bind_cipher` ties a
:class:`FieldCipher` to one SQLAlchemy engine, so two workspaces open in one process (the web
app's tests, for instance) each use their own. With no cipher bound, values are written in
plain text, and plain values (written before encryption existed) are always read as they are.

Parquet files written by PyArrow outside the warehouse (the quarantine of rejected rows) use
Parquet's own encryption (AES-GCM, footer and columns) through :func:`parquet_writer` and
:func:`read_parquet`: each file gets random data keys, wrapped with a key derived from the
workspace key (``derive_key(key, "files")``), named by its key id in the file's metadata.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import weakref
from collections.abc import Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pyarrow.parquet.encryption as pqe
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import JSON, Engine, Table, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from ..errors import ConfigError
from .keys import derive_key, key_id

ENVELOPE = "$enc"
_VERSION = "v1"
_NONCE_BYTES = 12


class FieldCipher:
    """Encrypts with ``write_key`` (when given) and decrypts with any of ``read_keys``.

    Keys are workspace keys; the field key of each is derived here.

    >>> cipher = FieldCipher(bytes(32))
    >>> token = cipher.seal(b"Nguyen Van A", "personas.data")
    >>> cipher.open(token, "personas.data")
    b'Nguyen Van A'
    """

    def __init__(self, write_key: bytes | None, read_keys: Iterable[bytes] = ()):
        self._keys: dict[str, AESGCM] = {}
        self.write_id: str | None = None
        for key in ([write_key] if write_key is not None else []) + list(read_keys):
            field_key = derive_key(key, "appdb")
            self._keys.setdefault(key_id(field_key), AESGCM(field_key))
        if write_key is not None:
            self.write_id = key_id(derive_key(write_key, "appdb"))

    def seal(self, plaintext: bytes, column: str) -> str:
        if self.write_id is None:
            raise ValueError("this cipher only decrypts")
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[self.write_id].encrypt(nonce, plaintext, column.encode())
        return f"{_VERSION}.{self.write_id}.{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, token: str, column: str) -> bytes:
        """The plaintext of ``token``.

        Raises
        ------
        ConfigError
            ``security.field_key``: no key of this cipher encrypted it (or it was altered).
        """
        try:
            version, kid, body = token.split(".", 2)
            raw = base64.b64decode(body, validate=True)
            if version != _VERSION or kid not in self._keys:
                raise KeyError(kid)
            return self._keys[kid].decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], column.encode())
        except (ValueError, KeyError, binascii.Error, InvalidTag):
            raise ConfigError("security.field_key", column=column) from None


_CIPHERS: weakref.WeakKeyDictionary[Dialect, FieldCipher] = weakref.WeakKeyDictionary()


def bind_cipher(engine: Engine, cipher: FieldCipher | None) -> None:
    """Make ``engine`` encrypt and decrypt its :class:`EncryptedJSON` columns with ``cipher``
    (``None``: write plain text again)."""
    if cipher is None:
        _CIPHERS.pop(engine.dialect, None)
    else:
        _CIPHERS[engine.dialect] = cipher


def is_sealed(value: object) -> bool:
    """Whether ``value`` as stored is an encrypted field."""
    return isinstance(value, dict) and set(value) == {ENVELOPE} and isinstance(value[ENVELOPE], str)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON column whose values are encrypted when the engine has a cipher bound.

    Stored as JSON either way, so the column's type in the database does not change and rows
    written before encryption keep being read.
    """

    impl = JSON
    cache_ok = True

    def __init__(self, column: str):
        super().__init__()
        #: ``table.column``, bound to each value as associated data.
        self.column = column

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        cipher = _CIPHERS.get(dialect)
        if value is None or cipher is None or cipher.write_id is None:
            return value
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return {ENVELOPE: cipher.seal(plain, self.column)}

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if not is_sealed(value):
            return value
        cipher = _CIPHERS.get(dialect)
        if cipher is None:
            raise ConfigError("security.field_key", column=self.column)
        return json.loads(cipher.open(value[ENVELOPE], self.column))


def encrypted_columns(tables: Iterable[Table]) -> list[tuple[Table, str]]:
    """The :class:`EncryptedJSON` columns of ``tables``, as (table, column name)."""
    return [
        (table, column.name)
        for table in tables
        for column in table.columns
        if isinstance(column.type, EncryptedJSON)
    ]


def reseal(engine: Engine, tables: Iterable[Table]) -> int:
    """Write every value of the encrypted columns of ``tables`` again, in one transaction, with
    the cipher bound to ``engine``: re-encrypted with its write key (or encrypted, for values
    kept in plain text). Returns the number of values written."""
    written = 0
    with engine.begin() as connection:
        for table, name in encrypted_columns(tables):
            keys = list(table.primary_key.columns)
            column = table.c[name]
            for row in connection.execute(select(*keys, column)).all():
                match = [k == row._mapping[k.name] for k in keys]
                connection.execute(update(table).where(*match).values({name: row._mapping[name]}))
                written += 1
    return written


class _KeyWrapper(pqe.KmsClient):  # type: ignore[misc]
    """Wraps Parquet data keys with file keys held in memory (no key server)."""

    def __init__(self, keys: dict[str, bytes]):
        pqe.KmsClient.__init__(self)
        self._keys = keys

    def wrap_key(self, key_bytes: bytes, master_key_identifier: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        aes = AESGCM(self._keys[master_key_identifier])
        sealed = aes.encrypt(nonce, key_bytes, master_key_identifier.encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def unwrap_key(self, wrapped_key: str, master_key_identifier: str) -> bytes:
        raw = base64.b64decode(wrapped_key)
        key = self._keys.get(master_key_identifier)
        if key is None:
            raise KeyError(master_key_identifier)
        aes = AESGCM(key)
        return aes.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], master_key_identifier.encode())


def _file_keys(keys: Iterable[bytes]) -> dict[str, bytes]:
    derived = [derive_key(k, "files") for k in keys]
    return {key_id(k): k for k in derived}


def _crypto(keys: dict[str, bytes]) -> tuple[Any, Any]:
    factory = pqe.CryptoFactory(lambda _config: _KeyWrapper(keys))
    # PyArrow caches key servers by instance id: one per set of keys.
    config = pqe.KmsConnectionConfig(kms_instance_id="chandung-" + "-".join(sorted(keys)))
    return factory, config


def parquet_writer(path: Path, schema: pa.Schema, key: bytes | None) -> pq.ParquetWriter:
    """A Parquet writer of ``path``, encrypting with the workspace ``key`` (``None``: plain)."""
    if key is None:
        return pq.ParquetWriter(path, schema)
    keys = _file_keys([key])
    factory, config = _crypto(keys)
    encryption = pqe.EncryptionConfiguration(
        footer_key=next(iter(keys)),
        uniform_encryption=True,
        double_wrapping=False,
        cache_lifetime=timedelta(minutes=10),
    )
    properties = factory.file_encryption_properties(config, encryption)
    return pq.ParquetWriter(path, schema, encryption_properties=properties)


def parquet_is_encrypted(path: Path) -> bool:
    """Whether the Parquet file ``path`` is encrypted (its magic is ``PARE``, not ``PAR1``)."""
    with open(path, "rb") as handle:
        return handle.read(4) == b"PARE"


def read_parquet(path: Path, keys: Sequence[bytes]) -> pa.Table:
    """The rows of the Parquet file ``path``, plain or encrypted with one of the workspace
    ``keys``.

    Raises
    ------
    ConfigError
        ``security.file_key``: the file is encrypted with none of ``keys``.
    """
    if not parquet_is_encrypted(path):
        return pq.read_table(path)
    factory, config = _crypto(_file_keys(keys))
    properties = factory.file_decryption_properties(
        config, pqe.DecryptionConfiguration(cache_lifetime=timedelta(minutes=10))
    )
    try:
        return pq.read_table(path, decryption_properties=properties)
    except (KeyError, InvalidTag, OSError):
        raise ConfigError("security.file_key", file=str(path)) from None


def reencrypt_parquet(path: Path, keys: Sequence[bytes], new_key: bytes) -> None:
    """Encrypt the Parquet file ``path`` with ``new_key`` instead (read with one of ``keys``):
    a new file, then put in its place at once."""
    rows = read_parquet(path, [*keys, new_key])
    tmp = path.with_name(f".{path.name}.rekey")
    try:
        with parquet_writer(tmp, rows.schema, new_key) as writer:
            writer.write_table(rows)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


__all__ = [
    "ENVELOPE",
    "EncryptedJSON",
    "FieldCipher",
    "bind_cipher",
    "encrypted_columns",
    "is_sealed",
    "parquet_is_encrypted",
    "parquet_writer",
    "read_parquet",
    "reencrypt_parquet",
    "reseal",
]
