"""One Jinja2 environment for the console and the public site: one layout, one look, two languages."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from services.api.console.i18n import COOKIE, Messages, pick_language

CONSOLE_TEMPLATES = Path(__file__).parent / "templates"
PUBLIC_TEMPLATES = Path(__file__).parents[1] / "public" / "templates"
STATIC_DIR = Path(__file__).parent / "static"
LANG_COOKIE_DAYS = 365

_env = Environment(loader=ChoiceLoader([FileSystemLoader(CONSOLE_TEMPLATES), FileSystemLoader(PUBLIC_TEMPLATES)]),
                   autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                   lstrip_blocks=True)


def switch_url(request: Request, lang: str) -> str:
    """This page in the other language (keeps the other query parameters)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(params)}"


def local_time(us: int | None, tz) -> str:
    if not us:
        return "—"
    return datetime.fromtimestamp(us / 1e6, tz).strftime("%Y-%m-%d %H:%M:%S")


CENSUS_CLASSES = ("歩行者", "自転車", "二輪車", "小型車", "大型車")  # the counter's census classes (T1)


def census_labels(t: Messages) -> dict[str, str]:
    return {name: t(f"census_{i}") for i, name in enumerate(CENSUS_CLASSES)}


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(COOKIE))


def render(request: Request, template: str, status: int = 200, **values) -> HTMLResponse:
    lang = language(request)
    t = Messages(lang)
    html = _env.get_template(template).render(
        request=request, lang=lang, t=t, census_labels=census_labels, local_time=local_time, switch_href=switch_url(request, t.other), **values)
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if request.query_params.get("lang") == lang and request.cookies.get(COOKIE) != lang:
        response.set_cookie(COOKIE, lang, max_age=LANG_COOKIE_DAYS * 86400, samesite="lax", path="/")
    return response


_MEDIA = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".md": "text/plain"}


def static_file(path: str) -> FileResponse:
    """A file under static/ (vendored assets and our own), never outside it."""
    target = (STATIC_DIR / path).resolve()
    if not target.is_relative_to(STATIC_DIR.resolve()) or not target.is_file() or target.suffix not in _MEDIA:
        raise HTTPException(404, "not found")
    return FileResponse(target, media_type=_MEDIA[target.suffix], headers={"Cache-Control": "public, max-age=3600"})
