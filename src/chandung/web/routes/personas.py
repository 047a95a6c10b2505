"""Personas: the gallery, one persona with its evidence, edits, versions, cards and the API.

Pages and API read the stored persona sets (the app database) and never recompute them; a new
version is generated as a background job. Cards are drawn after the warehouse is released, one
at a time (the drawing library keeps global state).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ...errors import ChandungError
from ...i18n import translate
from ...i18n.formats import format_compact_vnd, format_number, format_percent
from ...personas.card_image import render_card_pdf, render_card_png, render_deck_pdf
from ...personas.cards import accent_colour, evidence_text, initials_of, safe_avatar_svg
from ...privacy.context import acting_as
from ...services import audit
from ...services import personas as service
from ...services.stores import Stores
from ..auth import Caller, Needs
from ..deps import holder_of, jobs_of, language_of, pages_of
from ..jobs import Job, Progress

router = APIRouter()

Section = Literal[
    "demographics", "behaviour", "goals", "motivations", "pain_points", "objections",
    "buying_criteria", "channels", "mindset", "quotes", "recommendations",
]  # fmt: skip
Language = Literal["vi", "en"]
PersonaId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
Version = Annotated[int | None, Query(ge=1, le=1_000_000)]
LangQuery = Annotated[Language | None, Query()]
Read = Annotated[Caller, Depends(Needs("personas.read"))]
Write = Annotated[Caller, Depends(Needs("personas.write"))]

#: Cards are drawn one at a time: the drawing library's settings are global.
_DRAWING = threading.Lock()
#: Statement keys whose figures are money, and whose figures are shares.
_MONEY_HINTS = ("vnd", "revenue", "order_value", "clv", "income", "spend")
_SHARE_KEYS = ("churn_risk", "probability_alive")
_CONFIDENCE_LEVELS = ("high", "medium", "low")


class GenerationRunning(ChandungError):
    """Someone else's generation of personas is still running."""

    status = 409
    default_code = "web_personas.running"


class PersonaChange(BaseModel):
    """A change made to a persona by hand (kept for every later version of it)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100, description="New name; empty: the generated one")
    nickname: str | None = Field(None, max_length=100, description="New nickname; empty: generated")
    note: str | None = Field(None, max_length=1000, description="A note to add")
    hide: list[Section] = Field(default_factory=list, max_length=11, description="Sections to hide")
    show: list[Section] = Field(default_factory=list, max_length=11, description="Sections to show")
    clear_notes: bool = Field(False, description="Remove the notes first")


class GenerateRequest(BaseModel):
    """Where the segments of a new version come from (default: the latest segmentation)."""

    model_config = ConfigDict(extra="forbid")

    segmentation_id: str | None = Field(None, min_length=1, max_length=100)
    segments: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        None, min_length=1, max_length=50
    )


# --- view helpers ----------------------------------------------------------------------------


def _figure(value: float, key: str, field: str, lang: str) -> str:
    if field.startswith("share") or key in _SHARE_KEYS:
        return format_percent(value, lang, 0)
    if any(hint in key for hint in _MONEY_HINTS):
        return format_compact_vnd(value, lang)
    return format_number(value, lang, 0 if float(value).is_integer() else 1)


def _evidence_rows(evidence: Mapping[str, Any], key: str, lang: str) -> list[tuple[str, str]]:
    """The figures behind a statement as labelled rows."""

    def label(name: str) -> str:
        return translate(f"web_personas.ev.{name}", lang)

    rows = [(label("source"), str(evidence.get("source", "")))]
    n, size = evidence.get("n"), evidence.get("segment_size")
    if n is not None:
        of = translate("web_personas.ev.n_of", lang, n=format_number(n, lang),
                       size=format_number(size or 0, lang))  # fmt: skip
        rows.append((label("n"), of if size else format_number(n, lang)))
    rows.extend(
        (label(field), _figure(evidence[field], key, field, lang))
        for field in ("share_in_segment", "share_in_base", "segment_value", "base_value")
        if evidence.get(field) is not None
    )
    if evidence.get("lift") is not None:
        rows.append((label("lift"), "×" + format_number(evidence["lift"], lang, 1)))
    if evidence.get("ids"):
        rows.append((label("ids"), ", ".join(str(i) for i in evidence["ids"][:10])))
    return rows


def _statement(raw: Mapping[str, Any], lang: str) -> dict[str, Any]:
    if "missing_data" in raw:
        return {"missing": True, "text": raw["missing_data"]}
    key, evidence = str(raw.get("key", "")), raw.get("evidence") or {}
    return {
        "missing": False,
        "text": raw.get("text", ""),
        "title": evidence_text(evidence, lang, key=key) if evidence else "",
        "rows": _evidence_rows(evidence, key, lang) if evidence else [],
        "weight": raw.get("weight"),
    }


def _shown(statements: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The statements of a section worth a line each: "buyer type: repeat buyer, 78%" says
    what "buys again: 78% have ordered twice or more" says, so only the latter is shown (both
    stay in the persona's data)."""
    keys = {(s.get("key"), s.get("value")) for s in statements if "missing_data" not in s}
    if ("buyer_type", "repeat") in keys and any(k == "repeat" for k, _ in keys):
        return [s for s in statements if s.get("key") != "buyer_type"]
    return list(statements)


