"""What a route module gets from the app: its stores, pages, jobs and the request's language.

Route modules (``chandung.web.routes``) are thin: they check the caller's permission with
:class:`~chandung.web.auth.Needs`, call a service inside :func:`stores_of` and render the
result with :func:`pages_of`.
"""

from __future__ import annotations

from starlette.requests import Request

from .holder import StoreHolder
from .jobs import JobRunner
from .pages import Pages


def holder_of(request: Request) -> StoreHolder:
    holder: StoreHolder = request.app.state.holder
    return holder


def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


def jobs_of(request: Request) -> JobRunner:
    jobs: JobRunner = request.app.state.jobs
    return jobs


def language_of(request: Request) -> str:
    return pages_of(request).language(request)
