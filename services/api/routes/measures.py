"""Queue lengths and speeds (T3): the same camera/time filters and JSON/CSV answers as counts."""
from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Response

from roadcam.common.camconfig.models import SLUG_PATTERN
from services.api.csv_writer import render_csv
from services.api.deps import CamerasDep, ClockDep, MeasuresDep, allow
from services.api.errors import ApiError
from services.api.routes.counts import CSV_RESPONSE, Cameras, End, Format, Label, Start, pick_cameras, time_range
from services.api.store.accounts import Principal
from services.api.store.measures import MeasureQuery
from services.api.times import to_dt

router = APIRouter(prefix="/api/v1", tags=["counts"])
QUEUE_COLUMNS = ("camera_id", "lane_id", "time", "length_m", "vehicles")
SPEED_COLUMNS = ("camera_id", "line_id", "object_class", "census_class", "bin_start", "bin_minutes", "count",
                 "mean_kmh", "p85_kmh", "final")
Place = Annotated[str | None, Query(pattern=SLUG_PATTERN)]


def answer(rows: list[dict], columns: tuple[str, ...], fmt: Format, bom: bool, name: str, extra: dict) -> Response:
    if fmt is Format.CSV:
        headers = {"Content-Disposition": f'attachment; filename="roadcam-{name}.csv"'}
        return Response(render_csv(rows, columns, bom), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(orjson.dumps({**extra, "rows": rows}), media_type="application/json")


def too_many(rows: list, q: MeasureQuery) -> None:
    if len(rows) > q.max_rows:
        raise ApiError(f"more than {q.max_rows} rows; narrow the time range or add filters", 422)


@router.get("/queue-lengths", name="queues.query", responses=CSV_RESPONSE)
def queue_lengths(measures: MeasuresDep, cameras: CamerasDep, clock: ClockDep,
                  who: Annotated[Principal, Depends(allow("queues.query"))], camera: Cameras = None,
                  lane: Place = None, start: Start = None, end: End = None, format: Format = Format.JSON,
                  bom: Annotated[bool, Query(description="UTF-8 BOM for Excel")] = False) -> Response:
    start_us, end_us = time_range(clock, start, end, 1, max_days=31)
    q = MeasureQuery(pick_cameras([c.id for c in cameras.visible(who)], camera), start_us, end_us, lane)
    found = measures.queues(q)
    too_many(found, q)
    rows = [{"camera_id": s.camera_id, "lane_id": s.lane_id, "time": to_dt(s.time_us, clock.tz).isoformat(),
             "length_m": round(s.length_m, 2), "vehicles": s.vehicles} for s in found]
    span = {"start": to_dt(start_us, clock.tz).isoformat(), "end": to_dt(end_us, clock.tz).isoformat()}
    return answer(rows, QUEUE_COLUMNS, format, bom, "queue-lengths", span)


@router.get("/speeds", name="speeds.query", responses=CSV_RESPONSE)
def speeds(measures: MeasuresDep, cameras: CamerasDep, clock: ClockDep,
           who: Annotated[Principal, Depends(allow("speeds.query"))], camera: Cameras = None,
           line: Place = None, census_class: Annotated[str | None, Query(pattern=Label)] = None,
           bin: Annotated[int | None, Query(description="bin minutes as published (5, 15, 60)")] = None,
           start: Start = None, end: End = None, format: Format = Format.JSON,
           bom: Annotated[bool, Query(description="UTF-8 BOM for Excel")] = False) -> Response:
    if bin is not None and bin not in (5, 15, 60):
        raise ApiError("bin must be 5, 15 or 60", 422)
    start_us, end_us = time_range(clock, start, end, 1, max_days=366)
    q = MeasureQuery(pick_cameras([c.id for c in cameras.visible(who)], camera), start_us, end_us, line,
                     census_class, bin * 60 if bin else None)
    found = measures.speeds(q)
    too_many(found, q)
    rows = [{"camera_id": s.camera_id, "line_id": s.line_id, "object_class": s.object_class,
             "census_class": s.census_class, "bin_start": to_dt(s.bin_start_us, clock.tz).isoformat(),
             "bin_minutes": s.bin_seconds // 60, "count": s.count, "mean_kmh": round(s.mean_kmh, 1),
             "p85_kmh": round(s.p85_kmh, 1), "final": s.final} for s in found]
    span = {"start": to_dt(start_us, clock.tz).isoformat(), "end": to_dt(end_us, clock.tz).isoformat()}
    return answer(rows, SPEED_COLUMNS, format, bom, "speeds", span)
