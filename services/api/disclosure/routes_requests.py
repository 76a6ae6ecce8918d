"""/api/v1/requests: provision requests (A3), their document, decisions and exports (A4)."""
from __future__ import annotations

import base64

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from services.api.deps import AuditTrailDep, CamerasDep, ClockDep, allow
from services.api.disclosure import model
from services.api.disclosure.deps import DisclosureDep
from services.api.disclosure.labels import BASIS, iso_local
from services.api.disclosure.model import Decision, Method
from services.api.disclosure.records import RequestForm
from services.api.disclosure.schemas import (CameraId, DecisionIn, DocumentIn, ExportOut, ReasonIn, RequestIn, RequestOut,
                                             ViewingIn)
from services.api.disclosure.schemas_exports import ExportIn
from services.api.errors import ApiError
from services.api.store.accounts import Principal
from services.api.times import to_us

RequestId = Annotated[int, Path(ge=1, le=2**62, description="request No.")]  # larger ids cannot exist
router = APIRouter(prefix="/api/v1/requests", tags=["disclosure"])


def form_of(body: RequestIn, tz) -> RequestForm:
    values = body.model_dump(exclude={"cameras", "start", "end", "method"})
    return RequestForm(cameras=tuple(dict.fromkeys(body.cameras)), range_start_us=to_us(body.start, tz),
                       range_end_us=to_us(body.end, tz), method=Method(body.method), **values)


@router.get("/bases", name="requests.bases")
def bases(cameras: CamerasDep, who: Annotated[Principal, Depends(allow("requests.bases"))],
          camera: Annotated[list[CameraId], Query()] = [], lang: str = "ja") -> list[dict]:  # noqa: B006
    """The legal bases these cameras allow (Gunma 6(2); Odawara 7.2(2)), with their labels."""
    visible = {c.id: c for c in cameras.visible(who)}
    if any(c not in visible for c in camera):
        raise ApiError("unknown camera or not in your department", 422)
    allowed = model.allowed_bases([visible[c].purposes for c in camera])
    return [{"code": b, "label": BASIS[b][0 if lang == "ja" else 1]} for b in allowed]


@router.get("", name="requests.list")
def list_requests(d: DisclosureDep, clock: ClockDep,
                  who: Annotated[Principal, Depends(allow("requests.list"))]) -> list[RequestOut]:
    return [RequestOut.of(r, clock.tz) for r in d.registry.list(who)]


@router.post("", name="requests.create", status_code=201)
def create_request(body: RequestIn, d: DisclosureDep, clock: ClockDep, trail: AuditTrailDep,
                   who: Annotated[Principal, Depends(allow("requests.create"))]) -> RequestOut:
    request = d.registry.register(who, form_of(body, clock.tz), clock.now_us(), trail)
    return RequestOut.of(request, clock.tz, d.holds.of_request(request.id))


@router.get("/{request_id}", name="requests.get")
def get_request(request_id: RequestId, d: DisclosureDep, clock: ClockDep,
                who: Annotated[Principal, Depends(allow("requests.get"))]) -> RequestOut:
    request = d.registry.get(who, request_id)
    return RequestOut.of(request, clock.tz, d.holds.of_request(request.id))


@router.put("/{request_id}/document", name="requests.document_put", status_code=204)
def put_document(request_id: RequestId, body: DocumentIn, d: DisclosureDep, trail: AuditTrailDep,
                 who: Annotated[Principal, Depends(allow("requests.document_put"))]) -> Response:
    """The written request (照会書, PDF or image); sealed with AES-256-GCM before it is stored."""
    try:
        data = base64.b64decode(body.data_base64, validate=True)
    except ValueError as exc:
        raise ApiError("data_base64 is not base64", 422) from exc
    d.store_document(who, request_id, body.filename, body.content_type, data, trail)
    return Response(status_code=204)


@router.get("/{request_id}/document", name="requests.document_get")
def get_document(request_id: RequestId, d: DisclosureDep, trail: AuditTrailDep,
                 who: Annotated[Principal, Depends(allow("requests.document_get"))]) -> Response:
    filename, content_type, body = d.document(who, request_id, trail)
    return Response(body, media_type=content_type, headers={
        "Content-Disposition": f"inline; filename=\"request-{request_id}-document\"", "Cache-Control": "no-store"})


@router.post("/{request_id}/decision", name="requests.decide")
def decide(request_id: RequestId, body: DecisionIn, d: DisclosureDep, clock: ClockDep, trail: AuditTrailDep,
           who: Annotated[Principal, Depends(allow("requests.decide"))]) -> RequestOut:
    request = d.registry.decide(who, request_id, Decision(body.approve, who.username, body.reason), clock.now_us(),
                                trail)
    return RequestOut.of(request, clock.tz, d.holds.of_request(request.id))


@router.post("/{request_id}/withdraw", name="requests.withdraw")
def withdraw(request_id: RequestId, body: ReasonIn, d: DisclosureDep, clock: ClockDep, trail: AuditTrailDep,
             who: Annotated[Principal, Depends(allow("requests.withdraw"))]) -> RequestOut:
    return RequestOut.of(d.registry.finish(who, request_id, "withdrawn", body.reason, clock.now_us(), trail), clock.tz)


@router.post("/{request_id}/close", name="requests.close")
def close(request_id: RequestId, body: ReasonIn, d: DisclosureDep, clock: ClockDep, trail: AuditTrailDep,
          who: Annotated[Principal, Depends(allow("requests.close"))]) -> RequestOut:
    return RequestOut.of(d.registry.finish(who, request_id, "closed", body.reason, clock.now_us(), trail), clock.tz)


@router.post("/{request_id}/exports", name="exports.create", status_code=201)
def create_exports(request_id: RequestId, d: DisclosureDep, clock: ClockDep, trail: AuditTrailDep,
                   who: Annotated[Principal, Depends(allow("exports.create"))],
                   body: ExportIn | None = None) -> list[ExportOut]:
    """Clips remuxed from the original segments with signed manifests; one one-time link per camera.
    A self-disclosure request needs `keep` (the requester's box per camera): its export is a redacted
    copy with everyone else blurred, and 503 when the detector models are not available."""
    packages = d.export(who, request_id, trail, body.marks() if body else None)
    return [ExportOut(export_id=p.export.id, camera_id=p.export.camera_id, clip_sha256=p.export.clip_sha256,
                      download_url=f"/api/v1/exports/download/{p.token}",
                      expires_at=iso_local(p.export.expires_us, clock.tz)) for p in packages]


@router.post("/{request_id}/viewings", name="requests.viewing", status_code=204)
def record_viewing(request_id: RequestId, body: ViewingIn, d: DisclosureDep, trail: AuditTrailDep,
                   who: Annotated[Principal, Depends(allow("requests.viewing"))]) -> Response:
    """Record an approved viewing at the office in the viewing log (Tottori 別記様式)."""
    d.record_viewing(who, request_id, body.counterpart_name, body.content, body.other, trail)
    return Response(status_code=204)
