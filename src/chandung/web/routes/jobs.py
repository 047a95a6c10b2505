"""Progress and result of a long task started from a page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ...errors import NotFoundError
from ..auth import Caller, Needs
from ..deps import jobs_of, language_of

router = APIRouter()


@router.get("/api/v1/jobs/{job_id}", tags=["jobs"])
def job_status(
    request: Request, job_id: str, caller: Annotated[Caller, Depends(Needs(None))]
) -> dict[str, Any]:
    """Status, progress (``done`` of ``total``), result or error of a task the caller started."""
    job = jobs_of(request).get(job_id, caller.principal)
    if job is None:
        raise NotFoundError("web.no_job", job=job_id)
    return job.as_dict(language_of(request))
