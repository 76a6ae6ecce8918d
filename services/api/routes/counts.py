"""Traffic counts (T2): filtered bins as JSON or CSV, live tallies, and the open-data endpoint."""
from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from roadcam.common.camconfig.models import SLUG_PATTERN
from services.api.camera_directory import CameraDirectory
from services.api.clock import ApiClock
from services.api.count_rows import row_dicts, view_health_dicts
from services.api.counts_csv import render_csv
from services.api.counts_cache import CachedAnswer, SettledCounts
from services.api.deps import CamerasDep, ClockDep, CountsDep, SettingsDep, SettledCountsDep, ViewHealthDep, allow
from services.api.errors import ApiError, NotFound
from services.api.schemas import CountsOut, IsoDateTime, LiveOut, LiveRowOut, OpenCountsOut
from services.api.store.accounts import Principal
from services.api.store.counts import CountOut, CountQuery, CountStore
from services.api.store.view_health import ViewHealthStore
from services.api.times import local_midnight_us, to_dt, to_us

router = APIRouter(prefix="/api/v1", tags=["counts"])
DAY_US = 86_400 * 1_000_000
INLINE_BINS = 200  # bins x cameras up to which a query runs on the event loop (~a camera-day at 15 min)
Label = r"^[^\x00-\x1f]{1,32}$"


class BinMinutes(IntEnum):
    FIVE = 5
    FIFTEEN = 15
    HOUR = 60


class OpenBinMinutes(IntEnum):
    FIFTEEN = 15
    HOUR = 60


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


class DirectionParam(StrEnum):
    POS = "pos"
    NEG = "neg"


CSV_RESPONSE = {200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}}
Cameras = Annotated[list[Annotated[str, Query(pattern=SLUG_PATTERN)]] | None, Query(description="camera ids; repeatable")]
Start = Annotated[IsoDateTime | None, Query(description="inclusive; ISO 8601, local time if no offset")]
End = Annotated[IsoDateTime | None, Query(description="exclusive; default now")]


