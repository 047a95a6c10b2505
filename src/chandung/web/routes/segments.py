"""Segments: the saved segments and the latest automatic segmentation, the rule builder with
its live count, each segment's profile, checks and look-alike non-buyers, comparisons, and
the API.

Counts are one query over the materialised segment base, so pages show them at once. A
profile, the "not our target" analysis and a comparison scan the whole base many times over:
they run as background jobs (started from a button, or right after a segment is saved), and
their results are kept for the pages of this app until the segment or the data change.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Body, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ...errors import InputError, NotFoundError
from ...i18n import translate
from ...i18n.formats import format_number, format_percent
from ...privacy.context import acting_as
from ...privacy.roles import Principal
from ...segments.features import DEFAULT_KINDS, KINDS, FeatureKind
from ...segments.profiles import SegmentComparison, SegmentProfile, attribute_label
from ...segments.rules import RuleError
from ...services import segment_views as views
from ...services.auto_segments import auto_segment
from ...services.not_target import NotTargetReport, not_target
from ...services.segments import (
    SegmentCheck,
    check_segment,
    compare_saved_segments,
    count_rule,
    create_segment,
    delete_segment,
    level_labels,
    profile_saved_segment,
    trait_labels,
)
from ...services.stores import Stores
from ..auth import Caller, Needs
from ..deps import holder_of, jobs_of, language_of, pages_of
from ..jobs import Job, Progress

router = APIRouter()

Read = Annotated[Caller, Depends(Needs("segments.read"))]
Write = Annotated[Caller, Depends(Needs("segments.write"))]
SegmentName = Annotated[str, Path(min_length=1, max_length=200)]
JobQuery = Annotated[str | None, Query(max_length=64)]

#: Names that would be taken for another page or resource under /segments.
RESERVED = frozenset({"new", "compare", "auto", "fields", "count"})
#: Longest rule text accepted (the rule language itself stops at a shorter length, with a
#: message saying so).
RULE_CHARS = 20_000
#: Traits written out on a profile page, and differences listed on a comparison.
TRAITS_SHOWN = 8
DIFFERENCES_SHOWN = 12


# --- results of the long tasks, kept for the pages -------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """A saved segment's profile, checks and look-alike non-buyers, as computed once."""

    rule: str
    profile: SegmentProfile
    check: SegmentCheck
    not_target: NotTargetReport
    computed_at: datetime

    def fits(self, row: views.SegmentRow, everyone: int | None) -> bool:
        """Still true of the segment as it is now (same rule, same members, same base)."""
        return (
            self.rule == row.rule
            and self.profile.size == row.members
            and self.profile.base_size == everyone
        )


@dataclass(frozen=True)
class Comparison:
    """Two saved segments compared, as computed once."""

    rules: tuple[str, str]
    result: SegmentComparison
    computed_at: datetime

    def fits(self, a: views.SegmentRow, b: views.SegmentRow) -> bool:
        return (
            self.rules == (a.rule, b.rule)
            and self.result.a.size == a.members
            and self.result.b.size == b.members
        )