def _avatar(persona: Mapping[str, Any], lang: str) -> str:
    name = str(persona.get("name", ""))
    return safe_avatar_svg(
        persona.get("avatar_svg"), initials=initials_of(name),
        colour=accent_colour(str(persona.get("id", ""))),
        label=translate("persona.card.avatar_label", lang, name=name),
    )  # fmt: skip


def _level(persona: Mapping[str, Any]) -> str:
    level = str((persona.get("quality") or {}).get("confidence_level") or "")
    return level if level in _CONFIDENCE_LEVELS else "unknown"


def _card(persona: dict[str, Any], lang: str) -> dict[str, Any]:
    return {**persona, "avatar": _avatar(persona, lang), "level": _level(persona)}


def _slug(text: str, limit: int = 40) -> str:
    """``text`` as lower-case ASCII words joined by ``-`` (safe in a file name)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:limit].strip("-")


def _attachment(data: bytes, media_type: str, *parts: str) -> Response:
    name = "-".join(s for s in (_slug(p) for p in parts[:-1]) if s) or "persona"
    filename = f"{name}.{parts[-1]}"
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
    })  # fmt: skip


def _changed(value: str | None, shown: str) -> str | None:
    """A submitted field when it differs from what is shown (empty: back to the generated)."""
    return None if value is None or value.strip() == shown else value


def _language(request: Request, lang: str | None) -> str:
    return lang or language_of(request)


# --- background generation -------------------------------------------------------------------


def _generation_task(
    segmentation_id: str | None, segments: Sequence[str] | None
) -> Callable[[Stores, Progress], dict[str, Any]]:
    def task(stores: Stores, progress: Progress) -> dict[str, Any]:
        progress(0, 1)
        report = service.generate_personas(
            stores, segmentation_id=segmentation_id, segments=list(segments) if segments else None
        )
        progress(1, 1)
        return {"version": report.version, "personas": [p.id for p in report.personas],
                "skipped": len(report.skipped), "seconds": round(report.seconds, 1)}  # fmt: skip

    return task


def _start_generation(request: Request, caller: Caller, body: GenerateRequest | None) -> Job:
    """A new generation job, or the one of this caller still running (a second click)."""
    jobs = jobs_of(request)
    running: Job | None = getattr(request.app.state, "persona_generation", None)
    if running is not None and running.status in ("queued", "running"):
        if jobs.get(running.id, caller.principal) is not None:
            return running
        raise GenerationRunning()
    body = body or GenerateRequest()
    job = jobs.submit(
        "personas.generate", caller.principal, _generation_task(body.segmentation_id, body.segments)
    )
    request.app.state.persona_generation = job
    return job


def _job_view(request: Request, caller: Caller, job_id: str | None, lang: str) -> dict[str, Any]:
    job = jobs_of(request).get(job_id, caller.principal) if job_id else None
    if job is None or job.kind != "personas.generate":
        return {}
    view: dict[str, Any] = {"id": job.id, "status": job.status, "result": job.result}
    if job.error is not None:
        view["error"] = job.error.render(lang)
    return view


# --- pages -----------------------------------------------------------------------------------


def _gallery(
    request: Request, caller: Caller, version: int | None, extra: dict[str, Any]
) -> HTMLResponse:
    lang = language_of(request)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        latest = service.latest_version(stores)
        shown = version or latest
        info = service.persona_set(stores, shown) if shown else None
        personas = service.rendered(stores, lang, shown) if shown else []
    return pages_of(request).render(
        request, "personas.html",
        {"active": "personas", "personas": [_card(p, lang) for p in personas], "set": info,
         "latest": latest, **extra},
        caller=caller,
    )  # fmt: skip


@router.get("/personas", response_class=HTMLResponse, include_in_schema=False)
def gallery_page(
    request: Request,
    caller: Read,
    version: Version = None,
    job: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    return _gallery(
        request, caller, version, {"job": _job_view(request, caller, job, language_of(request))}
    )


@router.post("/personas/generate", include_in_schema=False)
def generate_form(request: Request, caller: Write) -> RedirectResponse:
    job = _start_generation(request, caller, None)
    return RedirectResponse(f"/personas?job={job.id}", status_code=303)


@router.get("/personas/versions", response_class=HTMLResponse, include_in_schema=False)
def versions_page(
    request: Request,
    caller: Read,
    a: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    b: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> HTMLResponse:
    lang = language_of(request)
    diff, unknown = None, False
    with acting_as(caller.principal), holder_of(request).use() as stores:
        listed = service.versions(stores)
        numbers = [v["version"] for v in listed]
        if len(numbers) >= 2:
            a = a or numbers[-2]
            b = b or numbers[-1]
            unknown = a not in numbers or b not in numbers
            if not unknown:
                diff = service.diff_versions(stores, a, b, lang)
    return pages_of(request).render(
        request, "personas_versions.html",
        {"active": "personas", "versions": listed, "a": a, "b": b, "diff": diff,
         "unknown": unknown},
        caller=caller,
    )  # fmt: skip


@router.get("/personas/deck.pdf", include_in_schema=False, response_model=None)
def deck_download(
    request: Request, caller: Read, lang: LangQuery = None, version: Version = None
) -> Response:
    language = _language(request, lang)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        shown = version or service.latest_version(stores)
        personas = service.rendered(stores, language, shown) if shown else []
    if not personas:  # nothing to print yet: the gallery says how to make personas
        return _gallery(request, caller, None, {"no_deck": True})
    with _DRAWING:
        data = render_deck_pdf(personas, language=language)
    filename = ("personas", f"v{shown}", language, "pdf")
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        audit.record(stores, "export", target=f"personas:v{shown}", rows=len(personas),
                     details={"file": "-".join(filename[:-1]) + ".pdf", "format": "pdf",
                              "what": "persona_deck"})  # fmt: skip
    return _attachment(data, "application/pdf", *filename)


@router.get("/personas/{persona_id}", response_class=HTMLResponse, include_in_schema=False)
def persona_page(
    request: Request, persona_id: PersonaId, caller: Read, version: Version = None
) -> HTMLResponse:
    lang = language_of(request)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        persona = service.render_one(stores, persona_id, lang, version)
        latest = service.latest_version(stores)
    sections = [
        (name, [_statement(s, lang) for s in _shown(persona.get(name) or ())])
        for name in service.SECTIONS
    ]
    return pages_of(request).render(
        request, "personas_detail.html",
        {"active": "personas", "p": _card(persona, lang), "sections": sections,
         "all_sections": service.SECTIONS, "latest": latest,
         "summary": _statement(persona["summary"], lang),
         "hidden_names": ", ".join(translate(f"persona.card.section.{s}", lang)
                                   for s in persona["hidden_sections"]),
         "saved": request.query_params.get("saved") == "1"},
        caller=caller,
    )  # fmt: skip


@router.post("/personas/{persona_id}/edit", include_in_schema=False)
def edit_form(
    request: Request,
    persona_id: PersonaId,
    caller: Write,
    name: Annotated[str | None, Form(max_length=100)] = None,
    nickname: Annotated[str | None, Form(max_length=100)] = None,
    note: Annotated[str, Form(max_length=1000)] = "",
    hidden: Annotated[list[Section] | None, Form()] = None,
    clear_notes: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    lang = language_of(request)
    hide = list(dict.fromkeys(hidden or []))
    with acting_as(caller.principal), holder_of(request).use() as stores:
        shown = service.render_one(stores, persona_id, lang)
        service.edit_persona(
            stores, shown["id"],
            # Unchanged fields stay as they are (a generated name is not frozen by a save).
            name=_changed(name, shown["name"]), nickname=_changed(nickname, shown["nickname"]),
            note=note.strip() or None, hide=hide,
            show=[s for s in service.SECTIONS if s not in hide], clear_notes=clear_notes,
        )  # fmt: skip
    return RedirectResponse(f"/personas/{shown['id']}?saved=1", status_code=303)


def _card_download(
    request: Request, caller: Caller, persona_id: str, fmt: Literal["pdf", "png"],
    lang: str | None, version: int | None,
) -> Response:  # fmt: skip
    language = _language(request, lang)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        persona = service.render_one(stores, persona_id, language, version)
    with _DRAWING:
        render = render_card_pdf if fmt == "pdf" else render_card_png
        data = render(persona, language=language)
    parts = ("persona", persona["id"], persona["name"], f"v{persona['version']}", language, fmt)
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        audit.record(stores, "export", target=f"persona:{persona['id']}", rows=1,
                     details={"file": "-".join(_slug(p) for p in parts[:-1]) + f".{fmt}",
                              "format": fmt, "what": "persona_card",
                              "version": persona["version"]})  # fmt: skip
    return _attachment(data, "application/pdf" if fmt == "pdf" else "image/png", *parts)


@router.get("/personas/{persona_id}/card.pdf", include_in_schema=False, response_model=None)
def card_pdf(
    request: Request, persona_id: PersonaId, caller: Read, lang: LangQuery = None,
    version: Version = None,
) -> Response:  # fmt: skip
    return _card_download(request, caller, persona_id, "pdf", lang, version)


@router.get("/personas/{persona_id}/card.png", include_in_schema=False, response_model=None)
def card_png(
    request: Request, persona_id: PersonaId, caller: Read, lang: LangQuery = None,
    version: Version = None,
) -> Response:  # fmt: skip
    return _card_download(request, caller, persona_id, "png", lang, version)


# --- API -------------------------------------------------------------------------------------


@router.get("/api/v1/personas", tags=["personas"])
def personas_json(
    request: Request, caller: Read, lang: LangQuery = None, version: Version = None
) -> dict[str, Any]:
    """The personas of a version (default: the latest) as shown, in ``lang``, with the set's
    quality; ``version`` is null and the list empty when none has been generated."""
    language = _language(request, lang)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        shown = version or service.latest_version(stores)
        if shown is None:
            return {"version": None, "set": None, "personas": []}
        info = service.persona_set(stores, shown)
        return {"version": shown, "set": info,
                "personas": service.rendered(stores, language, shown)}  # fmt: skip


@router.get("/api/v1/personas/versions", tags=["personas"])
def versions_json(request: Request, caller: Read) -> dict[str, Any]:
    """Every version of the personas with its date, source, quality and size."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        return {"versions": service.versions(stores)}


