"""The operation rules 規程 (A8), printed from the running configuration and accounts."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from services.api.deps import AuditTrailDep, CamerasDep, allow
from services.api.errors import NotFound
from services.api.operations.deps import OpsDep
from services.api.operations.rules_render import render
from services.api.store.accounts import Principal

router = APIRouter(prefix="/api/v1/rules", tags=["operations"])
MEDIA = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


@router.get("", name="rules.print", response_class=Response,
            responses={200: {"content": {"text/html": {}, "text/markdown": {}}}})
def print_rules(ops: OpsDep, cameras: CamerasDep, trail: AuditTrailDep,
                who: Annotated[Principal, Depends(allow("rules.print"))],
                camera: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")] = None,
                format: Literal["html", "md"] = "html") -> Response:
    visible = [c.id for c in cameras.visible(who)]
    if camera is not None and camera not in visible:
        raise NotFound(f"no camera {camera!r} among the cameras you may see")
    docs = ops.rules([camera] if camera else visible)
    trail.record(who, "rules_printed", camera_id=camera or "", reason=f"{len(docs)} camera(s), {format}")
    return Response(render(docs, format), media_type=MEDIA[format], headers={"Cache-Control": "no-store"})
