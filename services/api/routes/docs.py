"""The OpenAPI schema, for signed-in callers only (issue 12: it is no longer public on the ingress)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from services.api.deps import allow

router = APIRouter(tags=["docs"])


@router.get("/openapi.json", name="docs.openapi", include_in_schema=False,
            dependencies=[Depends(allow("docs.openapi"))])
async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())
