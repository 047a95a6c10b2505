"""The data pages and API: uploading and importing files, the mapping preview, import reports,
the quarantine, the quality report and identity merges.

An upload is read as it arrives and kept by :mod:`chandung.services.uploads` (random name,
size limit, format check, encrypted at rest). A request larger than the limit is refused from
its ``Content-Length`` before any of it is read; the file's own bytes are counted again while
they arrive. A page's form is read by the CSRF check first (into the server's temporary
files); a script or API client sends the CSRF token as a header, or a bearer token, and its
file goes straight from the network into the encrypted upload.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from ...errors import AuthenticationError, ChandungError, InputError, NotFoundError
from ...i18n import reason_text, translate
from ...i18n.formats import format_number
from ...privacy.context import acting_as
from ...privacy.roles import Principal
from ...services import import_review, merge_review, quarantine_review, uploads
from ...services.analysis import AnalysisReport, last_run, run_analysis
from ...services.imports import KINDS
from ...services.quality import stored_quality
from ...services.stores import Stores
from ..auth import Caller, Needs, caller_of
from ..deps import holder_of, jobs_of, language_of, pages_of
from ..jobs import Job
from .overview import value_error_text

router = APIRouter()

#: Room for the form's other fields around the file in a request's size.
FORM_SLACK = 1024 * 1024
_MAX_FIELDS = 20
_MAX_FIELD_BYTES = 64 * 1024
_READ_BYTES = 1024 * 1024
QuarantineKind = Literal["quarantine", "issue"]
Ref = Annotated[str, PathParam(min_length=1, max_length=64)]
ACCEPTED = ".csv,.tsv,.txt,.xlsx,.parquet,.jsonl,.ndjson"


class LengthRequired(InputError):
    """An upload must say its size."""

    status = 411
    default_code = "web_data.length_required"


def _limit_text() -> str:
    return f"{uploads.MAX_UPLOAD_BYTES / 1024**2:g} MB"


async def upload_size(request: Request) -> None:
    """Refuse an upload larger than the limit, or of unknown size, before reading any of it
    (an anonymous or unauthorised caller is told that first)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) <= uploads.MAX_UPLOAD_BYTES + FORM_SLACK:
        return
    with request.app.state.use_stores() as stores:
        caller = caller_of(request, stores)
    if caller is None:
        raise AuthenticationError("auth.required")
    caller.principal.require("data.import")
    if not length.isdigit():
        raise LengthRequired("web_data.length_required")
    raise uploads.UploadTooLarge("web_data.too_large", limit=_limit_text())


# --- receiving a multipart body -----------------------------------------------------------------


class _FormReceiver:
    """Reads a multipart body as it arrives: the file into an upload, small fields kept."""

    def __init__(self, make_sink: Callable[[str | None], uploads.UploadSink]) -> None:
        self.make_sink = make_sink
        self.fields: dict[str, str] = {}
        self.sink: uploads.UploadSink | None = None
        self._disposition = b""
        self._header = bytearray()
        self._value = bytearray()
        self._name: str | None = None
        self._into_file = False
        self._data = bytearray()

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done, "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }  # fmt: skip

    def _begin(self) -> None:
        self._disposition, self._name, self._into_file = b"", None, False
        self._data.clear()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        if bytes(self._header).lower() == b"content-disposition":
            self._disposition = bytes(self._value)
        self._header.clear()
        self._value.clear()

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise InputError("web_data.form")
        self._name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            if self.sink is not None or self._name != "file":
                raise InputError("web_data.form")
            self.sink = self.make_sink(options[b"filename"].decode("utf-8", "replace"))
            self._into_file = True
        elif len(self.fields) >= _MAX_FIELDS:
            raise InputError("web_data.form")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._into_file and self.sink is not None:
            self.sink.write(bytes(data[start:end]))
            return
        self._data += data[start:end]
        if len(self._data) > _MAX_FIELD_BYTES:
            raise InputError("web_data.form")

    def _part_end(self) -> None:
        if not self._into_file and self._name is not None:
            self.fields[self._name] = self._data.decode("utf-8", "replace")


