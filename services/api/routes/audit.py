"""The audit log (A2): read, verify the hash chain, export as CSV."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from services.api.audit_chain import ChainedEntry
from services.api.clock import ApiClock
from services.api.csv_writer import render_csv
from services.api.deps import AuditDep, AuditTrailDep, ClockDep, allow
from services.api.store.accounts import Principal
from services.api.schemas import AuditOut, IsoDateTime, VerifyOut
from services.api.store.audit import AuditFilter
from services.api.times import to_dt, to_dt_or_none, to_us

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
CSV_COLUMNS = ("seq", "event_id", "time", "actor", "action", "camera_id", "range_start", "range_end",
               "reason", "method", "details", "prev_hash", "hash")
Text = Annotated[str | None, Query(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")]


def entry_out(clock: ApiClock, e: ChainedEntry) -> AuditOut:
    r = e.record
    return AuditOut(seq=e.seq, event_id=r.event_id, time=to_dt(r.time_us, clock.tz), actor=r.actor, action=r.action,
                    camera_id=r.camera_id, range_start=to_dt_or_none(r.range_start_us, clock.tz),
                    range_end=to_dt_or_none(r.range_end_us, clock.tz), reason=r.reason, method=r.method,
                    details=r.details, prev_hash=e.prev_hash, hash=e.hash)


def audit_filter(clock: ApiClock, actor: str | None, action: str | None, camera: str | None,
                 since: datetime | None, until: datetime | None, after_seq: int, limit: int) -> AuditFilter:
    return AuditFilter(actor, action, camera, to_us(since, clock.tz) if since else None,
                       to_us(until, clock.tz) if until else None, after_seq, limit)


AUDIT_READ = "audit_read"


def record_read(trail, who: Principal, what: str, flt: AuditFilter, found: int) -> None:
    """Who read the log, with which filter (A2: reading the audit log is itself audited)."""
    query = {k: v for k, v in vars(flt).items() if v not in (None, 0)}
    trail.record(who, AUDIT_READ, reason=what, details={**{k: str(v) for k, v in query.items()}, "entries": found})


@router.get("", name="audit.list")
def list_entries(audit: AuditDep, clock: ClockDep, trail: AuditTrailDep,
                 who: Annotated[Principal, Depends(allow("audit.list"))],
                 actor: Text = None, action: Text = None, camera: Text = None,
                 since: IsoDateTime | None = None, until: IsoDateTime | None = None,
                 after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
                 limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> list[AuditOut]:
    flt = audit_filter(clock, actor, action, camera, since, until, after_seq, limit)
    found = audit.entries(flt)
    record_read(trail, who, "list", flt, len(found))
    return [entry_out(clock, e) for e in found]


@router.get("/verify", name="audit.verify", dependencies=[Depends(allow("audit.verify"))])
def verify_chain(audit: AuditDep) -> VerifyOut:
    check = audit.verify()
    return VerifyOut(ok=check.ok, checked=check.checked, first_broken_seq=check.first_broken_seq,
                     problem=check.problem)


@router.get("/export.csv", name="audit.export", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def export_csv(audit: AuditDep, clock: ClockDep, trail: AuditTrailDep,
               who: Annotated[Principal, Depends(allow("audit.export"))],
               actor: Text = None, action: Text = None, camera: Text = None,
               since: IsoDateTime | None = None, until: IsoDateTime | None = None,
               bom: bool = False, limit: Annotated[int, Query(ge=1, le=1_000_000)] = 100_000) -> Response:
    flt = audit_filter(clock, actor, action, camera, since, until, 0, limit)
    rows, found = [], audit.entries(flt)
    record_read(trail, who, "export", flt, len(found))
    for e in found:
        d = entry_out(clock, e).model_dump()
        d["details"] = json.dumps(d["details"], ensure_ascii=False, sort_keys=True)
        for key in ("time", "range_start", "range_end"):
            d[key] = d[key].isoformat() if d[key] else ""
        rows.append(d)
    headers = {"Content-Disposition": 'attachment; filename="roadcam-audit.csv"'}
    return Response(render_csv(rows, CSV_COLUMNS, bom), media_type="text/csv; charset=utf-8", headers=headers)
