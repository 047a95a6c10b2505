"""The app's pages and API, one module per capability.

Each module holds a ``router`` with both its pages and its ``/api/v1`` resources, over the
same services. Every route depends on :class:`~chandung.web.auth.Needs` with its permission.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import admin, customers, data, exports, jobs, overview, personas, segments, value

ROUTERS: tuple[APIRouter, ...] = (
    overview.router,
    customers.router,
    segments.router,
    personas.router,
    data.router,
    value.router,
    exports.router,
    admin.router,
    jobs.router,
)