async def _receive(
    request: Request, stores: Stores, owner: str
) -> tuple[dict[str, str], uploads.Upload]:
    """The form fields and the kept file of an upload request."""
    content_type = request.headers.get("content-type", "")
    _, params = parse_options_header(content_type)
    if not content_type.lower().startswith("multipart/form-data") or b"boundary" not in params:
        raise InputError("web_data.form")
    receiver = _FormReceiver(lambda name: uploads.UploadSink(stores, owner, name))
    stream = request.stream()
    try:
        try:
            first = await stream.__anext__()
        except StopAsyncIteration:
            first = b""
        except RuntimeError:  # the CSRF check has read the body as a form already
            return await _receive_parsed(request, receiver)
        parser = MultipartParser(params[b"boundary"], receiver.callbacks())  # type: ignore[arg-type]
        await run_in_threadpool(parser.write, first)
        async for chunk in stream:
            await run_in_threadpool(parser.write, chunk)
        parser.finalize()
        return await run_in_threadpool(_finish, receiver)
    except (FormParserError, ClientDisconnect):
        if receiver.sink is not None:
            receiver.sink.abort()
        raise InputError("web_data.form") from None
    except BaseException:
        if receiver.sink is not None:
            receiver.sink.abort()
        raise


async def _receive_parsed(
    request: Request, receiver: _FormReceiver
) -> tuple[dict[str, str], uploads.Upload]:
    form = await request.form()
    receiver.fields = {k: v for k, v in form.items() if isinstance(v, str)}
    file = form.get("file")
    if isinstance(file, UploadFile):
        try:
            sink = receiver.sink = await run_in_threadpool(receiver.make_sink, file.filename)
            while data := await file.read(_READ_BYTES):
                await run_in_threadpool(sink.write, data)
        finally:
            await file.close()
    return await run_in_threadpool(_finish, receiver)


def _finish(receiver: _FormReceiver) -> tuple[dict[str, str], uploads.Upload]:
    if receiver.sink is None:
        raise InputError("web_data.no_file")
    fields = receiver.fields
    upload = receiver.sink.finish(fields.get("kind", ""), fields.get("sheet"))
    return fields, upload


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _start_import(request: Request, principal: Principal, upload_id: str) -> Job:
    def task(stores: Stores, _progress: Callable[[int, int], None]) -> dict[str, Any]:
        return import_review.run_import(stores, upload_id, principal)

    return jobs_of(request).submit("import", principal, task)


def _when(value: str | datetime | None) -> str:
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


def size_text(size: int, lang: str) -> str:
    """A file's size for people: bytes, KB or MB, in ``lang``'s way of writing numbers."""
    if size < 1024:
        return counted("web_data.size.bytes", size, lang)
    if size < 1024**2:
        kb = size / 1024
        return translate("web_data.size.kb", lang, n=format_number(kb, lang, 0 if kb >= 100 else 1))
    return translate("web_data.size.mb", lang, n=format_number(size / 1024**2, lang, 1))


def counted(key: str, n: int, lang: str) -> str:
    """The text ``key`` for ``n`` things (``key_one`` when there is one), ``n`` filled in."""
    return translate(f"{key}_one" if n == 1 else key, lang, n=format_number(n, lang))


def field_label(name: str, lang: str) -> str:
    """What people call the field ``name`` of an import (the field's name when unknown)."""
    return translate(f"web_data.field.{name}", lang, default=name)