def time_range(clock: ApiClock, start: datetime | None, end: datetime | None, bin_minutes: int,
               max_days: int) -> tuple[int, int]:
    """Bin-aligned [start, end); one day back from the end by default."""
    end_us = to_us(end, clock.tz) if end else clock.now_us()
    start_us = to_us(start, clock.tz) if start else end_us - DAY_US
    if start_us >= end_us:
        raise ApiError("start must be before end", 422)
    if end_us - start_us > max_days * DAY_US:
        raise ApiError(f"the time range may span at most {max_days} days", 422)
    width = bin_minutes * 60 * 1_000_000
    return (start_us // width) * width, -(-end_us // width) * width


def pick_cameras(available: list[str], wanted: list[str] | None) -> tuple[str, ...]:
    if not wanted:
        return tuple(available)
    missing = [c for c in wanted if c not in available]
    if missing:
        raise NotFound(f"no camera {missing[0]!r} among the cameras you may see")
    return tuple(dict.fromkeys(wanted))


def respond(view: CountsView, rows: list[CountOut], q: CountQuery, fmt: Format, bom: bool, extra: dict) -> Response:
    """The answer without the cameras' current view health (`with_view_health` adds it to JSON)."""
    dicts = row_dicts(rows, view.clock.tz, view.cameras.direction_name)
    if fmt is Format.CSV:
        headers = {"Content-Disposition": 'attachment; filename="roadcam-counts.csv"'}
        return Response(render_csv(dicts, bom=bom), media_type="text/csv; charset=utf-8", headers=headers)
    tz = view.clock.tz
    body = {"bin_minutes": q.bin_seconds // 60, "start": to_dt(q.start_us, tz).isoformat(),
            "end": to_dt(q.end_us, tz).isoformat(), **extra, "rows": dicts}
    return Response(orjson.dumps(body), media_type="application/json")  # orjson: a month of rows is big


def respond_and_keep(view: CountsView, key: tuple, q: CountQuery, fmt: Format, bom: bool, extra: dict,
                     now_us: int) -> CachedAnswer:
    rows = view.counts.query(q)
    response = respond(view, rows, q, fmt, bom, extra)
    answer = CachedAnswer(response.body, response.media_type,
                          tuple((k, v) for k, v in response.headers.items() if k != "content-length"),
                          now_us, q.camera_ids, q.end_us)
    if rows and all(r.final for r in rows) and view.settled.settled(q.end_us, now_us):
        view.settled.put(key, answer)
    return answer


def with_view_health(view: CountsView, answer: CachedAnswer, fmt: Format) -> Response:
    """A JSON answer gets the cameras' view health as it is now, also when its rows were kept."""
    body = answer.body
    if fmt is Format.JSON:
        health = view_health_dicts(answer.cameras, view.view_health.current(), view.clock.tz)
        body = b"".join((memoryview(body)[:-1], b',"view_health":', orjson.dumps(health), b"}"))  # one copy
    return Response(body, media_type=answer.media_type, headers=dict(answer.headers))


class CountsView:
    """What answering a counts query needs: the bins, the time zone, the direction names, the
    cameras' view health."""

    def __init__(self, counts: CountStore, clock: ApiClock, cameras: CameraDirectory, settled: SettledCounts,
                 view_health: ViewHealthStore) -> None:
        self.counts, self.clock, self.cameras, self.settled = counts, clock, cameras, settled
        self.view_health = view_health


async def counts_view(counts: CountsDep, clock: ClockDep, cameras: CamerasDep,
                      settled: SettledCountsDep, view_health: ViewHealthDep) -> CountsView:
    return CountsView(counts, clock, cameras, settled, view_health)


CountsViewDep = Annotated[CountsView, Depends(counts_view)]


def small(q: CountQuery) -> bool:
    """Few bins: cheaper to answer on the event loop than to hop to a worker thread and back."""
    return len(q.camera_ids) * (q.end_us - q.start_us) // (q.bin_seconds * 1_000_000) <= INLINE_BINS


async def answer(view: CountsView, q: CountQuery, fmt: Format, bom: bool, extra: dict) -> Response:
    now_us, key = view.clock.now_us(), (q, fmt, bom, tuple(extra.items()))
    kept = view.settled.get(key, now_us)
    if kept is not None:  # a settled range: all bins final, nothing to query or serialize again
        return with_view_health(view, kept, fmt)
    if small(q):
        return with_view_health(view, respond_and_keep(view, key, q, fmt, bom, extra, now_us), fmt)
    made = await run_in_threadpool(respond_and_keep, view, key, q, fmt, bom, extra, now_us)
    return with_view_health(view, made, fmt)


@router.get("/counts", name="counts.query", response_model=CountsOut, responses=CSV_RESPONSE)
async def counts(
    view: CountsViewDep, who: Annotated[Principal, Depends(allow("counts.query"))], camera: Cameras = None,
    line: Annotated[str | None, Query(pattern=SLUG_PATTERN)] = None, direction: DirectionParam | None = None,
    object_class: Annotated[str | None, Query(pattern=Label)] = None,
    census_class: Annotated[str | None, Query(pattern=Label)] = None,
    bin: BinMinutes = BinMinutes.FIFTEEN, start: Start = None, end: End = None,
    format: Format = Format.JSON, bom: Annotated[bool, Query(description="UTF-8 BOM for Excel")] = False,
) -> Response:
    start_us, end_us = time_range(view.clock, start, end, bin, max_days=366)
    visible = [c.id for c in view.cameras.visible(who)]
    q = CountQuery(pick_cameras(visible, camera), bin * 60, start_us, end_us, line,
                   direction.value if direction else None, object_class, census_class)
    return await answer(view, q, format, bom, {})


@router.get("/open-data/counts", name="opendata.counts", response_model=OpenCountsOut, responses=CSV_RESPONSE,
            dependencies=[Depends(allow("opendata.counts"))])
async def open_counts(
    view: CountsViewDep, settings: SettingsDep, camera: Cameras = None, bin: OpenBinMinutes = OpenBinMinutes.HOUR, start: Start = None,
    end: End = None, format: Format = Format.JSON, bom: bool = False,
) -> Response:
    """Unauthenticated open data (Gunma 5): closed bins only, per census class, at most 31 days."""
    start_us, end_us = time_range(view.clock, start, end, bin, max_days=31)
    counting = [c.id for c in view.cameras.all if c.counts]
    q = CountQuery(pick_cameras(counting, camera), bin * 60, start_us, end_us, final_only=True,
                   by_object_class=False)
    return await answer(view, q, format, bom, {"license": settings.open_data_license})


@router.get("/counts/live", name="counts.live")
def live(view: CountsViewDep, who: Annotated[Principal, Depends(allow("counts.live"))], camera: Cameras = None,
         minutes: Annotated[int | None, Query(ge=1, le=1440, description="window; default since local midnight")] = None,
         ) -> LiveOut:
    now, tz = view.clock.now_us(), view.clock.tz
    since = now - minutes * 60_000_000 if minutes else local_midnight_us(now, tz)
    cams = pick_cameras([c.id for c in view.cameras.visible(who)], camera)
    name = view.cameras.direction_name
    rows = [LiveRowOut(camera_id=c, line_id=ln, direction=d, direction_name=name(c, ln, d),
                       census_class=k, count=n) for c, ln, d, k, n in view.counts.live(cams, since)]
    return LiveOut(since=to_dt(since, tz), rows=rows)
