"""Who is signed in to the console, what they may open, and the CSRF check on every form post."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request

from services.api.auth.roles import Role, allowed
from services.api.console import session
from services.api.console.backend import ConsoleBackend
from services.api.store.accounts import Principal

# (href, message key, the matrix endpoint that decides who sees it): the same role matrix as the API.
NAV = (
    ("/console/cameras", "nav_cameras", "cameras.list"),
    ("/console/counts", "nav_counts", "counts.query"),
    ("/console/audit", "nav_audit", "audit.list"),
    ("/console/requests", "nav_requests", "requests.list"),
    ("/console/operations", "nav_operations", "leaks.list"),
    ("/console/complaints", "nav_complaints", "complaints.list"),
    ("/console/rules", "nav_rules", "rules.print"),
)


# Console actions with no API route yet, in the same form as MATRIX (they move there with their routes).
CONSOLE_MATRIX: dict[str, frozenset[Role]] = {
    "config.view": frozenset({Role.MANAGER, Role.OPERATOR, Role.AUDITOR}),
    "config.change": frozenset({Role.MANAGER}),
}


def permitted(endpoint: str, role: Role) -> bool:
    return role in CONSOLE_MATRIX[endpoint] if endpoint in CONSOLE_MATRIX else allowed(endpoint, role)


@dataclass
class Visit:
    """One console request: the backend, the signed-in account (or None) and the CSRF nonce."""

    backend: ConsoleBackend
    user: Principal | None
    expires_us: int
    nonce: str
    new_nonce: bool

    @property
    def csrf(self) -> str:
        return session.csrf_token(self.backend.secret, self.nonce)

    def nav(self, path: str) -> list[dict]:
        if self.user is None:
            return []
        return [{"href": href, "label": label, "active": path.startswith(href)}
                for href, label, endpoint in NAV if permitted(endpoint, self.user.role)]

    def finish(self, request: Request, response) -> None:
        """Set the CSRF nonce cookie when new; renew the session while it is being used."""
        secure = request.url.scheme == "https"
        if self.new_nonce:
            session.CookieSpec(session.CSRF_COOKIE, self.nonce, None, secure).apply(response)
        b = self.backend
        if self.user is not None and session.needs_renewal(self.expires_us, b.now_us(), b.session_seconds):
            session.CookieSpec(session.SESSION_COOKIE, b.issue(self.user.username), b.session_seconds,
                               secure).apply(response)


def visit(request: Request) -> Visit:
    backend = ConsoleBackend.of(request)
    found = backend.session_principal(request.cookies.get(session.SESSION_COOKIE))
    nonce = request.cookies.get(session.CSRF_COOKIE)
    user, expires = found if found else (None, 0)
    return Visit(backend, user, expires, nonce or session.new_nonce(), nonce is None)


AnyVisit = Annotated[Visit, Depends(visit)]


def signed_in(request: Request, v: AnyVisit) -> Visit:
    if v.user is None:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        raise HTTPException(303, "sign in first", headers={"Location": f"/console/login?next={target}"})
    return v


def require(endpoint: str):
    """A dependency: signed in, and the role matrix grants `endpoint` to the account's role."""

    def check(v: Annotated[Visit, Depends(signed_in)]) -> Visit:
        if not permitted(endpoint, v.user.role):
            raise HTTPException(403, f"role {v.user.role.value} may not use {endpoint}")
        return v

    return check


async def checked_form(request: Request, v: AnyVisit) -> dict[str, str]:
    """The posted form (urlencoded), after the CSRF and origin checks."""
    from urllib.parse import parse_qsl

    body = (await request.body()).decode("utf-8", errors="replace")
    form = dict(parse_qsl(body, keep_blank_values=True, max_num_fields=200))
    sent = form.get(session.CSRF_FIELD) or request.headers.get(session.CSRF_HEADER)
    if not session.same_origin(request.headers.get("origin"), request.headers.get("host")) \
            or v.new_nonce or not session.csrf_valid(v.backend.secret, v.nonce, sent):
        raise HTTPException(403, "CSRF check failed: reload the page and try again")
    return form
