"""Customers: search and the 360° profile, masked by role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from ...privacy.context import acting_as
from ...services.customers import list_people_for
from ..auth import Caller, Needs
from ..deps import holder_of

router = APIRouter()


@router.get("/api/v1/customers", tags=["customers"])
def customers_json(
    request: Request,
    caller: Annotated[Caller, Depends(Needs("customers.read"))],
    search: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """People of the customer file, a page at a time, masked unless the caller may see them."""
    with acting_as(caller.principal), holder_of(request).use() as stores:
        total, rows = list_people_for(stores, search=search, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "customers": rows}