class Shelf:
    """The most recent results of the segment jobs, and which job computes what."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self._jobs: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def put(self, key: tuple[str, ...], value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get(self, key: tuple[str, ...]) -> Any:
        with self._lock:
            return self._items.get(key)

    def forget(self, name: str) -> None:
        """Drop every result about the segment ``name``."""
        with self._lock:
            for key in [k for k in self._items if name in k[1:]]:
                del self._items[key]

    def started(self, job: Job, key: tuple[str, ...]) -> None:
        with self._lock:
            self._jobs[job.id] = key
            while len(self._jobs) > self.size * 4:
                self._jobs.pop(next(iter(self._jobs)))

    def job_key(self, job_id: str) -> tuple[str, ...] | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running(self, key: tuple[str, ...]) -> list[str]:
        with self._lock:
            return [job_id for job_id, k in self._jobs.items() if k == key]


_SHELF_LOCK = threading.Lock()


def shelf_of(request: Request) -> Shelf:
    """The shelf of this app (made on first use)."""
    state = request.app.state
    with _SHELF_LOCK:
        shelf: Shelf | None = getattr(state, "segment_results", None)
        if shelf is None:
            shelf = Shelf()
            state.segment_results = shelf
    return shelf


def _submit(
    request: Request,
    principal: Principal,
    kind: str,
    key: tuple[str, ...],
    task: Callable[[Stores, Progress], dict[str, Any]],
) -> Job:
    """Start ``task``, or hand back the same task this person started and is still running."""
    jobs, shelf = jobs_of(request), shelf_of(request)
    for job_id in shelf.running(key):
        job = jobs.get(job_id, principal)
        if job is not None and job.owner == principal.username and job.status in (
            "queued", "running"
        ):  # fmt: skip
            return job
    job = jobs.submit(kind, principal, task)
    shelf.started(job, key)
    return job


def _analysis_task(shelf: Shelf, name: str) -> Callable[[Stores, Progress], dict[str, Any]]:
    def task(stores: Stores, progress: Progress) -> dict[str, Any]:
        progress(0, 4)
        rows, _ = views.saved_segment_rows(stores, [name])
        progress(1, 4)
        profile = profile_saved_segment(stores, name)
        progress(2, 4)
        check = check_segment(stores, name)
        progress(3, 4)
        report = not_target(stores, name)
        progress(4, 4)
        shelf.put(
            ("profile", name),
            Analysis(rows[0].rule, profile, check, report, datetime.now(UTC)),
        )
        return {"segment": name, "members": profile.size, "traits": len(profile.traits)}

    return task


def _compare_task(shelf: Shelf, a: str, b: str) -> Callable[[Stores, Progress], dict[str, Any]]:
    def task(stores: Stores, progress: Progress) -> dict[str, Any]:
        progress(0, 2)
        rows, _ = views.saved_segment_rows(stores, [a, b])
        rules = {r.name: r.rule for r in rows}
        progress(1, 2)
        result = compare_saved_segments(stores, a, b)
        progress(2, 2)
        shelf.put(("compare", a, b), Comparison((rules[a], rules[b]), result, datetime.now(UTC)))
        return {"a": a, "b": b, "overlap": result.overlap}

    return task


def _auto_task(
    k: int | Literal["auto"], kinds: list[str] | None, seed: int, language: str
) -> Callable[[Stores, Progress], dict[str, Any]]:
    def task(stores: Stores, progress: Progress) -> dict[str, Any]:
        progress(0, 1)
        report = auto_segment(stores, kinds=kinds, k=k, seed=seed, language=language)
        progress(1, 1)
        stability = report.stability.get(str(report.k))
        return {"segmentation_id": report.segmentation_id, "k": report.k,
                "stability": stability, "customers": report.customers}  # fmt: skip

    return task


def _start_analysis(request: Request, caller: Caller, name: str) -> Job:
    shelf = shelf_of(request)
    return _submit(
        request, caller.principal, "segments.profile", ("profile", name),
        _analysis_task(shelf, name),
    )  # fmt: skip


def _start_auto(
    request: Request,
    caller: Caller,
    k: int | Literal["auto"],
    kinds: list[str] | None = None,
    seed: int = 0,
) -> Job:
    return _submit(
        request, caller.principal, "segments.auto", ("auto",),
        _auto_task(k, kinds, seed, language_of(request)),
    )  # fmt: skip


def _job_view(
    request: Request, caller: Caller, job_id: str | None, key: tuple[str, ...]
) -> dict[str, Any] | None:
    """The caller's job ``job_id`` if it computes ``key``: its status, result or error."""
    if not job_id or shelf_of(request).job_key(job_id) != key:
        return None
    job = jobs_of(request).get(job_id, caller.principal)
    if job is None:
        return None
    view: dict[str, Any] = {"id": job.id, "status": job.status, "result": job.result or {}}
    if job.error is not None:
        view["error"] = job.error.render(language_of(request))
    return view


def _running(job: dict[str, Any] | None) -> bool:
    return job is not None and job["status"] in ("queued", "running")


def _progress_page(
    request: Request, caller: Caller, job: dict[str, Any], title: str, done: str
) -> HTMLResponse:
    return pages_of(request).render(
        request, "segments_job.html",
        {"active": "segments", "job": job, "title": title, "done": done,
         "again": f"{done}{'&' if '?' in done else '?'}job={job['id']}"},
        caller=caller,
    )  # fmt: skip


