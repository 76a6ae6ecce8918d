"""The audit log in the console (A2): the last day's entries, newest first, for managers and auditors."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from services.api.console.guard import Visit, require
from services.api.console.pages import show

router = APIRouter(prefix="/console/audit", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def audit_page(request: Request, v: Annotated[Visit, Depends(require("audit.list"))]) -> HTMLResponse:
    return show(request, v, "console/audit.html", entries=v.backend.audit_entries(200), tz=v.backend.tz)
