"""Console queue length and speed charts (T3): the counter's measurements as the api stored them,
shaped as chart series (one per lane, one per line and census class)."""
from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response

from roadcam.common.camconfig.models import SLUG_PATTERN
from services.api.console.counts import BinMinutes
from services.api.console.guard import Visit, require
from services.api.store.measures import MeasureQuery

router = APIRouter(prefix="/console/counts", include_in_schema=False)
HOUR_US = 3_600_000_000
Camera = Annotated[str, Query(pattern=SLUG_PATTERN)]
Hours = Annotated[int, Query(ge=1, le=24 * 31)]


def series(points: list[tuple[str, float, float]]) -> dict:
    """(key, time s, value) -> {"times": [...], "series": {key: [value or None per time]}}."""
    times = sorted({t for _, t, _ in points})
    index = {t: i for i, t in enumerate(times)}
    out: dict[str, list] = {}
    for key, t, value in points:
        out.setdefault(key, [None] * len(times))[index[t]] = round(value, 2)
    return {"times": times, "series": out}


def _query(v: Visit, camera: str, hours: int) -> MeasureQuery:
    if v.backend.camera(v.user, camera) is None:
        raise HTTPException(404, f"no camera {camera!r} in your departments")
    now = v.backend.now_us()
    return MeasureQuery((camera,), now - hours * HOUR_US, now + 1)


@router.get("/queues.json")
def queues(v: Annotated[Visit, Depends(require("queues.query"))], camera: Camera, hours: Hours = 6) -> Response:
    rows = v.backend.parts.measures.queues(_query(v, camera, hours))
    body = series([(r.lane_id, r.time_us / 1e6, r.length_m) for r in rows])
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/speeds.json")
def speeds(v: Annotated[Visit, Depends(require("speeds.query"))], camera: Camera, hours: Hours = 24,
           bin: BinMinutes | None = None) -> Response:
    """One bin length per chart (the page's): a 15-minute bin plotted between 5-minute ones would read as a step."""
    q = _query(v, camera, hours)
    rows = v.backend.parts.measures.speeds(replace(q, bin_seconds=bin * 60) if bin else q)
    points = [(f"{r.line_id} {r.census_class} p85", r.bin_start_us / 1e6, r.p85_kmh) for r in rows if r.count]
    points += [(f"{r.line_id} {r.census_class} mean", r.bin_start_us / 1e6, r.mean_kmh) for r in rows if r.count]
    return Response(orjson.dumps(series(points)), media_type="application/json")