def _chart_view(chart: views.LiftChart, lang: str) -> dict[str, Any]:
    """A lift chart as the template draws it: each bar with its texts in ``lang``."""
    bars = [
        {
            "label": b.label, "lift": b.lift, "direction": b.direction,
            "lift_text": format_number(b.lift, lang, 1),
            "title": translate(
                "web_segments.lift_title", lang, level=b.label,
                segment=format_percent(b.share_segment, lang),
                base=format_percent(b.share_base, lang), lift=format_number(b.lift, lang, 2),
            ),
        }
        for b in chart.bars
    ]  # fmt: skip
    return {"attribute": chart.attribute, "label": chart.label, "top": chart.top, "bars": bars}


def _trait_bars(traits: views.ShownTraits, lang: str) -> list[dict[str, Any]]:
    """Bars of the traits recorded with an automatic segment (their lift against the base)."""
    out = []
    for label, lift in traits.bars:
        out.append({
            "label": label, "lift": lift, "direction": "over" if lift >= 1.0 else "under",
            "lift_text": format_number(lift, lang, 1),
            "title": f"{label}: ×{format_number(lift, lang, 2)}",
        })  # fmt: skip
    return out


def _segment_url(name: str) -> str:
    return f"/segments/{quote(name, safe='')}"


# --- checks of what people type --------------------------------------------------------------


def _checked_name(name: str) -> str:
    """A segment name that can be used in addresses: no slash, no control character, not the
    name of another page."""
    name = name.strip()
    if not name:
        raise InputError("segment.name_empty")
    if "/" in name or any(unicodedata.category(c).startswith("C") for c in name):
        raise InputError("web_segments.bad_name", name=name)
    if name.casefold() in RESERVED:
        raise InputError("web_segments.reserved_name", name=name, names=", ".join(sorted(RESERVED)))
    return name


def _checked_text(description: str) -> str:
    if "\x00" in description:
        raise InputError("web_segments.bad_description")
    return description.strip()


def _count_text(members: int, everyone: int, language: str) -> str:
    return translate(
        "web_segments.count_result", language,
        members=format_number(members, language),
        share=format_percent(members / everyone if everyone else 0.0, language),
    )  # fmt: skip


# --- pages -----------------------------------------------------------------------------------


