"""Recorded segment records (metadata only; footage access belongs to the recorder's API)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.api.deps import AuditTrailDep, CamerasDep, ClockDep, OperationsDep, allow
from services.api.routes.counts import Cameras, pick_cameras, time_range
from services.api.schemas import IsoDateTime, SegmentOut
from services.api.store.accounts import Principal
from services.api.times import to_dt

router = APIRouter(prefix="/api/v1", tags=["recordings"])


SEGMENTS_LISTED = "segments_listed"


@router.get("/segments", name="segments.list")
def list_segments(cameras: CamerasDep, operations: OperationsDep, clock: ClockDep, trail: AuditTrailDep,
                  who: Annotated[Principal, Depends(allow("segments.list"))], camera: Cameras = None,
                  start: IsoDateTime | None = None, end: IsoDateTime | None = None,
                  limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> list[SegmentOut]:
    start_us, end_us = time_range(clock, start, end, 1, max_days=31)
    cams = pick_cameras([c.id for c in cameras.visible(who)], camera)
    found = operations.segments(cams, start_us, end_us, limit)
    # Knowing what footage exists and when is itself footage access (A2): recorded before answering.
    trail.record(who, SEGMENTS_LISTED, camera_id=cams[0] if len(cams) == 1 else "", range_start_us=start_us,
                 range_end_us=end_us, details={"cameras": ",".join(cams), "segments": len(found)})
    return [SegmentOut(camera_id=s.camera_id, object_key=s.object_key, start=to_dt(s.start_us, clock.tz),
                       end=to_dt(s.end_us, clock.tz), size_bytes=s.size_bytes, codec=s.codec, chain_hash=s.chain_hash)
            for s in found]
