"""/api/v1/registers: the provision register (様式第2号) and viewing log (別記様式), CSV or printable A4."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.api.deps import AuditTrailDep, ClockDep, allow
from services.api.disclosure import registers
from services.api.disclosure.deps import DisclosureDep
from services.api.disclosure.labels import local
from services.api.store.accounts import Principal

router = APIRouter(prefix="/api/v1/registers", tags=["disclosure"])
Format = Literal["csv", "html"]
Lang = Literal["ja", "en"]


def _answer(request: Request, kind: str, fmt: str, lang: str, columns, rows: list[dict], csv: bytes, clock) -> Response:
    if fmt == "csv":
        return Response(csv, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{kind}-register.csv"', "Cache-Control": "no-store"})
    from services.api.console.rendering import render

    return render(request, "disclosure/register_print.html", kind=kind, columns=registers.headers(columns, lang),
                  rows=rows, printed_at=local(clock.now_us(), clock.tz, True), lang_forced=lang)


REGISTER_RESPONSE = {200: {"content": {"text/csv": {}, "text/html": {}},
                           "description": "Excel-safe CSV (format=csv) or printable A4 HTML (format=html)"}}


@router.get("/provision", name="registers.provision", responses=REGISTER_RESPONSE)
def provision_register(request: Request, d: DisclosureDep, clock: ClockDep, trail: AuditTrailDep,
                       who: Annotated[Principal, Depends(allow("registers.provision"))],
                       format: Format = "csv", lang: Lang = "ja") -> Response:
    found = d.registry.list(who)
    trail.record(who, "register_exported", reason="provision register", details={"format": format, "rows": len(found)})
    return _answer(request, "provision", format, lang, registers.PROVISION_COLUMNS,
                   registers.provision_rows(found, clock.tz, lang), registers.provision_csv(found, clock.tz, lang), clock)


@router.get("/viewing", name="registers.viewing", responses=REGISTER_RESPONSE)
def viewing_log(request: Request, d: DisclosureDep, clock: ClockDep, trail: AuditTrailDep,
                who: Annotated[Principal, Depends(allow("registers.viewing"))],
                format: Format = "csv", lang: Lang = "ja") -> Response:
    visible = {r.id for r in d.registry.list(who)}
    found = [v for v in d.exports.viewings() if v.request_id in visible]
    trail.record(who, "register_exported", reason="viewing log", details={"format": format, "rows": len(found)})
    return _answer(request, "viewing", format, lang, registers.VIEWING_COLUMNS,
                   registers.viewing_rows(found, clock.tz, lang), registers.viewing_csv(found, clock.tz, lang), clock)