@router.get("/segments", response_class=HTMLResponse, include_in_schema=False)
def segments_page(
    request: Request,
    caller: Read,
    job: JobQuery = None,
    deleted: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    lang = language_of(request)
    job_view = _job_view(request, caller, job, ("auto",))
    if _running(job_view) and job_view is not None:
        return _progress_page(
            request, caller, job_view, translate("web_segments.auto_running", lang), "/segments"
        )
    with acting_as(caller.principal), holder_of(request).use() as stores:
        rows, everyone = views.saved_segment_rows(stores)
        latest = views.latest_segmentation(stores)
    traits = (
        {int(s.get("id", 0)): latest.traits(s, lang) for s in latest.segments} if latest else {}
    )
    return pages_of(request).render(
        request, "segments.html",
        {"active": "segments", "rows": rows, "everyone": everyone, "latest": latest,
         "traits": traits, "job": job_view, "deleted": deleted,
         "k_choices": list(range(2, 11)), "kinds": KINDS, "default_kinds": DEFAULT_KINDS},
        caller=caller,
    )  # fmt: skip


def _builder(
    request: Request,
    caller: Caller,
    form: dict[str, str],
    *,
    count: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = language_of(request)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        fields = views.field_views(stores, lang, with_levels=False)
    return pages_of(request).render(
        request, "segments_new.html",
        {"active": "segments", "fields": fields, "form": form, "count": count, "error": error,
         "max_rule": RULE_CHARS},
        status_code=status, caller=caller,
    )  # fmt: skip


@router.get("/segments/new", response_class=HTMLResponse, include_in_schema=False)
def new_segment_page(
    request: Request,
    caller: Write,
    rule: Annotated[str, Query(max_length=RULE_CHARS)] = "",
) -> HTMLResponse:
    return _builder(request, caller, {"name": "", "description": "", "rule": rule})


@router.post("/segments/new", include_in_schema=False, response_model=None)
def new_segment_submit(
    request: Request,
    caller: Write,
    name: Annotated[str, Form(max_length=200)] = "",
    rule: Annotated[str, Form(max_length=RULE_CHARS)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    action: Annotated[Literal["count", "save"], Form()] = "save",
) -> Response:
    lang = language_of(request)
    form = {"name": name, "description": description, "rule": rule}
    try:
        if action == "count":
            with acting_as(caller.principal), holder_of(request).use() as stores:
                members, everyone = count_rule(stores, rule)
            return _builder(request, caller, form, count=_count_text(members, everyone, lang))
        checked = _checked_name(name)
        text = _checked_text(description)
        with acting_as(caller.principal), holder_of(request).use() as stores:
            create_segment(stores, checked, rule, description=text, owner=caller.principal.username)
    except InputError as exc:
        return _builder(request, caller, form, error=exc.render(lang), status=exc.status)
    job = _start_analysis(request, caller, checked)
    return RedirectResponse(f"{_segment_url(checked)}?job={job.id}", status_code=303)


@router.get("/segments/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(
    request: Request,
    caller: Read,
    a: Annotated[str | None, Query(max_length=200)] = None,
    b: Annotated[str | None, Query(max_length=200)] = None,
    job: JobQuery = None,
) -> HTMLResponse:
    lang = language_of(request)
    here = "/segments/compare" + (f"?{urlencode({'a': a, 'b': b})}" if a and b else "")
    job_view = _job_view(request, caller, job, ("compare", a or "", b or ""))
    if _running(job_view) and job_view is not None:
        return _progress_page(
            request, caller, job_view, translate("web_segments.compare_running", lang), here
        )
    # Only the two chosen segments are counted; the list of names is in the app database.
    with acting_as(caller.principal), holder_of(request).use() as stores:
        names = views.saved_names(stores)
        for chosen in (a, b):
            if chosen and chosen not in names:
                raise NotFoundError("segment.not_found", name=chosen)
        rows, everyone = views.saved_segment_rows(stores, [a, b]) if a and b else ([], None)
    by_name = {r.name: r for r in rows}
    pair = (by_name[a], by_name[b]) if a and b else None
    shown = shelf_of(request).get(("compare", a or "", b or "")) if pair else None
    if shown is not None and pair is not None and not shown.fits(*pair):
        shown = None
    differences = (
        views.difference_rows(
            shown.result.top_differences(DIFFERENCES_SHOWN), lang, level_labels(lang)
        )
        if shown
        else []
    )
    return pages_of(request).render(
        request, "segments_compare.html",
        {"active": "segments", "names": names, "everyone": everyone, "a": a, "b": b,
         "pair": pair, "comparison": shown, "differences": differences, "job": job_view},
        caller=caller,
    )  # fmt: skip


@router.post("/segments/compare", include_in_schema=False)
def compare_submit(
    request: Request,
    caller: Read,
    a: Annotated[str, Form(min_length=1, max_length=200)],
    b: Annotated[str, Form(min_length=1, max_length=200)],
) -> RedirectResponse:
    if a == b:
        raise InputError("web_segments.same_segment")
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        names = set(views.saved_names(stores))
    for chosen in (a, b):
        if chosen not in names:
            raise NotFoundError("segment.not_found", name=chosen)
    job = _submit(
        request, caller.principal, "segments.compare", ("compare", a, b),
        _compare_task(shelf_of(request), a, b),
    )  # fmt: skip
    query = urlencode({"a": a, "b": b, "job": job.id})
    return RedirectResponse(f"/segments/compare?{query}", status_code=303)


@router.post("/segments/auto", include_in_schema=False)
def auto_submit(
    request: Request,
    caller: Write,
    k: Annotated[str, Form(max_length=4, pattern=r"^(auto|[0-9]{1,2})$")] = "auto",
    kinds: Annotated[list[FeatureKind] | None, Form(max_length=6)] = None,
) -> RedirectResponse:
    chosen: int | Literal["auto"] = "auto" if k == "auto" else int(k)
    if chosen != "auto" and not 2 <= chosen <= 20:
        raise InputError("web_segments.bad_k", k=k)
    job = _start_auto(request, caller, chosen, list(dict.fromkeys(kinds)) if kinds else None)
    return RedirectResponse(f"/segments?job={job.id}", status_code=303)


@router.get("/segments/auto/{segment_id}", response_class=HTMLResponse, include_in_schema=False)
def auto_segment_page(
    request: Request, caller: Read, segment_id: Annotated[int, Path(ge=1, le=1000)]
) -> HTMLResponse:
    # The recorded run is in the app database: this page never waits for the warehouse.
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        latest = views.latest_segmentation(stores)
    if latest is None:
        raise NotFoundError("web_segments.auto_not_found", id=segment_id)
    segment = latest.segment(segment_id)
    lang = language_of(request)
    traits = latest.traits(segment, lang)
    bars = _trait_bars(traits, lang)
    highest = max([b["lift"] for b in bars] + [views.MIN_LIFT_SCALE])
    return pages_of(request).render(
        request, "segments_auto.html",
        {"active": "segments", "latest": latest, "segment": segment, "traits": traits,
         "bars": bars, "top": min(views.MAX_LIFT, highest),
         "persona": latest.personas.get(segment_id)},
        caller=caller,
    )  # fmt: skip


@router.get("/segments/{name}", response_class=HTMLResponse, include_in_schema=False)
def segment_page(
    request: Request, caller: Read, name: SegmentName, job: JobQuery = None
) -> HTMLResponse:
    lang = language_of(request)
    job_view = _job_view(request, caller, job, ("profile", name))
    if _running(job_view) and job_view is not None:
        title = translate("web_segments.profile_running", lang, name=name)
        return _progress_page(request, caller, job_view, title, _segment_url(name))
    with acting_as(caller.principal), holder_of(request).use() as stores:
        rows, everyone = views.saved_segment_rows(stores, [name])
    row = rows[0]
    analysis: Analysis | None = shelf_of(request).get(("profile", name))
    if analysis is not None and not analysis.fits(row, everyone):
        analysis = None
    labels = level_labels(lang)
    context: dict[str, Any] = {
        "active": "segments", "row": row, "everyone": everyone, "analysis": analysis,
        "job": job_view, "url": _segment_url(name),
    }  # fmt: skip
    if analysis is not None:
        context.update(
            charts=[
                _chart_view(c, lang) for c in views.lift_charts(analysis.profile, lang, labels)
            ],
            traits=analysis.profile.trait_texts(lang, trait_labels(lang), limit=TRAITS_SHOWN),
            numeric=[
                (attribute_label(n.attribute, lang), n)
                for n in analysis.profile.numeric
                if n.n_segment
            ],
            completeness=[
                (attribute_label(f, lang), share)
                for f, share in analysis.check.field_completeness.items()
            ],
            channels=[
                (translate(f"web_segments.channel.{c}", lang), share)
                for c, share in analysis.check.reachable_by_channel.items()
            ],
            lookalike_rows=views.difference_rows(analysis.not_target.differences, lang, labels),
        )
    return pages_of(request).render(request, "segments_profile.html", context, caller=caller)


@router.post("/segments/{name}/profile", include_in_schema=False)
def profile_submit(request: Request, caller: Read, name: SegmentName) -> RedirectResponse:
    with acting_as(caller.principal), holder_of(request).use_accounts() as stores:
        if name not in views.saved_names(stores):
            raise NotFoundError("segment.not_found", name=name)
    job = _start_analysis(request, caller, name)
    return RedirectResponse(f"{_segment_url(name)}?job={job.id}", status_code=303)


@router.post("/segments/{name}/delete", include_in_schema=False)
def delete_submit(request: Request, caller: Write, name: SegmentName) -> RedirectResponse:
    with acting_as(caller.principal), holder_of(request).use() as stores:
        delete_segment(stores, name)
    shelf_of(request).forget(name)
    return RedirectResponse(f"/segments?{urlencode({'deleted': name})}", status_code=303)


# --- API -------------------------------------------------------------------------------------


class SegmentIn(BaseModel):
    """A segment to save."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, description="Name of the segment.")
    rule: str = Field(
        min_length=1, max_length=RULE_CHARS, description="Rule in the segment language."
    )
    description: str = Field("", max_length=2000, description="What the segment is for.")


class RuleIn(BaseModel):
    """A rule to count."""

    model_config = ConfigDict(extra="forbid")
    rule: str = Field(max_length=RULE_CHARS, description="Rule in the segment language.")


class AutoIn(BaseModel):
    """Settings of an automatic segmentation."""

    model_config = ConfigDict(extra="forbid")
    k: Literal["auto"] | Annotated[int, Field(ge=2, le=20)] = Field(
        "auto", description='Number of segments, or "auto" to choose it.'
    )
    kinds: list[FeatureKind] | None = Field(
        None, max_length=6, description="Kinds of data to segment on (default: all but value)."
    )
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Random seed.")


@router.get("/api/v1/segments", tags=["segments"])
def segments_json(request: Request, caller: Read) -> dict[str, Any]:
    """Saved segments with their member counts now, and the latest automatic segmentation."""
    lang = language_of(request)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        rows, everyone = views.saved_segment_rows(stores)
        latest = views.latest_segmentation(stores)
    return views.finite({
        "base": everyone,
        "segments": [r.as_dict(lang) for r in rows],
        "automatic": latest.as_dict() if latest else None,
    })  # fmt: skip


@router.get("/api/v1/segments/fields", tags=["segments"])
def fields_json(request: Request, caller: Read) -> dict[str, Any]:
    """The fields a rule may use: name, type, name for people and common values."""
    lang = language_of(request)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        fields = views.field_views(stores, lang)
    return {
        "fields": [
            {**f.as_dict(), "type_label": translate(f"web_segments.type.{f.type}", lang)}
            for f in fields
        ]
    }


@router.post(
    "/api/v1/segments/count",
    tags=["segments"],
    responses={422: {"description": "The rule cannot be read; the message says why and where."}},
    response_model=None,
)
def count_json(
    request: Request, caller: Read, body: Annotated[RuleIn, Body()]
) -> dict[str, Any] | JSONResponse:
    """How many customers a rule selects now, out of the whole base (one query)."""
    lang = language_of(request)
    try:
        with acting_as(caller.principal), holder_of(request).use() as stores:
            members, everyone = count_rule(stores, body.rule)
    except RuleError as exc:
        return JSONResponse({**exc.as_dict(lang), "position": exc.position}, status_code=422)
    return {
        "members": members,
        "base": everyone,
        "share": members / everyone if everyone else 0.0,
        "text": _count_text(members, everyone, lang),
    }


@router.post("/api/v1/segments", tags=["segments"], status_code=201)
def create_json(
    request: Request, caller: Write, body: Annotated[SegmentIn, Body()]
) -> dict[str, Any]:
    """Save a segment; the rule is checked and kept in its canonical form."""
    name = _checked_name(body.name)
    description = _checked_text(body.description)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        info = create_segment(
            stores, name, body.rule, description=description, owner=caller.principal.username
        )
    return info.as_dict()


@router.post("/api/v1/segments/auto", tags=["segments"], status_code=202)
def auto_json(
    request: Request, caller: Write, body: Annotated[AutoIn | None, Body()] = None
) -> dict[str, Any]:
    """Start an automatic segmentation; follow it at ``/api/v1/jobs/{job}``."""
    body = body or AutoIn()
    job = _start_auto(
        request, caller, body.k, list(dict.fromkeys(body.kinds)) if body.kinds else None, body.seed
    )
    return {"job": job.id, "status": job.status, "url": f"/api/v1/jobs/{job.id}"}


@router.get("/api/v1/segments/{name}", tags=["segments"])
def segment_json(request: Request, caller: Read, name: SegmentName) -> dict[str, Any]:
    """A saved segment: its count now, its profile against the whole base (every level and
    numeric attribute with its test, and the traits in words) and its checks."""
    lang = language_of(request)
    shelf = shelf_of(request)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        rows, everyone = views.saved_segment_rows(stores, [name])
        row = rows[0]
        kept: Analysis | None = shelf.get(("profile", name))
        if kept is not None and kept.fits(row, everyone):
            profile, check = kept.profile, kept.check
        else:
            profile = profile_saved_segment(stores, name)
            check = check_segment(stores, name)
    return views.finite({
        "segment": row.as_dict(lang),
        "base": everyone,
        "profile": profile.as_dict(),
        "traits": profile.trait_texts(lang, trait_labels(lang), limit=TRAITS_SHOWN),
        "check": check.as_dict(),
    })  # fmt: skip


@router.delete("/api/v1/segments/{name}", tags=["segments"])
def delete_json(request: Request, caller: Write, name: SegmentName) -> dict[str, Any]:
    """Forget a saved segment and its snapshots."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        delete_segment(stores, name)
    shelf_of(request).forget(name)
    return {"deleted": name}
