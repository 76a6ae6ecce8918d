"""Helpers for console tests: sign in through the real form, read the CSRF token from a page."""
from __future__ import annotations

import re

from tests.unit.api.apikit import PASSWORD, Api

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


def sign_in(api: Api, username: str, password: str = PASSWORD, next_path: str = "/console"):
    page = api.client.get("/console/login")
    return api.client.post("/console/login", data={"csrf": csrf_of(page.text), "username": username,
                                                   "password": password, "next": next_path},
                           follow_redirects=False)