def _render(
    request: Request, caller: Caller, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    lang = language_of(request)
    context = {
        "active": "data", "when": _when, "reason": lambda code: reason_text(code or "", lang),
        "size": lambda n: size_text(n, lang), "counted": lambda key, n: counted(key, n, lang),
        "field_label": lambda f: field_label(f, lang),
        **context,
    }  # fmt: skip
    return pages_of(request).render(request, name, context, status, caller=caller)


# --- upload and import pages ------------------------------------------------------------


def _data_page(
    request: Request,
    caller: Caller,
    error: str | None = None,
    status: int = 200,
    analysis: str | None = None,
) -> HTMLResponse:
    with holder_of(request).use_accounts() as stores:
        uploads.purge_expired(stores.workspace)
        pending = uploads.list_uploads(stores.workspace, caller.principal)
        recent = import_review.recent_imports(stores)
        run = last_run(stores) if caller.principal.can("analysis.run") else None
    return _render(
        request, caller, "data.html",
        {"tab": "import", "kinds": KINDS, "pending": pending, "recent": recent, "error": error,
         "limit": _limit_text(), "accepted": ACCEPTED,
         "last_analysis": run.finished_at if run else None,
         "analysis": _analysis_view(request, caller, analysis)},
        status,
    )  # fmt: skip


@router.get("/data", response_class=HTMLResponse, include_in_schema=False)
def data_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("data.import"))],
    analysis: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    return _data_page(request, caller, analysis=analysis)


@router.post("/data/uploads", include_in_schema=False, dependencies=[Depends(upload_size)])
async def upload_file(
    request: Request, caller: Annotated[Caller, Depends(Needs("data.import"))]
) -> Response:
    try:
        with holder_of(request).use_accounts() as stores:
            _, upload = await _receive(request, stores, caller.principal.username)
    except ChandungError as exc:
        if _wants_json(request):
            raise
        message = exc.render(language_of(request))
        return await run_in_threadpool(_data_page, request, caller, message, exc.status)
    url = f"/data/uploads/{upload.id}"
    if _wants_json(request):
        return JSONResponse({"id": upload.id, "url": url}, status_code=201)
    return RedirectResponse(url, status_code=303)


@router.get("/data/uploads/{upload_id}", response_class=HTMLResponse, include_in_schema=False)
def preview_page(
    request: Request, upload_id: Ref, caller: Annotated[Caller, Depends(Needs("data.import"))]
) -> HTMLResponse:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        upload = uploads.get(stores.workspace, upload_id, caller.principal)
        try:
            found = import_review.preview(stores, upload, caller.principal)
        except InputError as exc:
            gone = exc.code != "input.sheet.missing"
            return _render(
                request, caller, "data_preview.html",
                {"tab": "import", "upload": upload, "failed": exc.render(language_of(request)),
                 "gone": gone},
                exc.status,
            )  # fmt: skip
    report = found.report or {}
    problems = Counter((e["column"], e["reason"], e["kind"]) for e in report.get("errors", []))
    return _render(
        request, caller, "data_preview.html",
        {"tab": "import", "upload": found.upload, "preview": found, "report": found.report,
         "problems": problems.most_common(20),
         "problem": found.problem.render(language_of(request)) if found.problem else None,
         "choices": import_review.field_choices(found.upload.kind),
         "required": import_review.required_fields(found.upload.kind)},
    )  # fmt: skip


@router.post("/data/uploads/{upload_id}", include_in_schema=False)
async def choose_mapping(
    request: Request, upload_id: Ref, caller: Annotated[Caller, Depends(Needs("data.import"))]
) -> Response:
    form = await request.form(max_fields=2000)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_choose_mapping, request, upload_id, caller, values)


def _choose_mapping(
    request: Request, upload_id: str, caller: Caller, form: dict[str, str]
) -> Response:
    workspace = holder_of(request).workspace
    upload = uploads.get(workspace, upload_id, caller.principal)
    action = form.get("action", "preview")
    if action == "delete":
        uploads.delete(workspace, upload.id)
        return RedirectResponse("/data", status_code=303)
    sheet = (form.get("sheet") or "").strip()[:100] or None
    if sheet != upload.sheet:
        # Another sheet has other columns: show its preview first.
        uploads.save(workspace, replace(upload, sheet=sheet, columns=None, mapping=None))
        return RedirectResponse(f"/data/uploads/{upload.id}", status_code=303)
    if upload.columns is None:
        return RedirectResponse(f"/data/uploads/{upload.id}", status_code=303)
    chosen = [form.get(f"field_{i}", "") for i in range(len(upload.columns))]
    try:
        mapping = import_review.choose_mapping(upload.kind, upload.columns, chosen)
    except InputError as exc:
        return _render(
            request, caller, "data_preview.html",
            {"tab": "import", "upload": upload, "failed": exc.render(language_of(request)),
             "gone": False},
            exc.status,
        )  # fmt: skip
    upload = replace(upload, mapping=mapping)
    uploads.save(workspace, upload)
    if action != "import":
        return RedirectResponse(f"/data/uploads/{upload.id}", status_code=303)
    job = _start_import(request, caller.principal, upload.id)
    return RedirectResponse(f"/data/imports/{job.id}", status_code=303)


