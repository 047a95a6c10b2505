"""Files uploaded through the web app, kept safely until they are imported.

- **Where**: in ``uploads/`` of the workspace, under a random name the server makes (32 hex
  digits). The name the browser sent is kept as display text only, cleaned of folders and
  control characters; it is never part of a path, so ``../../x.csv`` or ``C:\\x.csv`` are
  just names.
- **How much**: at most :data:`MAX_UPLOAD_BYTES`, counted while the bytes arrive; a larger
  file is refused (HTTP 413) and what had arrived is deleted at once.
- **What**: CSV, TSV, TXT, Excel ``.xlsx``, Parquet and JSON Lines, told by the file's first
  bytes and checked against its name: an empty file, binary junk, an old ``.xls`` or a file
  named ``.xlsx`` that is not one is refused before anything is kept.
- **Encrypted at rest** when the workspace is (``[security] encrypt_at_rest``): AES-256-GCM
  in chunks of 1 MiB, under a key derived from the workspace key and a random salt per file,
  each chunk bound to its place and the last one marked, so a file cut short or reordered
  does not decrypt. The readers of an import need a plain file: a working copy is made in a
  private folder of ``uploads/`` for the length of one preview or import, then deleted (and
  swept after :data:`WORK_KEEP` if a process was killed meanwhile).
- **For how long**: deleted once imported, and after :data:`KEEP` in any case.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import ConfigError, InputError, NotFoundError, Where
from ..ingest.readers._detect import detect_encoding, looks_binary
from ..privacy.keys import derive_key, key_id
from ..privacy.roles import Principal
from ..workspace import Workspace
from .imports import KINDS
from .stores import Stores

#: Largest file accepted (bytes).
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
#: How long an upload that was never imported is kept.
KEEP = timedelta(days=1)
#: How long a working copy or a partial upload left by a killed process is kept.
WORK_KEEP = timedelta(hours=6)
#: Extensions accepted, and the format each names.
EXTENSIONS = {
    "csv": "csv", "tsv": "tsv", "txt": "txt", "xlsx": "xlsx", "parquet": "parquet",
    "pq": "parquet", "jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl",
}  # fmt: skip
TEXT_FORMATS = frozenset({"csv", "tsv", "txt", "jsonl"})
FOLDER = "uploads"

_ID = re.compile(r"[0-9a-f]{32}")
_HEAD_BYTES = 64 * 1024
_CHUNK = 1024 * 1024
_TAG = 16
_SALT = 16
_MAGIC = b"CDUPLOAD1"


class UploadTooLarge(InputError):
    """The uploaded file is larger than the limit."""

    status = 413
    default_code = "web_data.too_large"


@dataclass(frozen=True)
class Upload:
    """What is known of one uploaded file (kept beside it as JSON; no personal data)."""

    id: str
    owner: str
    kind: str
    name: str
    extension: str
    size: int
    created: str
    encrypted: bool
    key_id: str | None = None
    sheet: str | None = None
    #: The columns of the file (known once it has been previewed).
    columns: list[str] | None = None
    #: Source column → field ("" or None: keep as an extra attribute); None: automatic.
    mapping: dict[str, str | None] | None = None
    #: A quarantined row this upload corrects: ``{"batch": ..., "row": ...}``.
    corrects: dict[str, object] | None = field(default=None)

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.created)


@dataclass(frozen=True)
class WorkingCopy:
    """A plain copy of an upload for the readers, and the mapping file the import reads."""

    path: Path
    mapping_file: Path | None
    #: Whether only the first part of the file was copied (a preview of a large text file).
    sampled: bool


def uploads_dir(workspace: Workspace) -> Path:
    return workspace.home / FOLDER


def display_name(raw: str | None) -> str:
    """The name a person gave a file, safe to show: no folders, no control characters.

    >>> display_name("../../etc/passwd"), display_name("C:\\\\Users\\\\lan\\\\Khách hàng.csv")
    ('passwd', 'Khách hàng.csv')
    >>> display_name("\\u202egpj.csv"), display_name(".."), display_name(None)
    ('gpj.csv', 'upload', 'upload')
    """
    text = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = " ".join(text.split()).strip(" .")
    return text[:120] or "upload"


def declared_extension(name: str) -> str:
    """The format a file's name claims ("" when it has no extension).

    Raises
    ------
    InputError
        ``web_data.extension``: an extension of something that cannot be imported.
    """
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return ""
    found = EXTENSIONS.get(ext.lower())
    if found is None:
        raise InputError(
            "web_data.extension", name=name, allowed=", ".join(sorted(set(EXTENSIONS)))
        )
    return found


def sniff_format(name: str, declared: str, head: bytes, size: int) -> str:
    """The format of a file from its first bytes, checked against what its name claims."""
    where = Where(file=name)
    if size == 0:
        raise InputError("input.file.empty", where=where)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        if declared == "xlsx":
            return "xlsx"
        raise InputError("input.file.zip", where=where)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("input.file.xls", where=where)
    if declared in ("xlsx", "parquet"):
        raise InputError("input.file.not_what_it_claims", where=where, kind=declared)
    if looks_binary(head, detect_encoding(head)):
        raise InputError("input.file.binary", where=where)
    if declared:
        return declared
    return "jsonl" if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else "csv"


# --- encryption -------------------------------------------------------------------------


def _file_key(master: bytes, salt: bytes) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"chandung upload")
    return AESGCM(hkdf.derive(derive_key(master, "uploads")))


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")


class _Sealer:
    """Encrypts what is written to it, chunk by chunk (the last chunk marked as such)."""

    def __init__(self, out: BinaryIO, master: bytes) -> None:
        salt = os.urandom(_SALT)
        self._header = _MAGIC + salt
        self._aead = _file_key(master, salt)
        self._out = out
        self._buffer = bytearray()
        self._index = 0
        out.write(self._header)

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > _CHUNK:
            self._emit(bytes(self._buffer[:_CHUNK]), final=False)
            del self._buffer[:_CHUNK]

    def close(self) -> None:
        self._emit(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _emit(self, plain: bytes, *, final: bool) -> None:
        nonce = self._index.to_bytes(12, "big")
        self._out.write(self._aead.encrypt(nonce, plain, _aad(self._header, self._index, final)))
        self._index += 1


def _opened(path: Path, master: bytes, name: str) -> Iterator[bytes]:
    """The plain chunks of a file written by :class:`_Sealer`."""
    damaged = ConfigError("security.file_key", file=name)
    with open(path, "rb") as fh:
        header = fh.read(len(_MAGIC) + _SALT)
        if len(header) != len(_MAGIC) + _SALT or not header.startswith(_MAGIC):
            raise damaged
        aead = _file_key(master, header[len(_MAGIC) :])
        index, piece = 0, fh.read(_CHUNK + _TAG)
        while True:
            ahead = fh.read(_CHUNK + _TAG)
            final = not ahead
            try:
                nonce = index.to_bytes(12, "big")
                yield aead.decrypt(nonce, piece, _aad(header, index, final))
            except InvalidTag:
                raise damaged from None
            if final:
                return
            index, piece = index + 1, ahead


# --- storing ----------------------------------------------------------------------------


def _private_file(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _write_json(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    with _private_file(tmp) as fh:
        fh.write(json.dumps(data, ensure_ascii=False).encode())
    os.replace(tmp, path)


class UploadSink:
    """Receives the bytes of one upload and keeps them (see the module docstring).

    Write with :meth:`write`; then :meth:`finish` keeps the file, or :meth:`abort` drops it.
    """

    def __init__(
        self, stores: Stores, owner: str, client_name: str | None, limit: int | None = None
    ) -> None:
        self.name = display_name(client_name)
        self.declared = declared_extension(self.name)
        self.limit = MAX_UPLOAD_BYTES if limit is None else limit
        self.workspace = stores.workspace
        self.owner = owner
        self.id = secrets.token_hex(16)
        self.size = 0
        self._head = bytearray()
        folder = uploads_dir(stores.workspace)
        folder.mkdir(mode=0o700, exist_ok=True)
        purge_expired(stores.workspace)
        encrypt = stores.workspace.settings.security.encrypt_at_rest
        self._key = stores.active_key if encrypt else None
        self._part = folder / f"{self.id}.part"
        self._fh: BinaryIO | None = _private_file(self._part)
        self._sealer = _Sealer(self._fh, self._key) if self._key is not None else None

    def write(self, data: bytes) -> None:
        if self._fh is None:
            raise ValueError("the upload is closed")
        self.size += len(data)
        if self.size > self.limit:
            self.abort()
            raise UploadTooLarge(
                "web_data.too_large", name=self.name, limit=f"{self.limit / 1024**2:g} MB"
            )
        if len(self._head) < _HEAD_BYTES:
            self._head += data[: _HEAD_BYTES - len(self._head)]
        if self._sealer is not None:
            self._sealer.write(data)
        else:
            self._fh.write(data)

    def abort(self) -> None:
        """Drop what was received."""
        if self._fh is not None:
            with suppress(OSError):
                self._fh.close()
            self._fh = None
        self._part.unlink(missing_ok=True)

    def finish(self, kind: str, sheet: str | None = None) -> Upload:
        """Check what arrived and keep it.

        Raises
        ------
        InputError
            ``input.kind``, or the file is empty, binary or not what its name claims.
        """
        try:
            if kind not in KINDS:
                raise InputError("input.kind", value=kind[:40], kinds=", ".join(KINDS))
            fmt = sniff_format(self.name, self.declared, bytes(self._head), self.size)
            if self._fh is None:
                raise ValueError("the upload is closed")
            if self._sealer is not None:
                self._sealer.close()
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            upload = Upload(
                id=self.id, owner=self.owner, kind=kind, name=self.name, extension=fmt,
                size=self.size, created=datetime.now(UTC).isoformat(),
                encrypted=self._key is not None,
                key_id=key_id(self._key) if self._key is not None else None,
                sheet=(sheet or "").strip()[:100] or None,
            )  # fmt: skip
            os.replace(self._part, _data_path(self.workspace, upload))
            save(self.workspace, upload)
            return upload
        except BaseException:
            self.abort()
            raise


def store_bytes(
    stores: Stores, owner: str, name: str, kind: str, data: bytes, **details: object
) -> Upload:
    """Keep ``data`` as an upload of ``owner`` (for files the app makes, e.g. corrections)."""
    sink = UploadSink(stores, owner, name)
    sink.write(data)
    upload = sink.finish(kind)
    if details:
        upload = replace(upload, **details)  # type: ignore[arg-type]
        save(stores.workspace, upload)
    return upload


def _data_path(workspace: Workspace, upload: Upload) -> Path:
    suffix = "enc" if upload.encrypted else upload.extension
    return uploads_dir(workspace) / f"{upload.id}.{suffix}"


def _meta_path(workspace: Workspace, upload_id: str) -> Path:
    return uploads_dir(workspace) / f"{upload_id}.json"


def save(workspace: Workspace, upload: Upload) -> None:
    _write_json(_meta_path(workspace, upload.id), asdict(upload))


def _read(workspace: Workspace, upload_id: str) -> Upload | None:
    if not _ID.fullmatch(upload_id):
        return None
    try:
        raw = json.loads(_meta_path(workspace, upload_id).read_text("utf-8"))
        upload = Upload(**raw)
    except (OSError, ValueError, TypeError):
        return None
    if upload.created_at < datetime.now(UTC) - KEEP:
        delete(workspace, upload_id)
        return None
    return upload


def get(workspace: Workspace, upload_id: str, principal: Principal) -> Upload:
    """The upload ``upload_id`` if ``principal`` made it (an admin may open any).

    Raises
    ------
    NotFoundError
        ``web_data.no_upload``: no such upload (or a badly formed id), it expired, or it is
        someone else's.
    """
    upload = _read(workspace, upload_id)
    if upload is None or (upload.owner != principal.username and principal.role != "admin"):
        raise NotFoundError("web_data.no_upload")
    return upload


def list_uploads(workspace: Workspace, principal: Principal) -> list[Upload]:
    """The uploads of ``principal`` still waiting to be imported, newest first."""
    folder = uploads_dir(workspace)
    if not folder.is_dir():
        return []
    found = [_read(workspace, p.stem) for p in folder.glob("*.json")]
    mine = [u for u in found if u is not None and u.owner == principal.username]
    return sorted(mine, key=lambda u: u.created, reverse=True)


def delete(workspace: Workspace, upload_id: str) -> None:
    """Delete the upload ``upload_id`` (its file and what is known of it)."""
    if not _ID.fullmatch(upload_id):
        return
    for path in uploads_dir(workspace).glob(f"{upload_id}.*"):
        path.unlink(missing_ok=True)


def purge_expired(workspace: Workspace, now: datetime | None = None) -> int:
    """Delete uploads older than :data:`KEEP`, and working copies or partial uploads older
    than :data:`WORK_KEEP`; returns how many files or folders went."""
    folder = uploads_dir(workspace)
    if not folder.is_dir():
        return 0
    now = now or datetime.now(UTC)
    removed = 0
    for path in list(folder.iterdir()):
        try:
            age = now - datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            continue
        upload_id = path.name.split(".", 1)[0]
        known = _ID.fullmatch(upload_id) and _meta_path(workspace, upload_id).exists()
        if path.is_dir() and path.name.startswith(".work-") and age > WORK_KEEP:
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and path.suffix == ".json" and age > KEEP:
            delete(workspace, upload_id)
        elif path.is_file() and not known and age > WORK_KEEP:
            path.unlink(missing_ok=True)
        else:
            continue
        removed += 1
    return removed


# --- reading ----------------------------------------------------------------------------


def plain_chunks(stores: Stores, upload: Upload) -> Iterator[bytes]:
    """The plain bytes of ``upload``, a chunk at a time."""
    path = _data_path(stores.workspace, upload)
    if not path.is_file():
        raise NotFoundError("web_data.no_upload")
    if not upload.encrypted:
        with open(path, "rb") as fh:
            yield from iter(lambda: fh.read(_CHUNK), b"")
        return
    keys = stores.keys.candidates() if stores.keys is not None else ()
    master = next((k for k in keys if key_id(k) == upload.key_id), None)
    if master is None:
        raise ConfigError("security.file_key", file=upload.name)
    yield from _opened(path, master, upload.name)


def _slug(name: str) -> str:
    """A file name for the working copy, made of safe letters only (the import records it as
    the rows' source)."""
    stem = name.rpartition(".")[0] or name
    text = unicodedata.normalize("NFD", stem.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-")
    return text[:60] or "upload"


@contextmanager
def working_copy(
    stores: Stores, upload: Upload, head_bytes: int | None = None
) -> Iterator[WorkingCopy]:
    """A plain copy of ``upload`` (only about its first ``head_bytes`` for a large text file)
    with its mapping file, deleted when the block ends."""
    folder = uploads_dir(stores.workspace) / f".work-{secrets.token_hex(8)}"
    folder.mkdir(mode=0o700)
    try:
        path = folder / f"{_slug(upload.name)}.{upload.extension}"
        sample = (
            head_bytes is not None and upload.extension in TEXT_FORMATS and upload.size > head_bytes
        )
        sampled = False
        with _private_file(path) as out:
            written = 0
            for chunk in plain_chunks(stores, upload):
                if written == 0 and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    sample = False  # UTF-16 cannot be cut at a byte safely
                if sample and head_bytes is not None and written + len(chunk) >= head_bytes:
                    # Cut at the last line end before the limit, else at the first after it.
                    room = max(head_bytes - written, 0)
                    cut = chunk.rfind(b"\n", 0, room) if room else -1
                    if cut < 0:
                        cut = chunk.find(b"\n", room)
                    if cut >= 0:
                        out.write(chunk[: cut + 1])
                        sampled = cut + 1 < len(chunk) or written + len(chunk) < upload.size
                        break
                out.write(chunk)
                written += len(chunk)
        mapping_file = None
        if upload.mapping is not None:
            mapping_file = folder / "mapping.json"
            _write_json(mapping_file, {k: v or "" for k, v in upload.mapping.items()})
        yield WorkingCopy(path, mapping_file, sampled)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


__all__ = [
    "KEEP",
    "MAX_UPLOAD_BYTES",
    "Upload",
    "UploadSink",
    "UploadTooLarge",
    "WorkingCopy",
    "declared_extension",
    "delete",
    "display_name",
    "get",
    "list_uploads",
    "plain_chunks",
    "purge_expired",
    "save",
    "sniff_format",
    "store_bytes",
    "uploads_dir",
    "working_copy",
]
