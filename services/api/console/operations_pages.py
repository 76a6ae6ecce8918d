"""Console pages of the operations package: the isolate switch and leak alerts (O2), complaints and
inquiries (A6), the operation rules 規程 (A8). Same role matrix, CSRF and audit as the API routes,
and the same logic (services.api.operations.routes_*)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from services.api.auth.roles import allowed
from services.api.console.guard import Visit, checked_form, require
from services.api.console.pages import show
from services.api.errors import ApiError
from services.api.csv_writer import render_csv
from services.api.operations import complaint_views as views
from services.api.operations import routes_admin, routes_complaints
from services.api.operations.complaints import Category, ComplaintFilter, Status
from services.api.operations.parts import OperationsParts
from services.api.operations.rules_render import render
from services.api.operations.schemas import ComplaintIn, ComplaintPatch

router = APIRouter(prefix="/console", include_in_schema=False)
Form = Annotated[dict, Depends(checked_form)]
RowId = Annotated[int, Path(ge=1, le=2**62)]


def _ops(request: Request) -> OperationsParts:
    return request.app.state.ops


def _recorder(request: Request, v: Visit):
    return lambda who, action, **fields: v.backend.audit(request, who, action, **fields)


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/operations", response_class=HTMLResponse)
def operations_page(request: Request, v: Annotated[Visit, Depends(require("leaks.list"))]) -> HTMLResponse:
    ops = _ops(request)
    ops.switch.refresh()
    ops.leaks.scan()
    return show(request, v, "operations/operations.html", state=ops.switch.state, alerts=ops.leaks.alerts(False, 200),
                tz=v.backend.tz, may_switch=allowed("admin.isolate", v.user.role),
                may_ack=allowed("leaks.ack", v.user.role))


@router.post("/operations/isolate")
def isolate(request: Request, form: Form, v: Annotated[Visit, Depends(require("admin.isolate"))]) -> Response:
    reason = form.get("reason", "").strip()
    if not 3 <= len(reason) <= 500:
        raise HTTPException(422, "reason: 3 to 500 characters")
    routes_admin.turn_on(_ops(request).switch, v.backend.now_us(), v.user, reason, _recorder(request, v))
    return _back("/console/operations")


@router.post("/operations/lift")
def lift(request: Request, form: Form, v: Annotated[Visit, Depends(require("admin.lift"))]) -> Response:
    reason = form.get("reason", "").strip() or "lifted"
    routes_admin.turn_off(_ops(request).switch, v.backend.now_us(), v.user, reason, _recorder(request, v))
    return _back("/console/operations")


@router.post("/operations/alerts/{alert_id}/ack")
def acknowledge(request: Request, alert_id: RowId, form: Form,
                v: Annotated[Visit, Depends(require("leaks.ack"))]) -> Response:
    _ops(request).leaks.acknowledge(alert_id, v.user.username)
    v.backend.audit(request, v.user, "leak_alert_acknowledged", reason=f"alert {alert_id}")
    return _back("/console/operations")


def _complaints_page(request: Request, v: Visit, error: str = "", status: int = 200) -> HTMLResponse:
    ops, b = _ops(request), v.backend
    found = routes_complaints.visible(b.parts.cameras, v.user, ops.complaints.list(ComplaintFilter(limit=500)))
    b.audit(request, v.user, routes_complaints.READ, reason="console list", details={"entries": len(found)})
    return show(request, v, "operations/complaints.html", status, complaints=found, tz=b.tz, error=error,
                cameras=b.cameras(v.user), categories=list(Category), statuses=list(Status),
                may_edit=allowed("complaints.update", v.user.role), may_add=allowed("complaints.create", v.user.role),
                may_export=allowed("complaints.export", v.user.role))


@router.get("/complaints", response_class=HTMLResponse)
def complaints_page(request: Request, v: Annotated[Visit, Depends(require("complaints.list"))]) -> HTMLResponse:
    return _complaints_page(request, v)


def _all_visible(request: Request, v: Visit, what: str) -> list:
    b = v.backend
    found = routes_complaints.visible(b.parts.cameras, v.user, _ops(request).complaints.list(ComplaintFilter(limit=100_000)))
    b.audit(request, v.user, routes_complaints.READ, reason=f"console {what}", details={"entries": len(found)})
    return found


@router.get("/complaints/export.csv")
def complaints_csv(request: Request, v: Annotated[Visit, Depends(require("complaints.export"))]) -> Response:
    rows = [views.csv_row(c, v.backend.tz) for c in _all_visible(request, v, "export csv")]
    return Response(render_csv(rows, views.CSV_COLUMNS, True), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="roadcam-complaints.csv"'})


@router.get("/complaints/print", response_class=HTMLResponse)
def complaints_print(request: Request, v: Annotated[Visit, Depends(require("complaints.print"))]) -> HTMLResponse:
    found = _all_visible(request, v, "print")
    return HTMLResponse(views.printable(found, v.backend.tz, v.backend.now_us()), headers={"Cache-Control": "no-store"})


def _fields(form: dict, names: tuple[str, ...]) -> dict:
    return {k: form[k] for k in names if form.get(k, "").strip()}


@router.post("/complaints", response_class=HTMLResponse)
def add_complaint(request: Request, form: Form,
                  v: Annotated[Visit, Depends(require("complaints.create"))]) -> Response:
    b = v.backend
    try:
        body = ComplaintIn(**_fields(form, ("category", "camera_id", "contact_name", "contact", "summary",
                                            "handling", "status")))
        routes_complaints.record_new(body, _ops(request).complaints, b.parts.cameras, b.parts.accounts,
                                     b.parts.clock, v.user, _recorder(request, v))
    except (ValidationError, ApiError) as exc:
        return _complaints_page(request, v, error=str(exc).splitlines()[0], status=422)
    return _back("/console/complaints")


@router.post("/complaints/{complaint_id}", response_class=HTMLResponse)
def change_complaint(request: Request, complaint_id: RowId, form: Form,
                     v: Annotated[Visit, Depends(require("complaints.update"))]) -> Response:
    b = v.backend
    try:
        body = ComplaintPatch(**_fields(form, ("handling", "status")))
        routes_complaints.record_change(complaint_id, body, _ops(request).complaints, b.parts.cameras,
                                        b.parts.accounts, b.parts.clock, v.user, _recorder(request, v))
    except (ValidationError, ApiError) as exc:
        return _complaints_page(request, v, error=str(exc).splitlines()[0], status=422)
    return _back("/console/complaints")


def _rule_docs(request: Request, v: Visit, camera: str | None):
    visible = [c.id for c in v.backend.cameras(v.user)]
    if camera and camera not in visible:
        raise HTTPException(404, f"no camera {camera!r}")
    docs = _ops(request).rules([camera] if camera else visible)
    v.backend.audit(request, v.user, "rules_printed", camera_id=camera or "", reason=f"{len(docs)} camera(s), console")
    return docs


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, v: Annotated[Visit, Depends(require("rules.print"))],
               camera: str | None = None) -> HTMLResponse:
    docs = _rule_docs(request, v, camera)
    return show(request, v, "operations/rules.html", docs=docs, cameras=v.backend.cameras(v.user), camera=camera)


@router.get("/rules/print", response_class=HTMLResponse)
def rules_print(request: Request, v: Annotated[Visit, Depends(require("rules.print"))],
                camera: str | None = None) -> HTMLResponse:
    return HTMLResponse(render(_rule_docs(request, v, camera), "html"), headers={"Cache-Control": "no-store"})


def banner(request: Request, user) -> dict:
    """For the layout: isolate on (everyone signed in sees it), open leak alerts (who may read them)."""
    ops = getattr(request.app.state, "ops", None)
    if ops is None or user is None:
        return {}
    shown = {"isolated": ops.switch.isolated}
    if allowed("leaks.list", user.role):
        shown["alerts"] = len(ops.leaks.alerts(True, 100))
    return shown


def _register_banner() -> None:
    from services.api.console import rendering

    rendering._env.globals["ops_banner"] = banner  # read by templates/operations/banner.html via the layout


_register_banner()