def _import_view(request: Request, caller: Caller, ref: str) -> dict[str, Any]:
    """What the report page of ``ref`` (a job, or an import batch) shows."""
    job = jobs_of(request).get(ref, caller.principal)
    if job is not None:
        view: dict[str, Any] = {"job": job, "report": None, "error": None}
        if job.status == "failed" and job.error is not None:
            view["error"] = job.error.render(language_of(request))
        elif job.status == "done" and job.result:
            view["report"] = job.result.get("report")
        return view
    with holder_of(request).use_accounts() as stores:
        report = import_review.saved_report(stores, ref, caller.principal)
    if report is None:
        raise NotFoundError("web_data.no_import", batch=ref)
    return {"job": None, "report": report, "error": None}


@router.get("/data/imports/{ref}", response_class=HTMLResponse, include_in_schema=False)
def import_page(
    request: Request, ref: Ref, caller: Annotated[Caller, Depends(Needs("data.import"))]
) -> HTMLResponse:
    view = _import_view(request, caller, ref)
    return _render(request, caller, "data_import.html", {"tab": "import", "ref": ref, **view})


# --- the analysis -----------------------------------------------------------------------

#: Starting the analysis is one step at a time: a request while it runs gets the running job.
_ANALYSIS_LOCK = threading.Lock()


def analysis_summary(report: AnalysisReport) -> dict[str, Any]:
    """What the page and the API tell of a finished analysis: counts only, no personal data."""
    return {
        "run_id": report.run_id,
        "seconds": round(report.seconds, 1),
        "records": report.identity.records if report.identity else None,
        "people": report.identity.people if report.identity else None,
        "orders": report.overview.orders,
        "customers_valued": report.value.customers if report.value else 0,
        "value_error": report.value_error,
    }


def _running_analysis(request: Request) -> Job | None:
    job: Job | None = getattr(request.app.state, "analysis_job", None)
    return job if job is not None and job.status in ("queued", "running") else None


def start_analysis(request: Request, principal: Principal) -> Job:
    """Run the analysis in the background, or the analysis already running if there is one."""

    def task(stores: Stores, progress: Callable[[int, int], None]) -> dict[str, Any]:
        progress(0, 1)
        summary = analysis_summary(run_analysis(stores))
        progress(1, 1)
        return summary

    with _ANALYSIS_LOCK:
        running = _running_analysis(request)
        if running is not None:
            return running
        job = jobs_of(request).submit("analysis", principal, task)
        request.app.state.analysis_job = job
        return job


def _analysis_view(request: Request, caller: Caller, ref: str | None) -> dict[str, Any]:
    """The analysis the data page follows: the job ``ref`` (the caller's, or the app's
    latest analysis, whoever started it), else the one running now."""
    latest: Job | None = getattr(request.app.state, "analysis_job", None)
    job = jobs_of(request).get(ref, caller.principal) if ref else None
    if job is None and latest is not None and (ref == latest.id or _running_analysis(request)):
        job = latest
    if job is None or job.kind != "analysis":
        return {"job": None, "summary": None, "error": None, "followed": False}
    lang = language_of(request)
    summary = job.result if job.status == "done" else None
    return {
        "job": job, "summary": summary,
        "error": job.error.render(lang) if job.error else None,
        "value_error": value_error_text((summary or {}).get("value_error"), lang),
        # Its progress is read from the jobs API, which shows a job to whoever started it.
        "followed": jobs_of(request).get(job.id, caller.principal) is not None,
    }  # fmt: skip


