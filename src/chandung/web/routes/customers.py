"""Customers: search and the 360° profile, masked by role."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from ...i18n import translate
from ...personas.render import level_label
from ...privacy.context import acting_as
from ...schema.vocab import GENDERS
from ...services.customer_profile import clean_text, customer_profile, search_people
from ...services.customers import list_people_for
from ..auth import Caller, Needs
from ..deps import holder_of, language_of, pages_of

router = APIRouter()

#: Largest offset the API takes (a bound, so that no number overflows the engine).
MAX_OFFSET = 10_000_000
#: Furthest a page of the customer list may start: beyond it, a search finds people faster
#: than paging, and the engine would sort ever more rows to skip them.
MAX_PAGE_OFFSET = 10_000
PersonId = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/api/v1/customers", tags=["customers"])
def customers_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.read"))],
    search: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """People of the customer file, a page at a time, masked unless the caller may see them."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        found = clean_text(search) or None
        total, rows = list_people_for(stores, search=found, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "customers": rows}


@router.get("/api/v1/customers/{person_id}", tags=["customers"])
def customer_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.read"))],
    person_id: PersonId,
) -> dict[str, Any]:
    """The 360° profile of one customer (by person id or any of their record ids): who they
    are, their value, timeline, segments and persona, consents and merged records. Personal
    data is masked unless the caller may see it; an unmasked view is recorded in the audit
    log."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        return customer_profile(stores, person_id, language_of(request))


def _href(person_id: str) -> str:
    return f"/customers/{quote(str(person_id), safe='')}"


def _page_link(query: str, limit: int, offset: int) -> str:
    params: dict[str, str | int] = {"q": query} if query else {}
    if limit != 50:
        params["limit"] = limit
    if offset:
        params["offset"] = offset
    return "/customers" + (f"?{urlencode(params)}" if params else "")


@router.get("/customers", response_class=HTMLResponse, include_in_schema=False)
def customers_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.read"))],
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE_OFFSET)] = 0,
) -> HTMLResponse:
    with acting_as(caller.principal), holder_of(request).use() as stores:
        page = search_people(stores, q, limit=limit, offset=offset)
    rows = [{**r, "href": _href(r["person_id"])} for r in page.people]
    previous = _page_link(page.query, limit, max(0, offset - limit)) if offset else None
    after = offset + limit
    more = rows and (after < page.total or page.more) and after <= MAX_PAGE_OFFSET
    following = _page_link(page.query, limit, after) if more else None
    return pages_of(request).render(
        request,
        "customers.html",
        {
            "active": "customers",
            "page": page,
            "rows": rows,
            "previous": previous,
            "following": following,
            "first_page": _page_link(page.query, limit, 0),
            "level": _level(language_of(request)),
            "gender": _gender(language_of(request)),
        },
        caller=caller,
    )


@router.get("/customers/{person_id}", response_class=HTMLResponse, include_in_schema=False)
def customer_page(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.read"))],
    person_id: PersonId,
) -> HTMLResponse:
    lang = language_of(request)
    with acting_as(caller.principal), holder_of(request).use() as stores:
        profile = customer_profile(stores, person_id, lang)
    return pages_of(request).render(
        request,
        "customer.html",
        {
            "active": "customers",
            "p": profile,
            "level": _level(lang),
            "gender": _gender(lang),
            "day": _day,
            "moment": _moment,
        },
        caller=caller,
    )


def _gender(lang: str) -> Any:
    """``gender(code)``: a person's gender in words (``"—"`` when unknown)."""

    def gender(code: Any) -> str:
        if code in GENDERS:
            return translate(f"web_customers.gender.{code}", lang)
        return "—" if not code else str(code)

    return gender


def _level(lang: str) -> Any:
    """``level(attribute, code)``: the name of a coded value (``"—"`` when empty)."""

    def level(attribute: str, code: Any) -> str:
        if code is None or code == "":
            return "—"
        return level_label(attribute, str(code), lang)

    return level


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _day(value: Any) -> str:
    """An ISO date or time as dd/mm/yyyy (the way it is written in Vietnam)."""
    parsed = _parse(value)
    return parsed.strftime("%d/%m/%Y") if parsed else "—"


def _moment(value: Any) -> str:
    """An ISO time as dd/mm/yyyy hh:mm."""
    parsed = _parse(value)
    return parsed.strftime("%d/%m/%Y %H:%M") if parsed else "—"
