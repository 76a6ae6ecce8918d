"""Complaints and inquiries (A6): recorded with their handling, listed, exported (CSV, printable HTML)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import HTMLResponse

from services.api.csv_writer import render_csv
from services.api.deps import AccountsDep, AuditTrailDep, CamerasDep, ClockDep, allow
from services.api.errors import ApiError, NotFound
from services.api.operations import complaint_views as views
from services.api.operations.complaints import Category, Complaint, ComplaintFilter, Status, apply_change
from services.api.operations.deps import ComplaintsDep
from services.api.operations.schemas import ComplaintIn, ComplaintOut, ComplaintPatch
from services.api.schemas import IsoDateTime
from services.api.store.accounts import Principal
from services.api.times import to_us

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])
RowId = Annotated[int, Path(ge=1, le=2**62)]  # larger ids cannot exist; the database would overflow
RECORDED, UPDATED, READ = "complaint_recorded", "complaint_updated", "complaints_read"


def _camera_ok(cameras, who: Principal, camera_id: str | None) -> str:
    if not camera_id:
        return ""
    if camera_id not in {c.id for c in cameras.visible(who)}:
        raise NotFound(f"no camera {camera_id!r} among the cameras you may see")
    return camera_id


def _handler_ok(accounts, name: str) -> str:
    if accounts.get(name) is None:
        raise ApiError(f"handled_by: no account {name!r}", 422)
    return name


def query(clock, status, category, camera, since, until, limit) -> ComplaintFilter:
    return ComplaintFilter(status, category, camera, to_us(since, clock.tz) if since else None,
                           to_us(until, clock.tz) if until else None, limit)


def visible(cameras, who: Principal, found: list[Complaint]) -> list[Complaint]:
    ids = {c.id for c in cameras.visible(who)}
    return [c for c in found if not c.camera_id or c.camera_id in ids]


CameraQ = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")]


@router.get("", name="complaints.list")
def list_complaints(store: ComplaintsDep, cameras: CamerasDep, clock: ClockDep, trail: AuditTrailDep,
                    who: Annotated[Principal, Depends(allow("complaints.list"))], status: Status | None = None,
                    category: Category | None = None, camera: CameraQ = None, since: IsoDateTime | None = None,
                    until: IsoDateTime | None = None,
                    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> list[ComplaintOut]:
    found = visible(cameras, who, store.list(query(clock, status, category, camera, since, until, limit)))
    trail.record(who, READ, reason="list", details={"entries": len(found)})
    return [views.out(c, clock.tz) for c in found]


def record_new(body: ComplaintIn, store, cameras, accounts, clock, who: Principal, record) -> Complaint:
    """Validate, store and audit a new complaint (the API and the console both come here)."""
    now = clock.now_us()
    received = to_us(body.received_at, clock.tz) if body.received_at else now
    c = Complaint(0, received, body.category, _camera_ok(cameras, who, body.camera_id), body.contact_name,
                  body.contact, body.summary, body.handling, _handler_ok(accounts, body.handled_by or who.username),
                  body.status, now if body.status is Status.CLOSED else None, who.username, now)
    c = store.add(c)
    record(who, RECORDED, camera_id=c.camera_id, reason=f"complaint {c.id} ({c.category.value})",
           details={"complaint": c.id, "status": c.status.value})
    return c


def record_change(complaint_id: int, body: ComplaintPatch, store, cameras, accounts, clock, who: Principal,
                  record) -> Complaint:
    old = store.get(complaint_id)
    if not visible(cameras, who, [old]):
        raise NotFound(f"no complaint {complaint_id}")
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None and k != "closed_at"}
    changes["handled_by"] = _handler_ok(accounts, changes.get("handled_by") or who.username)
    if body.closed_at is not None:
        changes["closed_us"] = to_us(body.closed_at, clock.tz)
    new = store.save(apply_change(old, changes, clock.now_us()))
    record(who, UPDATED, camera_id=new.camera_id, reason=f"complaint {new.id}",
           details={"complaint": new.id, "status": new.status.value, "fields": ",".join(sorted(changes))})
    return new


@router.post("", name="complaints.create", status_code=201)
def create(body: ComplaintIn, store: ComplaintsDep, cameras: CamerasDep, accounts: AccountsDep, clock: ClockDep,
           trail: AuditTrailDep, who: Annotated[Principal, Depends(allow("complaints.create"))]) -> ComplaintOut:
    return views.out(record_new(body, store, cameras, accounts, clock, who, trail.record), clock.tz)


@router.patch("/{complaint_id:int}", name="complaints.update")  # :int - "export.csv" is no id
def update(complaint_id: RowId, body: ComplaintPatch, store: ComplaintsDep, cameras: CamerasDep, accounts: AccountsDep,
           clock: ClockDep, trail: AuditTrailDep,
           who: Annotated[Principal, Depends(allow("complaints.update"))]) -> ComplaintOut:
    return views.out(record_change(complaint_id, body, store, cameras, accounts, clock, who, trail.record), clock.tz)


@router.get("/export.csv", name="complaints.export", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def export_csv(store: ComplaintsDep, cameras: CamerasDep, clock: ClockDep, trail: AuditTrailDep,
               who: Annotated[Principal, Depends(allow("complaints.export"))], status: Status | None = None,
               category: Category | None = None, camera: CameraQ = None, since: IsoDateTime | None = None,
               until: IsoDateTime | None = None, bom: bool = True) -> Response:
    found = visible(cameras, who, store.list(query(clock, status, category, camera, since, until, 100_000)))
    trail.record(who, READ, reason="export csv", details={"entries": len(found)})
    rows = [views.csv_row(c, clock.tz) for c in found]
    headers = {"Content-Disposition": 'attachment; filename="roadcam-complaints.csv"'}
    return Response(render_csv(rows, views.CSV_COLUMNS, bom), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/print", name="complaints.print", response_class=Response,
            responses={200: {"content": {"text/html": {}}}})
def printable(store: ComplaintsDep, cameras: CamerasDep, clock: ClockDep, trail: AuditTrailDep,
              who: Annotated[Principal, Depends(allow("complaints.print"))], status: Status | None = None,
              category: Category | None = None, camera: CameraQ = None, since: IsoDateTime | None = None,
              until: IsoDateTime | None = None) -> Response:
    found = visible(cameras, who, store.list(query(clock, status, category, camera, since, until, 100_000)))
    trail.record(who, READ, reason="print", details={"entries": len(found)})
    return HTMLResponse(views.printable(found, clock.tz, clock.now_us()), headers={"Cache-Control": "no-store"})
