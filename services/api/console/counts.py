"""Console counts (T1, T2): charts per camera, line, direction and census class in 5/15/60-minute
bins (bins the camera could not see well are shaded and listed, with the camera's view health now),
live tallies since local midnight, and CSV of exactly what the chart shows."""
from __future__ import annotations

from enum import IntEnum
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.api.console.guard import Visit, permitted, require
from services.api.console.pages import show
from services.api.count_rows import row_dicts, view_health_dicts
from services.api.counts_csv import render_csv
from services.api.store.counts import CountQuery
from services.api.times import local_midnight_us
from roadcam.common.camconfig.models import SLUG_PATTERN

router = APIRouter(prefix="/console/counts", include_in_schema=False)
HOUR_US = 3_600_000_000
Camera = Annotated[str | None, Query(pattern=SLUG_PATTERN)]


class BinMinutes(IntEnum):
    FIVE = 5
    FIFTEEN = 15
    HOUR = 60


Bin = Annotated[BinMinutes, Query()]
Hours = Annotated[int, Query(ge=1, le=24 * 31)]
Counting = Annotated[Visit, Depends(require("counts.query"))]


def _camera(v: Visit, camera: str | None):
    counting = [c for c in v.backend.cameras(v.user) if c.counts]
    if camera is None:
        return counting[0] if counting else None, counting
    found = next((c for c in counting if c.id == camera), None)
    if found is None:
        raise HTTPException(404, f"no counting camera {camera!r} in your departments")
    return found, counting


def _rows(v: Visit, camera_id: str, bin: BinMinutes, hours: int) -> list[dict]:
    b = v.backend
    width = bin * 60 * 1_000_000
    end = -(-b.now_us() // width) * width
    q = CountQuery((camera_id,), bin * 60, end - hours * HOUR_US, end)
    return row_dicts(b.counts(q), b.tz, b.direction_name)


@router.get("", response_class=HTMLResponse)
def counts_page(request: Request, v: Counting, camera: Camera = None, bin: Bin = BinMinutes.FIFTEEN,
                hours: Hours = 24) -> HTMLResponse:
    chosen, counting = _camera(v, camera)
    judged = v.backend.view_health().get(chosen.id) if chosen else None
    return show(request, v, "console/counts.html", camera=chosen, cameras=counting, bin=int(bin), hours=hours,
                queues_allowed=permitted("queues.query", v.user.role), view_health=judged, tz=v.backend.tz)


@router.get("/data.json")
def counts_json(v: Counting, camera: Camera = None, bin: Bin = BinMinutes.FIFTEEN, hours: Hours = 24) -> Response:
    chosen, _ = _camera(v, camera)
    rows = _rows(v, chosen.id, bin, hours) if chosen else []
    health = view_health_dicts([chosen.id], v.backend.view_health(), v.backend.tz) if chosen else []
    return Response(orjson.dumps({"bin_minutes": int(bin), "rows": rows, "view_health": health}),
                    media_type="application/json")


@router.get("/data.csv")
def counts_csv(v: Counting, camera: Camera = None, bin: Bin = BinMinutes.FIFTEEN, hours: Hours = 24) -> Response:
    chosen, _ = _camera(v, camera)
    rows = _rows(v, chosen.id, bin, hours) if chosen else []
    name = f"roadcam-{chosen.id if chosen else 'none'}-{int(bin)}min.csv"
    return Response(render_csv(rows, bom=True), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/live", response_class=HTMLResponse)
def live_tallies(request: Request, v: Annotated[Visit, Depends(require("counts.live"))],
                 camera: Camera = None) -> HTMLResponse:
    """Today's tallies per line, direction and census class (htmx refreshes this every few seconds)."""
    chosen, _ = _camera(v, camera)
    b = v.backend
    since = local_midnight_us(b.now_us(), b.tz)
    rows = [(ln, b.direction_name(c, ln, d), k, n) for c, ln, d, k, n in b.live([chosen.id], since)] if chosen else []
    return show(request, v, "console/live.html", rows=sorted(rows), since=since, tz=b.tz)
