"""Console pages for footage disclosure (issue 11): requests list and form (様式第1号 with the
照会書 upload), the decision page, holds, exports with one-time links, and the registers (A5).

Every action goes through `services.api.disclosure` exactly as the HTTP API does (same checks, same
audit entries); these handlers only turn forms into calls and results into pages.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.api.audit_trail import AuditTrail
from services.api.console.disclosure_forms import Posted, checked_multipart, request_body
from services.api.console.disclosure_marks import marks_from_form
from services.api.console.disclosure_text import DisclosureText
from services.api.console.guard import Visit, checked_form, require
from services.api.console.pages import show
from services.api.console.rendering import language
from services.api.disclosure.routes_requests import RequestId
from services.api.disclosure import labels, model, registers
from services.api.disclosure.model import Decision
from services.api.disclosure.routes_requests import form_of
from services.api.disclosure.schemas import RequestIn
from services.api.disclosure.service import Disclosure
from services.api.errors import ApiError

router = APIRouter(prefix="/console", include_in_schema=False)
DAY_US = 86_400_000_000


def _trail(request: Request, v: Visit) -> AuditTrail:
    client = request.client.host if request.client else ""
    return AuditTrail(v.backend.parts.audit, v.backend.now_us, client, f"console {request.method} {request.url.path}")


def page(request: Request, v: Visit, template: str, status: int = 200, **values) -> HTMLResponse:
    lang = language(request)
    return show(request, v, f"disclosure/{template}", status, d=DisclosureText(lang), labels=labels,
                tz=v.backend.tz, lt=lambda us: labels.local(us, v.backend.tz), **values)


@router.get("/requests", response_class=HTMLResponse)
def requests_list(request: Request, v: Annotated[Visit, Depends(require("requests.list"))]) -> HTMLResponse:
    return page(request, v, "requests.html", requests=Disclosure.of(request).registry.list(v.user))


def _form_page(request: Request, v: Visit, values: dict, error: str = "", status: int = 200) -> HTMLResponse:
    cameras = v.backend.cameras(v.user)
    chosen = [c for c in values.get("cameras", []) if any(c == cam.id for cam in cameras)]
    bases = model.allowed_bases([cam.purposes for cam in cameras if cam.id in chosen]) if chosen else []
    return page(request, v, "request_form.html", status, cameras=cameras, chosen=chosen, bases=bases,
                values=values, error=error)


@router.get("/requests/new", response_class=HTMLResponse)
def new_request(request: Request, v: Annotated[Visit, Depends(require("requests.create"))]) -> HTMLResponse:
    """Choose the cameras first: the legal bases offered depend on their purposes (Gunma 6(2), Odawara 7.2(2))."""
    return _form_page(request, v, {"cameras": request.query_params.getlist("camera"), "method": "data_provision"})


@router.post("/requests/new", response_class=HTMLResponse)
def register_request(request: Request, v: Annotated[Visit, Depends(require("requests.create"))],
                     posted: Annotated[Posted, Depends(checked_multipart)]) -> Response:
    body, d = request_body(posted), Disclosure.of(request)
    trail = _trail(request, v)
    try:
        form = form_of(RequestIn(**body), v.backend.tz)
        created = d.registry.register(v.user, form, v.backend.now_us(), trail)
    except ValidationError as exc:
        first = exc.errors()[0]
        return _form_page(request, v, body, f"{'.'.join(map(str, first['loc']))}: {first['msg']}", 422)
    except ApiError as exc:
        return _form_page(request, v, body, str(exc), exc.status)
    if "document" in posted.files:
        name, content_type, data = posted.files["document"]
        d.store_document(v.user, created.id, name, content_type, data, trail)
    return RedirectResponse(f"/console/requests/{created.id}", status_code=303)


def _detail(request: Request, v: Visit, request_id: int, status: int = 200, **extra) -> HTMLResponse:
    d = Disclosure.of(request)
    found = d.registry.get(v.user, request_id)
    holds = d.holds.of_request(found.id)
    erase = {h.command_id: h.range_start_us + v.backend.parts.cameras.camera(h.camera_id).retention_days * DAY_US
             for h in holds}
    return page(request, v, "request.html", status, r=found, holds=holds, erase=erase,
                exports=d.exports.of_request(found.id), may_export=model.may_download(found.form.method, found.state),
                may_view=found.form.method.value != "data_provision" and found.state in model.LEGALLY_HELD,
                **extra)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: RequestId,
                 v: Annotated[Visit, Depends(require("requests.get"))]) -> HTMLResponse:
    return _detail(request, v, request_id)


def _act(request: Request, v: Visit, request_id: int, action) -> Response:
    try:
        action(Disclosure.of(request), _trail(request, v))
    except ApiError as exc:
        return _detail(request, v, request_id, exc.status if exc.status != 404 else 404, error=str(exc))
    return RedirectResponse(f"/console/requests/{request_id}", status_code=303)


@router.post("/requests/{request_id}/decision", response_class=HTMLResponse)
def decide(request: Request, request_id: RequestId, v: Annotated[Visit, Depends(require("requests.decide"))],
           form: Annotated[dict, Depends(checked_form)]) -> Response:
    decision = Decision(form.get("approve") == "yes", v.user.username, form.get("reason", ""))
    return _act(request, v, request_id,
                lambda d, trail: d.registry.decide(v.user, request_id, decision, v.backend.now_us(), trail))


def _finish(request: Request, v: Visit, request_id: int, target: str, reason: str) -> Response:
    """Withdraw or close (the service checks the role: only managers close)."""
    return _act(request, v, request_id,
                lambda d, trail: d.registry.finish(v.user, request_id, target, reason, v.backend.now_us(), trail))


@router.post("/requests/{request_id}/withdraw", response_class=HTMLResponse)
def withdraw(request: Request, request_id: RequestId, v: Annotated[Visit, Depends(require("requests.withdraw"))],
             form: Annotated[dict, Depends(checked_form)]) -> Response:
    return _finish(request, v, request_id, "withdrawn", form.get("reason", ""))


@router.post("/requests/{request_id}/close", response_class=HTMLResponse)
def close(request: Request, request_id: RequestId, v: Annotated[Visit, Depends(require("requests.close"))],
          form: Annotated[dict, Depends(checked_form)]) -> Response:
    return _finish(request, v, request_id, "closed", form.get("reason", ""))


@router.post("/requests/{request_id}/exports", response_class=HTMLResponse)
def export(request: Request, request_id: RequestId, v: Annotated[Visit, Depends(require("exports.create"))],
           form: Annotated[dict, Depends(checked_form)]) -> Response:
    d = Disclosure.of(request)
    try:
        marks = marks_from_form(form, d.registry.get(v.user, request_id).form.cameras)
        packages = d.export(v.user, request_id, _trail(request, v), marks)
    except ApiError as exc:
        return _detail(request, v, request_id, exc.status, error=str(exc))
    base = str(request.base_url).rstrip("/")
    links = [(p.export.camera_id, f"{base}/api/v1/exports/download/{p.token}", p.export.expires_us) for p in packages]
    return _detail(request, v, request_id, 201, links=links)


@router.post("/requests/{request_id}/viewings", response_class=HTMLResponse)
def viewing(request: Request, request_id: RequestId, v: Annotated[Visit, Depends(require("requests.viewing"))],
            form: Annotated[dict, Depends(checked_form)]) -> Response:
    return _act(request, v, request_id, lambda d, trail: d.record_viewing(
        v.user, request_id, form.get("counterpart_name", ""), form.get("content", ""), form.get("other", ""), trail))


@router.get("/requests/{request_id}/view/{camera_id}", response_class=HTMLResponse)
def view_page(request: Request, request_id: RequestId, camera_id: str,
              v: Annotated[Visit, Depends(require("requests.viewing"))]) -> HTMLResponse:
    found = Disclosure.of(request).registry.get(v.user, request_id)
    mark = f"{v.user.username} · No.{found.id} · {labels.local(v.backend.now_us(), v.backend.tz, True)}"
    return page(request, v, "view.html", r=found, camera_id=camera_id, watermark=mark)


@router.get("/requests/{request_id}/stream/{camera_id}")
def stream(request: Request, request_id: RequestId, camera_id: str,
           v: Annotated[Visit, Depends(require("requests.viewing"))]) -> Response:
    body = Disclosure.of(request).stream(v.user, request_id, camera_id, _trail(request, v))
    return Response(body, media_type="video/mp4", headers={"Cache-Control": "no-store", "Content-Disposition": "inline"})


@router.get("/requests/{request_id}/still/{camera_id}")
def still(request: Request, request_id: RequestId, camera_id: str,
          v: Annotated[Visit, Depends(require("exports.create"))], frame: int = 0) -> Response:
    """A frame of a self-disclosure's clip to draw the requester's box on (audited, never cached)."""
    jpeg, count = Disclosure.of(request).still(v.user, request_id, camera_id, frame, _trail(request, v))
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store", "X-Frame-Count": str(count)})


@router.get("/requests/{request_id}/document")
def document(request: Request, request_id: RequestId, v: Annotated[Visit, Depends(require("requests.document_get"))]) -> Response:
    _, content_type, body = Disclosure.of(request).document(v.user, request_id, _trail(request, v))
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})


@router.get("/holds", response_class=HTMLResponse)
def holds_page(request: Request, v: Annotated[Visit, Depends(require("holds.list"))]) -> HTMLResponse:
    return page(request, v, "holds.html", holds=Disclosure.of(request).visible_holds(v.user))


@router.get("/registers", response_class=HTMLResponse)
def registers_page(request: Request, v: Annotated[Visit, Depends(require("registers.provision"))]) -> HTMLResponse:
    return page(request, v, "registers.html")


@router.get("/registers/{kind}")
def register_file(request: Request, kind: str, v: Annotated[Visit, Depends(require("registers.provision"))],
                  format: str = "html") -> Response:
    from services.api.console.rendering import render

    d, lang, tz = Disclosure.of(request), language(request), v.backend.tz
    visible = d.registry.list(v.user)
    if kind == "provision":
        columns, rows, csv = registers.PROVISION_COLUMNS, registers.provision_rows(visible, tz, lang), registers.provision_csv
        source = visible
    elif kind == "viewing":
        ids = {r.id for r in visible}
        source = [x for x in d.exports.viewings() if x.request_id in ids]
        columns, rows, csv = registers.VIEWING_COLUMNS, registers.viewing_rows(source, tz, lang), registers.viewing_csv
    else:
        return Response(status_code=404)
    _trail(request, v).record(v.user, "register_exported", reason=f"{kind} register", details={"format": format})
    if format == "csv":
        return Response(csv(source, tz, lang), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{kind}-register.csv"'})
    return render(request, "disclosure/register_print.html", kind=kind, columns=registers.headers(columns, lang),
                  rows=rows, printed_at=labels.local(v.backend.now_us(), tz, True))
