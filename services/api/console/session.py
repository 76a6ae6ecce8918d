"""Console sessions and CSRF protection (A1): pure functions over the request's cookies.

The session cookie holds the same short-lived signed token the API issues (HttpOnly, SameSite=Strict,
path /console), renewed while the operator keeps working. CSRF is a signed double submit: a random
nonce cookie, and every POST carries HMAC(secret, nonce) in a form field or the X-CSRF-Token header
(htmx sends it from the page's meta tag). A cross-site form can neither read the nonce nor forge the
HMAC, and SameSite=Strict already keeps the session cookie off cross-site requests.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

SESSION_COOKIE = "roadcam_session"
CSRF_COOKIE = "roadcam_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
COOKIE_PATH = "/console"


@dataclass(frozen=True)
class CookieSpec:
    name: str
    value: str
    max_age: int | None
    secure: bool

    def apply(self, response) -> None:
        if not self.value:
            response.delete_cookie(self.name, path=COOKIE_PATH)
            return
        response.set_cookie(self.name, self.value, max_age=self.max_age, path=COOKIE_PATH, httponly=True,
                            samesite="strict", secure=self.secure)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), b"roadcam-csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str, nonce: str | None, sent: str | None) -> bool:
    if not nonce or not sent:
        return False
    return hmac.compare_digest(csrf_token(secret, nonce), sent)


def same_origin(origin: str | None, host: str | None) -> bool:
    """Browsers send Origin on POST; when present it must name this host (defence in depth)."""
    if not origin:
        return True
    return origin.split("://", 1)[-1].rstrip("/") == (host or "")


def needs_renewal(expires_us: int, now_us: int, lifetime_s: int) -> bool:
    """Renew once less than half the lifetime is left, so an active operator is not signed out."""
    return expires_us - now_us < lifetime_s * 500_000