@router.post("/data/analyze", include_in_schema=False)
def analyze_form(
    request: Request, caller: Annotated[Caller, Depends(Needs("analysis.run"))]
) -> Response:
    job = start_analysis(request, caller.principal)
    return RedirectResponse(f"/data?analysis={job.id}", status_code=303)


# --- quarantine -------------------------------------------------------------------------


@router.get("/data/quarantine", response_class=HTMLResponse, include_in_schema=False)
def quarantine_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("data.import"))],
    batch: Annotated[str | None, Query(max_length=80)] = None,
    kind: QuarantineKind = "quarantine",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    batch = batch or None
    offset = (page - 1) * quarantine_review.PAGE
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        found = quarantine_review.quarantine_page(
            stores, caller.principal, batch=batch, kind=kind, offset=offset
        )
    return _render(
        request, caller, "data_quarantine.html",
        {"tab": "quarantine", "q": found, "batch": batch, "kind": kind, "page": page,
         "pages": max(1, -(-found.total // quarantine_review.PAGE))},
    )  # fmt: skip


@router.get("/data/quarantine.csv", include_in_schema=False)
def quarantine_download(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("data.import"))],
    batch: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        body, _ = quarantine_review.quarantine_csv(
            stores, caller.principal, batch=batch or None, language=language_of(request)
        )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="quarantine.csv"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


@router.post("/data/quarantine/correct", include_in_schema=False)
def correct_quarantined(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("data.import"))],
    batch: Annotated[str, Form(min_length=1, max_length=80)],
    row: Annotated[int, Form(ge=0, le=10**9)],
    column: Annotated[str, Form(min_length=1, max_length=500)],
    value: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        upload = quarantine_review.correct_row(stores, caller.principal, batch, row, column, value)
    job = _start_import(request, caller.principal, upload.id)
    return RedirectResponse(f"/data/imports/{job.id}", status_code=303)


# --- quality ----------------------------------------------------------------------------


@router.get("/data/quality", response_class=HTMLResponse, include_in_schema=False)
def quality_page(
    request: Request, caller: Annotated[Caller, Depends(Needs("aggregates.read"))]
) -> HTMLResponse:
    with holder_of(request).use() as stores:
        stored = stored_quality(stores)
    return _render(
        request, caller, "data_quality.html",
        {"tab": "quality", "q": stored.report, "measured_at": stored.measured_at,
         "stale": stored.stale},
    )  # fmt: skip


# --- merges -----------------------------------------------------------------------------


@router.get("/data/merges", response_class=HTMLResponse, include_in_schema=False)
def merges_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.merge"))],
    job: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    found = jobs_of(request).get(job, caller.principal) if job else None
    with holder_of(request).use() as stores:
        total, by_rule, links = merge_review.linked_records(stores)
        decisions = merge_review.manual_decisions(stores)
    error = found.error.render(language_of(request)) if found and found.error else None
    return _render(
        request, caller, "data_merges.html",
        {"tab": "merges", "job": found, "job_error": error, "total": total, "by_rule": by_rule,
         "links": links, "decisions": decisions},
    )  # fmt: skip


def _identity_job(request: Request, caller: Caller, kind: str, *ids: str) -> Response:
    def task(stores: Stores, _progress: Callable[[int, int], None]) -> dict[str, Any]:
        if kind == "merge":
            report = merge_review.merge(stores, ids[0], ids[1])
        else:
            report = merge_review.split(stores, ids[0])
        return {**report.as_dict(), "action": kind, "customer_ids": list(ids)}

    job = jobs_of(request).submit(kind, caller.principal, task)
    return RedirectResponse(f"/data/merges?job={job.id}", status_code=303)


@router.post("/data/merges", include_in_schema=False)
def merge_records_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.merge"))],
    customer_id: Annotated[str, Form(min_length=1, max_length=64)],
    other_id: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    if customer_id.strip() == other_id.strip():
        raise InputError("web_data.same_record")
    return _identity_job(request, caller, "merge", customer_id.strip(), other_id.strip())


@router.post("/data/merges/split", include_in_schema=False)
def split_record_form(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.merge"))],
    customer_id: Annotated[str, Form(min_length=1, max_length=64)],
) -> Response:
    return _identity_job(request, caller, "split", customer_id.strip())


# --- API --------------------------------------------------------------------------------

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "file"],
                    "properties": {
                        "kind": {"type": "string", "enum": list(KINDS)},
                        "file": {"type": "string", "format": "binary"},
                        "sheet": {"type": "string", "maxLength": 100},
                        "mapping": {
                            "type": "string",
                            "maxLength": 65536,
                            "description": "JSON object: source column → field; an empty "
                            "string keeps the column as an extra attribute.",
                        },
                    },
                }
            }
        },
    }
}


