"""Console camera pages (O1, R6): the list with health, view health (the counter's diagnosis of the
picture: frozen, covered, ... since when), public-view state, recording and alerts; per camera the
anonymized public view only (no role watches raw footage live)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from services.api.alerts import Alert
from services.api.console.guard import Visit, require
from services.api.console.pages import show
from services.api.public.view_state import ViewState, read_state
from services.api.store.operations import HealthIn
from services.api.store.view_health import ViewHealth
from roadcam.common.camconfig.models import CameraConfig

router = APIRouter(prefix="/console/cameras", include_in_schema=False)
HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class CameraRow:
    camera: CameraConfig
    health: HealthIn | None
    online: bool
    view: ViewState
    segments_last_hour: int
    bytes_last_hour: int
    alerts: list[Alert]
    view_health: ViewHealth | None = None  # None: the counter has not judged this camera's picture


async def _view(v: Visit, camera_id: str) -> ViewState:
    try:
        return await read_state(v.backend.hls, camera_id, time.time())
    except Exception:  # noqa: BLE001 - storage down: show paused, never guess live
        return ViewState(False, "storage_unavailable", 0.0)


async def camera_rows(v: Visit, cameras: list[CameraConfig]) -> list[CameraRow]:
    b, now = v.backend, v.backend.now_us()
    health, alerts, judged = b.health(), b.alerts(v.user), b.view_health()
    recorded = [c.id for c in cameras if c.records]
    segments = b.segments(recorded, now - HOUR_US) if recorded else []
    rows = []
    for cam in cameras:
        h = health.get(cam.id)
        online = h is not None and h.state == "ONLINE" and now - h.reported_us <= b.offline_after_s() * 1e6
        mine = [s for s in segments if s.camera_id == cam.id]
        rows.append(CameraRow(cam, h, online, await _view(v, cam.id), len(mine), sum(s.size_bytes for s in mine),
                              [a for a in alerts if a.camera_id == cam.id], judged.get(cam.id)))
    return rows


@router.get("", response_class=HTMLResponse)
async def cameras_page(request: Request, v: Annotated[Visit, Depends(require("cameras.list"))]) -> HTMLResponse:
    rows = await camera_rows(v, v.backend.cameras(v.user))
    return show(request, v, "console/cameras.html", rows=rows, tz=v.backend.tz)


@router.get("/table", response_class=HTMLResponse)
async def cameras_table(request: Request, v: Annotated[Visit, Depends(require("cameras.list"))]) -> HTMLResponse:
    """The table alone, for htmx to refresh every few seconds."""
    rows = await camera_rows(v, v.backend.cameras(v.user))
    return show(request, v, "console/cameras_table.html", rows=rows, tz=v.backend.tz)


@router.get("/{camera_id}", response_class=HTMLResponse)
async def camera_page(request: Request, camera_id: str,
                      v: Annotated[Visit, Depends(require("cameras.get"))]) -> HTMLResponse:
    cam = v.backend.camera(v.user, camera_id)
    if cam is None:
        raise HTTPException(404, f"no camera {camera_id!r} in your departments")
    row = (await camera_rows(v, [cam]))[0]
    return show(request, v, "console/camera.html", row=row, camera=cam, tz=v.backend.tz)
