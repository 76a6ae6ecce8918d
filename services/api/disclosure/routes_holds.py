"""/api/v1/holds (R4: managers hold and release directly) and the one-time export download."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from services.api.deps import AuditTrailDep, ClockDep, allow, client_address
from services.api.disclosure.deps import DisclosureDep
from services.api.disclosure.schemas import HoldIn, HoldOut, ReasonIn
from services.api.store.accounts import Principal
from services.api.times import to_us

router = APIRouter(prefix="/api/v1", tags=["disclosure"])


@router.get("/holds", name="holds.list")
def list_holds(d: DisclosureDep, clock: ClockDep, who: Annotated[Principal, Depends(allow("holds.list"))]) -> list[HoldOut]:
    return [HoldOut.of(h, clock.tz) for h in d.visible_holds(who)]


@router.post("/holds", name="holds.create", status_code=201)
def create_hold(body: HoldIn, d: DisclosureDep, clock: ClockDep, trail: AuditTrailDep,
                who: Annotated[Principal, Depends(allow("holds.create"))]) -> HoldOut:
    hold = d.place_hold(who, body.camera, to_us(body.start, clock.tz), to_us(body.end, clock.tz), body.reason, trail)
    return HoldOut.of(hold, clock.tz)


@router.post("/holds/{command_id}/release", name="holds.release", status_code=204)
def release_hold(command_id: str, body: ReasonIn, d: DisclosureDep, trail: AuditTrailDep,
                 who: Annotated[Principal, Depends(allow("holds.release"))]) -> None:
    d.release_hold(who, command_id, body.reason, trail)


def _remove(path) -> None:
    path.unlink(missing_ok=True)  # a used link's package has no further use: no plaintext left behind


@router.get("/exports/download/{token}", name="exports.download")
def download(token: str, request: Request, d: DisclosureDep, trail: AuditTrailDep,
             _: Annotated[Principal, Depends(allow("exports.download"))]) -> FileResponse:
    """The link is the credential: it works once, until it expires; every use is logged."""
    path, name = d.download(token, client_address(request), trail)
    return FileResponse(path, media_type="application/zip", filename=name, background=BackgroundTask(_remove, path),
                        headers={"Cache-Control": "no-store"})
