"""Cameras the caller's departments may see, with their latest health; offline alerts (T2, O1)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from roadcam.common.camconfig.models import SLUG_PATTERN
from services.api.alerts import offline_alerts
from services.api.context import ApiContext
from services.api.deps import Ctx, allow
from services.api.errors import NotFound
from services.api.schemas import AlertOut, CameraOut, HealthOut
from services.api.store.accounts import Principal
from services.api.store.operations import HealthIn
from services.api.times import to_dt, to_dt_or_none
from roadcam.common.camconfig.models import CameraConfig

router = APIRouter(prefix="/api/v1", tags=["cameras"])
CameraId = Path(pattern=SLUG_PATTERN, description="camera id")


def health_out(ctx: ApiContext, h: HealthIn | None, now_us: int) -> HealthOut | None:
    if h is None:
        return None
    fresh = now_us - h.reported_us <= ctx.settings.offline_after_s * 1_000_000
    return HealthOut(state=h.state, fps=h.fps, bitrate_bps=h.bitrate_bps,
                     last_packet_at=to_dt_or_none(h.last_packet_us, ctx.tz), last_error=h.last_error,
                     error_kind=h.error_kind, reconnects=h.reconnects, reported_at=to_dt(h.reported_us, ctx.tz),
                     online=fresh and h.state == "ONLINE")


def camera_out(ctx: ApiContext, cam: CameraConfig, h: HealthIn | None, now_us: int) -> CameraOut:
    return CameraOut(id=cam.id, name=cam.name, department=cam.department, purposes=list(cam.purposes),
                     counting_lines=[line.id for line in cam.counting_lines], records=cam.records,
                     health=health_out(ctx, h, now_us))


@router.get("/cameras", name="cameras.list")
def list_cameras(ctx: Ctx, who: Annotated[Principal, Depends(allow("cameras.list"))]) -> list[CameraOut]:
    health, now = ctx.operations.health(), ctx.clock_us()
    return [camera_out(ctx, c, health.get(c.id), now) for c in ctx.visible_cameras(who)]


@router.get("/cameras/{camera_id}", name="cameras.get")
def get_camera(ctx: Ctx, who: Annotated[Principal, Depends(allow("cameras.get"))],
               camera_id: str = CameraId) -> CameraOut:
    for cam in ctx.visible_cameras(who):
        if cam.id == camera_id:
            return camera_out(ctx, cam, ctx.operations.health().get(cam.id), ctx.clock_us())
    raise NotFound(f"no camera {camera_id!r} in your departments")


@router.get("/alerts", name="alerts.list")
def list_alerts(ctx: Ctx, who: Annotated[Principal, Depends(allow("alerts.list"))]) -> list[AlertOut]:
    ids = [c.id for c in ctx.visible_cameras(who)]
    alerts = offline_alerts(ids, ctx.operations.health(), ctx.clock_us(), ctx.settings.offline_after_s)
    return [AlertOut(camera_id=a.camera_id, kind=a.kind, message=a.message,
                     since=to_dt_or_none(a.since_us, ctx.tz)) for a in alerts]