def _api_mapping(kind: str, text: str | None) -> dict[str, str | None] | None:
    if not text or not text.strip():
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        raise InputError("web_data.mapping_json") from None
    if (
        not isinstance(raw, dict)
        or len(raw) > 1000
        or not all(isinstance(k, str) and len(k) <= 500 for k in raw)
        or not all(v is None or isinstance(v, str) for v in raw.values())
    ):
        raise InputError("web_data.mapping_json")
    mapping = {k: (v or None) for k, v in raw.items()}
    import_review.check_targets(kind, mapping)
    return mapping


@router.post(
    "/api/v1/imports",
    tags=["data"],
    status_code=202,
    dependencies=[Depends(upload_size)],
    openapi_extra=_UPLOAD_BODY,
)
async def start_import(
    request: Request, caller: Annotated[Caller, Depends(Needs("data.import"))]
) -> dict[str, Any]:
    """Upload a file (multipart: ``file``, ``kind``, optional ``sheet`` and ``mapping``) and
    import it in the background; returns the job to follow at ``/api/v1/imports/{job_id}``."""
    with holder_of(request).use_accounts() as stores:
        fields, upload = await _receive(request, stores, caller.principal.username)
        try:
            mapping = _api_mapping(upload.kind, fields.get("mapping"))
        except InputError:
            uploads.delete(stores.workspace, upload.id)
            raise
        if mapping is not None:
            upload = replace(upload, mapping=mapping)
            uploads.save(stores.workspace, upload)
    job = _start_import(request, caller.principal, upload.id)
    return {"job_id": job.id, "status": job.status, "url": f"/api/v1/imports/{job.id}"}


@router.get("/api/v1/imports", tags=["data"], dependencies=[Depends(Needs("data.import"))])
def list_imports(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The latest imports, newest first, with their counts."""
    with holder_of(request).use_accounts() as stores:
        return {"imports": import_review.recent_imports(stores, limit)}


@router.get("/api/v1/imports/{job_id}", tags=["data"])
def import_report(
    request: Request, job_id: Ref, caller: Annotated[Caller, Depends(Needs("data.import"))]
) -> dict[str, Any]:
    """The state of an import started here (by its job id), or the report of a past import
    (by its batch id); rejected values are masked unless the caller may read personal data."""
    view = _import_view(request, caller, job_id)
    job: Job | None = view["job"]
    return {
        "id": job_id,
        "status": job.status if job else "done",
        "error": job.error.as_dict(language_of(request)) if job and job.error else None,
        "report": view["report"],
    }


@router.post("/api/v1/analysis", tags=["data"], status_code=202)
def start_analysis_json(
    request: Request, caller: Annotated[Caller, Depends(Needs("analysis.run"))]
) -> dict[str, Any]:
    """Run the analysis (identities, figures, the value of every customer) in the
    background; returns the job to follow at ``/api/v1/jobs/{job}``. While an analysis runs,
    asking again returns that one."""
    job = start_analysis(request, caller.principal)
    return {"job": job.id, "status": job.status, "url": f"/api/v1/jobs/{job.id}"}


@router.get("/api/v1/quality", tags=["data"], dependencies=[Depends(Needs("aggregates.read"))])
def quality_json(request: Request) -> dict[str, Any]:
    """Completeness and validity per field, duplicates merged, stale people and consent
    coverage of the customer file."""
    with holder_of(request).use() as stores:
        stored = stored_quality(stores)
    measured = stored.measured_at.isoformat() if stored.measured_at else None
    return {**stored.report.as_dict(), "measured_at": measured, "stale": stored.stale}
