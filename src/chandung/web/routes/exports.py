"""Exports: the consented audience of a segment or persona, for one channel, as a CSV file.

The page counts the audience first (members, consented for the channel, with a contact for
it), then downloads it. Only people whose latest marketing consent for the channel is given
are in the file, cells are made safe to open in a spreadsheet, names and contacts are masked
unless the person exporting may read personal data, and each download is kept in the audit
log with its purpose and row count (all done by the audience services).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ...privacy.context import acting_as
from ...schema.vocab import CONTACT_CHANNELS
from ...services.audience_sources import (
    MAX_SOURCE,
    AudienceSource,
    audience_sources,
    export_source,
    parse_source,
    preview_audience,
)
from ..auth import Caller, Needs
from ..deps import holder_of, pages_of

router = APIRouter()

Channel = Literal["zalo", "sms", "phone", "email", "in_store", "facebook", "instagram", "tiktok"]
#: Channels reached one person at a time, and the networks whose ad audiences match contacts.
DIRECT_CHANNELS = ("zalo", "sms", "phone", "email", "in_store")
AD_CHANNELS = ("facebook", "instagram", "tiktok")
MAX_PURPOSE = 500
#: Put before the rows of a file downloaded from the page, so that spreadsheet programs read
#: it as UTF-8 (Vietnamese names stay readable); the API sends plain UTF-8.
BOM = "\ufeff".encode()
CHUNK = 1 << 16
#: Age after which a scratch folder of a download is surely abandoned.
STALE_SECONDS = 3600

assert set(DIRECT_CHANNELS) | set(AD_CHANNELS) == set(CONTACT_CHANNELS)


class ExportRequest(BaseModel):
    """What to export: a source (``segment:<name>``, ``auto:<segmentation>:<n>``,
    ``persona:<id>``), a channel, and the purpose kept in the audit log."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, max_length=MAX_SOURCE)
    channel: Channel
    purpose: str = Field(max_length=MAX_PURPOSE)


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = plain.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:40].strip("-")


def download_name(source: str, channel: str, today: date | None = None) -> str:
    """A file name of letters, digits and dashes only, whatever the source is called."""
    kind, key = parse_source(source)
    if kind == "auto":
        key = "segment-" + key.rpartition(":")[2]
    day = (today or date.today()).strftime("%Y%m%d")
    parts = ["chandung-audience", kind, _slug(key) or "audience", _slug(channel), day]
    return "-".join(p for p in parts if p) + ".csv"


def _sweep(home: Path) -> None:
    """Remove scratch folders of downloads that never finished (a crash, say)."""
    limit = time.time() - STALE_SECONDS
    for folder in home.glob(".export-*"):
        with contextlib.suppress(OSError):
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)


def _stream(handle: BinaryIO, folder: Path, prefix: bytes) -> Iterator[bytes]:
    try:
        yield prefix
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()
        shutil.rmtree(folder, ignore_errors=True)


def _export(
    request: Request, caller: Caller, source: str, channel: str, purpose: str, *, bom: bool
) -> StreamingResponse:
    holder = holder_of(request)
    name = download_name(source, channel)
    home = holder.workspace.home
    _sweep(home)
    # An owner-only scratch folder inside the workspace, removed as soon as the file is open
    # (where the system allows it; else once it is sent, or by the next download's sweep).
    folder = Path(tempfile.mkdtemp(prefix=".export-", dir=home))
    try:
        path = folder / name
        with acting_as(caller.principal), holder.use() as stores:
            report = export_source(stores, source, channel=channel, purpose=purpose, path=path)
        handle = open(path, "rb")  # noqa: SIM115 - closed by the stream
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "X-Audience-Members": str(report.members),
        "X-Audience-Consented": str(report.consented),
        "X-Audience-Rows": str(report.rows),
        "X-Audience-Masked": "true" if report.masked else "false",
    }
    return StreamingResponse(
        _stream(handle, folder, BOM if bom else b""),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )


def _grouped(sources: list[AudienceSource]) -> list[tuple[str, list[AudienceSource]]]:
    groups: dict[str, list[AudienceSource]] = {}
    for s in sources:
        groups.setdefault(s.kind, []).append(s)
    return list(groups.items())


@router.get("/exports", response_class=HTMLResponse, include_in_schema=False)
def exports_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("audiences.export"))],
    source: Annotated[str | None, Query(max_length=MAX_SOURCE)] = None,
    channel: Annotated[Channel | None, Query()] = None,
) -> HTMLResponse:
    preview = None
    with acting_as(caller.principal), holder_of(request).use() as stores:
        sources = audience_sources(stores)
        if source and channel:
            preview = preview_audience(stores, source, channel)
    return pages_of(request).render(
        request,
        "exports.html",
        {
            "active": "exports",
            "groups": _grouped(sources),
            "direct_channels": DIRECT_CHANNELS,
            "ad_channels": AD_CHANNELS,
            "chosen_source": source or "",
            "chosen_channel": channel or "",
            "preview": preview,
            "masked": not caller.principal.can("personal_data.read"),
        },
        caller=caller,
    )


@router.post("/exports/download", include_in_schema=False)
def exports_download(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("audiences.export"))],
    source: Annotated[str, Form(min_length=1, max_length=MAX_SOURCE)],
    channel: Annotated[Channel, Form()],
    purpose: Annotated[str, Form(max_length=MAX_PURPOSE)] = "",
) -> StreamingResponse:
    return _export(request, caller, source, channel, purpose, bom=True)


@router.post(
    "/api/v1/audiences/export",
    tags=["exports"],
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The audience as CSV."}},
)
def export_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("audiences.export"))],
    body: Annotated[ExportRequest, Body()],
) -> StreamingResponse:
    """The consented audience of a source for a channel, as CSV (UTF-8, a header row).

    Only people whose latest marketing consent for the channel is given and who have a
    contact for it; names and contacts masked unless the caller may read personal data;
    recorded in the audit log with the purpose and the number of rows. The headers
    ``X-Audience-Members``, ``X-Audience-Consented`` and ``X-Audience-Rows`` give the counts.
    """
    return _export(request, caller, body.source, body.channel, body.purpose, bom=False)


@router.get("/api/v1/audiences/preview", tags=["exports"])
def preview_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("audiences.export"))],
    source: Annotated[str | None, Query(max_length=MAX_SOURCE)] = None,
    segment: Annotated[str | None, Query(max_length=200)] = None,
    channel: Annotated[Channel | None, Query()] = None,
) -> dict[str, Any]:
    """The sources an audience can come from, and, for ``source`` (or the saved segment
    ``segment``) and ``channel``, how many people it holds, how many consented to marketing
    on the channel and how many rows the export would have."""
    ref = source or (f"segment:{segment}" if segment else None)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        sources = audience_sources(stores)
        preview = preview_audience(stores, ref, channel or "") if ref else None
    return {
        "sources": [s.as_dict() for s in sources],
        "channels": list(CONTACT_CHANNELS),
        "preview": preview.as_dict() if preview else None,
    }