@router.get("/api/v1/personas/diff", tags=["personas"])
def diff_json(
    request: Request,
    caller: Read,
    a: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    b: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    lang: LangQuery = None,
) -> dict[str, Any]:
    """What changed from version ``a`` to ``b`` (default: the last two), persona by persona."""
    language = _language(request, lang)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        numbers = [v["version"] for v in service.versions(stores)]
        if a is None and b is None and len(numbers) < 2:
            return {"from": None, "to": None, "personas": []}
        first = a or (numbers[-2] if len(numbers) >= 2 else 1)
        second = b or (numbers[-1] if numbers else 1)
        return service.diff_versions(stores, first, second, language)


@router.post("/api/v1/personas/generate", tags=["personas"], status_code=202)
def generate_json(
    request: Request, caller: Write, body: Annotated[GenerateRequest | None, Body()] = None
) -> dict[str, Any]:
    """Start generating the next version; follow it at ``/api/v1/jobs/{job}``."""
    job = _start_generation(request, caller, body)
    return {"job": job.id, "status": job.status, "url": f"/api/v1/jobs/{job.id}"}


@router.get("/api/v1/personas/{persona_id}", tags=["personas"])
def persona_json(
    request: Request, persona_id: PersonaId, caller: Read, lang: LangQuery = None,
    version: Version = None,
) -> dict[str, Any]:  # fmt: skip
    """One persona with every section and the evidence of each statement."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        return service.render_one(stores, persona_id, _language(request, lang), version)


@router.patch("/api/v1/personas/{persona_id}", tags=["personas"])
def persona_patch(
    request: Request, persona_id: PersonaId, caller: Write, change: PersonaChange,
    lang: LangQuery = None,
) -> dict[str, Any]:  # fmt: skip
    """Rename, add a note or hide sections; kept for every later version of the persona."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        service.edit_persona(
            stores, persona_id, name=change.name, nickname=change.nickname,
            note=(change.note or "").strip() or None,
            hide=list(dict.fromkeys(change.hide)), show=list(dict.fromkeys(change.show)),
            clear_notes=change.clear_notes,
        )  # fmt: skip
        return service.render_one(stores, persona_id, _language(request, lang))
