"""The operator console at /console (issue 10): server-rendered pages (FastAPI + Jinja2, htmx),
signed in with the API's accounts and role matrix through a session cookie with CSRF protection.

Later console pages (disclosure, configuration) add a router here and extend
`templates/console/layout.html`; `guard.require(endpoint)` gives them the same role matrix.
"""
from __future__ import annotations

from fastapi import APIRouter

from services.api.console import tables as _tables  # noqa: F401 - the console's tables join Base.metadata


def create_router() -> APIRouter:
    from services.api.console import (audit_page, cameras, config_page, counts, disclosure_pages, measures,
                                      operations_pages, pages)

    router = APIRouter()
    for module in (pages, config_page, cameras, counts, measures, audit_page, operations_pages, disclosure_pages):
        router.include_router(module.router)
    return router
