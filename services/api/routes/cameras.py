"""Cameras the caller's departments may see, with their latest health and view health (the counter's
diagnosis of the picture); offline alerts (T2, O1)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from roadcam.common.camconfig.models import SLUG_PATTERN
from services.api.alerts import offline_alerts, view_alerts
from services.api.clock import ApiClock
from services.api.count_rows import view_health_dicts
from services.api.deps import CamerasDep, ClockDep, OperationsDep, SettingsDep, ViewHealthDep, allow
from services.api.errors import NotFound
from services.api.schemas import AlertOut, CameraOut, HealthOut, ViewHealthOut
from services.api.store.accounts import Principal
from services.api.store.operations import HealthIn
from services.api.store.view_health import ViewHealth
from services.api.times import to_dt, to_dt_or_none
from roadcam.common.camconfig.models import CameraConfig

router = APIRouter(prefix="/api/v1", tags=["cameras"])
CameraId = Path(pattern=SLUG_PATTERN, description="camera id")


def health_out(clock: ApiClock, offline_after_s: float, h: HealthIn | None, now_us: int) -> HealthOut | None:
    if h is None:
        return None
    fresh = now_us - h.reported_us <= offline_after_s * 1_000_000
    return HealthOut(state=h.state, fps=h.fps, bitrate_bps=h.bitrate_bps,
                     last_packet_at=to_dt_or_none(h.last_packet_us, clock.tz), last_error=h.last_error,
                     error_kind=h.error_kind, reconnects=h.reconnects, reported_at=to_dt(h.reported_us, clock.tz),
                     online=fresh and h.state == "ONLINE")


def camera_out(clock: ApiClock, offline_after_s: float, cam: CameraConfig, h: HealthIn | None,
               now_us: int, views: dict[str, ViewHealth]) -> CameraOut:
    view = ViewHealthOut(**view_health_dicts([cam.id], views, clock.tz)[0]) if cam.counts else None
    return CameraOut(id=cam.id, name=cam.name, department=cam.department, purposes=list(cam.purposes),
                     counting_lines=[line.id for line in cam.counting_lines], records=cam.records,
                     health=health_out(clock, offline_after_s, h, now_us), view_health=view)


@router.get("/cameras", name="cameras.list")
def list_cameras(cameras: CamerasDep, operations: OperationsDep, clock: ClockDep, settings: SettingsDep,
                 views: ViewHealthDep, who: Annotated[Principal, Depends(allow("cameras.list"))]) -> list[CameraOut]:
    health, now, judged = operations.health(), clock.now_us(), views.current()
    return [camera_out(clock, settings.offline_after_s, c, health.get(c.id), now, judged)
            for c in cameras.visible(who)]


@router.get("/cameras/{camera_id}", name="cameras.get")
def get_camera(cameras: CamerasDep, operations: OperationsDep, clock: ClockDep, settings: SettingsDep,
               views: ViewHealthDep, who: Annotated[Principal, Depends(allow("cameras.get"))],
               camera_id: str = CameraId) -> CameraOut:
    for cam in cameras.visible(who):
        if cam.id == camera_id:
            return camera_out(clock, settings.offline_after_s, cam, operations.health().get(cam.id), clock.now_us(),
                              views.current())
    raise NotFound(f"no camera {camera_id!r} in your departments")


@router.get("/alerts", name="alerts.list")
def list_alerts(cameras: CamerasDep, operations: OperationsDep, clock: ClockDep, settings: SettingsDep,
                views: ViewHealthDep, who: Annotated[Principal, Depends(allow("alerts.list"))]) -> list[AlertOut]:
    ids = [c.id for c in cameras.visible(who)]
    alerts = offline_alerts(ids, operations.health(), clock.now_us(), settings.offline_after_s)
    alerts += view_alerts(ids, views.current())
    return [AlertOut(camera_id=a.camera_id, kind=a.kind, message=a.message,
                     since=to_dt_or_none(a.since_us, clock.tz)) for a in alerts]
