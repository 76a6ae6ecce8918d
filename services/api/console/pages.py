"""Console sign-in, sign-out, home, and the console's static files."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from services.api.console import session
from services.api.console.guard import AnyVisit, Visit, checked_form, signed_in
from services.api.console.i18n import Messages
from services.api.console.rendering import language, render, static_file
from services.api.errors import TooManyAttempts, Unauthorized

router = APIRouter(prefix="/console", include_in_schema=False)
STATIC_BASE = "/console/static"


def show(request: Request, v: Visit, template: str, status: int = 200, **values) -> HTMLResponse:
    response = render(request, template, status=status, static_base=STATIC_BASE, nav=v.nav(request.url.path),
                      user=v.user, csrf=v.csrf, **values)
    v.finish(request, response)
    return response


def safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


@router.get("/static/{path:path}")
def console_static(path: str) -> FileResponse:
    return static_file(path)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, v: AnyVisit, next: str = "/console") -> Response:
    if v.user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return show(request, v, "console/login.html", next=safe_next(next), username="", error="")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, v: AnyVisit, form: Annotated[dict, Depends(checked_form)]) -> Response:
    t = Messages(language(request))
    username, target = form.get("username", "").strip(), safe_next(form.get("next"))
    try:
        token = v.backend.sign_in(request, username, form.get("password", ""))
    except TooManyAttempts:
        return show(request, v, "console/login.html", 429, next=target, username=username, error=t("too_many"))
    except Unauthorized as exc:
        error = t("account_unusable") if "disabled" in str(exc) else t("wrong_password")
        return show(request, v, "console/login.html", 401, next=target, username=username, error=error)
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    session.CookieSpec(session.SESSION_COOKIE, token, v.backend.session_seconds, secure).apply(response)
    # A fresh CSRF nonce for the new session (no fixation of a nonce set before sign-in).
    session.CookieSpec(session.CSRF_COOKIE, session.new_nonce(), None, secure).apply(response)
    return response


@router.post("/logout")
async def logout(request: Request, form: Annotated[dict, Depends(checked_form)]) -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    session.CookieSpec(session.SESSION_COOKIE, "", None, False).apply(response)
    session.CookieSpec(session.CSRF_COOKIE, "", None, False).apply(response)
    return response


@router.get("", response_class=HTMLResponse)
def home(request: Request, v: Annotated[Visit, Depends(signed_in)]) -> HTMLResponse:
    return show(request, v, "console/home.html")
