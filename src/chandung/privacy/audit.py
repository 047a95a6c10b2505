"""The audit log's hash chain: how an entry is hashed and how a chain is checked (no I/O).

Each entry of the audit log carries ``prev_hash``, the hash of the entry before it
(:data:`GENESIS` for the first one), and ``entry_hash``, the SHA-256 of ``prev_hash``
followed by a canonical JSON of the entry's own fields (:data:`FIELDS`). Changing, removing
or reordering an entry therefore breaks the chain at that entry or the one after it, and
:func:`verify_chain` names the first entry where it breaks. Removing the *last* entries
leaves a valid chain: the service keeps the chain's head in a file beside the database to
catch that (see :mod:`chandung.services.audit`).

>>> from datetime import UTC, datetime
>>> first = {"at": datetime(2025, 7, 1, 9, 0, tzinfo=UTC), "actor": "lan",
...          "action": "import", "target": "import-1", "rows": 120, "purpose": "",
...          "details": {"kind": "orders"}}
>>> h1 = entry_hash(GENESIS, first)
>>> len(h1), h1 == entry_hash(GENESIS, dict(first))
(64, True)
>>> second = {**first, "action": "export", "rows": 80}
>>> chain = [{"id": 1, **first, "prev_hash": GENESIS, "entry_hash": h1},
...          {"id": 2, **second, "prev_hash": h1, "entry_hash": entry_hash(h1, second)}]
>>> verify_chain(chain)
VerifyResult(ok=True, checked=2, first_bad_id=None, reason=None)
>>> chain[0]["rows"] = 121
>>> verify_chain(chain)
VerifyResult(ok=False, checked=0, first_bad_id=1, reason='entry_hash')
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

#: ``prev_hash`` of the first entry.
GENESIS = "0" * 64
#: The fields of an entry that its hash covers (its id and hashes are not among them).
FIELDS = ("at", "actor", "action", "target", "rows", "purpose", "details")
#: Why a chain check fails, as :attr:`VerifyResult.reason`.
REASONS = ("id_order", "prev_hash", "entry_hash")


def iso_utc(value: datetime) -> str:
    """``value`` as ISO-8601 in UTC, to the microsecond (a naive value is taken as UTC).

    >>> from datetime import timedelta, timezone
    >>> iso_utc(datetime(2025, 7, 1, 16, 0, tzinfo=timezone(timedelta(hours=7))))
    '2025-07-01T09:00:00.000000+00:00'
    >>> iso_utc(datetime(2025, 7, 1, 9, 0))
    '2025-07-01T09:00:00.000000+00:00'
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be written into the audit log")


def canonical(fields: Mapping[str, object]) -> bytes:
    """The canonical JSON of an entry's :data:`FIELDS`: sorted keys, no spaces, UTF-8,
    datetimes as ISO-8601 UTC.

    >>> e = {"at": datetime(2025, 7, 1, tzinfo=UTC), "actor": "lan", "action": "login",
    ...      "target": "", "rows": None, "purpose": "", "details": {"b": 1, "a": "ồ"}}
    >>> print(canonical(e).decode("utf-8")[:58])
    {"action":"login","actor":"lan","at":"2025-07-01T00:00:00.
    >>> print(canonical(e).decode("utf-8")[72:])
    "details":{"a":"ồ","b":1},"purpose":"","rows":null,"target":""}
    """
    data = {name: fields[name] for name in FIELDS}
    text = json.dumps(
        data,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
        default=_default,
    )
    return text.encode("utf-8")


def entry_hash(prev_hash: str, fields: Mapping[str, object]) -> str:
    """SHA-256 (hex) of ``prev_hash`` followed by the canonical JSON of ``fields``.

    >>> at = datetime(2025, 7, 1, tzinfo=UTC)
    >>> e = {"at": at, "actor": "lan", "action": "login", "target": "", "rows": None,
    ...      "purpose": "", "details": {}}
    >>> entry_hash(GENESIS, e) == entry_hash(GENESIS, {**e, "at": at.replace(tzinfo=None)})
    True
    >>> entry_hash(GENESIS, e) == entry_hash("1" * 64, e)
    False
    """
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(fields)).hexdigest()


@dataclass
class VerifyResult:
    """The outcome of a check: whether it holds, how many entries were found intact, and
    else the id of the first bad entry and why (a code of :data:`REASONS`, or one the
    service adds for the chain's head)."""

    ok: bool
    checked: int
    first_bad_id: int | None
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad_id": self.first_bad_id,
            "reason": self.reason,
        }


def verify_chain(entries: Iterable[Mapping[str, Any]]) -> VerifyResult:
    """Check entries in id order: ids increase, each ``prev_hash`` is the previous entry's
    ``entry_hash`` (:data:`GENESIS` first) and each ``entry_hash`` is recomputed equal.

    Stops at the first bad entry. ``entries`` may be a generator (read in batches).

    >>> verify_chain([])
    VerifyResult(ok=True, checked=0, first_bad_id=None, reason=None)
    >>> at = datetime(2025, 7, 1, tzinfo=UTC)
    >>> e = {"at": at, "actor": "a", "action": "login", "target": "", "rows": None,
    ...      "purpose": "", "details": {}}
    >>> h = entry_hash(GENESIS, e)
    >>> verify_chain([{"id": 5, **e, "prev_hash": "f" * 64, "entry_hash": h}]).reason
    'prev_hash'
    >>> ok = {"id": 5, **e, "prev_hash": GENESIS, "entry_hash": h}
    >>> verify_chain([ok, {**ok, "id": 4, "prev_hash": h}]).reason
    'id_order'
    """
    prev = GENESIS
    last_id: int | None = None
    checked = 0
    for entry in entries:
        entry_id = int(entry["id"])
        if last_id is not None and entry_id <= last_id:
            return VerifyResult(False, checked, entry_id, "id_order")
        if entry["prev_hash"] != prev:
            return VerifyResult(False, checked, entry_id, "prev_hash")
        if entry_hash(prev, entry) != entry["entry_hash"]:
            return VerifyResult(False, checked, entry_id, "entry_hash")
        prev = str(entry["entry_hash"])
        last_id = entry_id
        checked += 1
    return VerifyResult(True, checked, None, None)
