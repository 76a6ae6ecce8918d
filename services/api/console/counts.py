"""Console counts (T1, T2): charts per camera, line, direction and census class in 5/15/60-minute
bins, live tallies since local midnight, and CSV of exactly what the chart shows."""
from __future__ import annotations

from enum import IntEnum
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.api.console.guard import Visit, permitted, require
from services.api.console.pages import show
from services.api.counts_csv import render_csv
from services.api.store.counts import CountQuery
from services.api.times import local_midnight_us, to_dt
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
    out = []
    for cam, line, direction, obj, census, start, size, count, final in b.counts(q):
        out.append({"camera_id": cam, "line_id": line, "direction": direction,
                    "direction_name": b.direction_name(cam, line, direction), "object_class": obj,
                    "census_class": census, "bin_start": to_dt(start, b.tz).isoformat(), "bin_minutes": size // 60,
                    "count": count, "final": final})
    return out


@router.get("", response_class=HTMLResponse)
def counts_page(request: Request, v: Counting, camera: Camera = None, bin: Bin = BinMinutes.FIFTEEN,
                hours: Hours = 24) -> HTMLResponse:
    chosen, counting = _camera(v, camera)
    return show(request, v, "console/counts.html", camera=chosen, cameras=counting, bin=int(bin), hours=hours,
                queues_allowed=permitted("queues.query", v.user.role))


@router.get("/data.json")
def counts_json(v: Counting, camera: Camera = None, bin: Bin = BinMinutes.FIFTEEN, hours: Hours = 24) -> Response:
    chosen, _ = _camera(v, camera)
    rows = _rows(v, chosen.id, bin, hours) if chosen else []
    return Response(orjson.dumps({"bin_minutes": int(bin), "rows": rows}), media_type="application/json")


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
