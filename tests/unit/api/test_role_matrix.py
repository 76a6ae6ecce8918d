"""Walk every cell of the role x endpoint matrix: allowed roles succeed, the others get 401/403."""
from __future__ import annotations

import itertools

import pytest

from services.api.app import check_matrix_coverage, own_routes
from services.api.auth.roles import MATRIX, Role
from services.api.auth.tokens import new_api_key
from roadcam.common.errors import RoadcamError
from tests.unit.api.apikit import PASSWORD, Api
from tests.unit.operations.matrix_requests import operations_request
from tests.unit.disclosure.matrix_requests import disclosure_request

_ids = itertools.count()


def request_for(api: Api, endpoint: str) -> tuple[str, str, dict | None]:
    """(method, path, json body) of a valid request to each endpoint."""
    if endpoint == "apikeys.revoke":
        key = new_api_key()
        api.parts.accounts.add_key("target", key.key_id, key.key_hash, "", api.clock.now_us)
        return "DELETE", f"/api/v1/api-keys/{key.key_id}", None
    n = next(_ids)
    found = operations_request(api, endpoint, n) or disclosure_request(api, endpoint, n)
    if found is not None:
        return found
    return {
        "health.live": ("GET", "/healthz", None),
        "health.ready": ("GET", "/readyz", None),
        "health.metrics": ("GET", "/metrics", None),
        "docs.openapi": ("GET", "/openapi.json", None),
        "auth.token": ("POST", "/api/v1/auth/token", {"username": "target", "password": PASSWORD}),
        "auth.me": ("GET", "/api/v1/auth/me", None),
        "notices.list": ("GET", "/api/v1/notices", None),
        "notices.get": ("GET", "/api/v1/notices/bridge-1", None),
        "opendata.counts": ("GET", "/api/v1/open-data/counts?bin=60", None),
        "cameras.list": ("GET", "/api/v1/cameras", None),
        "cameras.get": ("GET", "/api/v1/cameras/bridge-1", None),
        "counts.query": ("GET", "/api/v1/counts?camera=bridge-1&bin=15", None),
        "counts.live": ("GET", "/api/v1/counts/live", None),
        "queues.query": ("GET", "/api/v1/queue-lengths?camera=bridge-1", None),
        "speeds.query": ("GET", "/api/v1/speeds?camera=bridge-1&bin=15", None),
        "alerts.list": ("GET", "/api/v1/alerts", None),
        "segments.list": ("GET", "/api/v1/segments", None),
        "audit.list": ("GET", "/api/v1/audit", None),
        "audit.verify": ("GET", "/api/v1/audit/verify", None),
        "audit.export": ("GET", "/api/v1/audit/export.csv", None),
        "accounts.list": ("GET", "/api/v1/accounts", None),
        "accounts.create": ("POST", "/api/v1/accounts",
                            {"username": f"new-{n}", "password": PASSWORD, "role": "analyst", "departments": ["roads"]}),
        "accounts.update": ("PATCH", "/api/v1/accounts/target", {"viewing_conditions": f"control room only {n}"}),
        "apikeys.create": ("POST", "/api/v1/accounts/target/api-keys", {"label": f"k{n}"}),
    }[endpoint]


def test_matrix_rows_match_the_routes_exactly(api: Api) -> None:
    names = {r.name for r in own_routes(api.client.app)}
    assert names == set(MATRIX), f"missing rows: {names - set(MATRIX)}, stale rows: {set(MATRIX) - names}"


def test_every_cell(api: Api) -> None:
    api.add_account("target", Role.ANALYST, departments=("roads",))
    headers = api.role_headers()
    cells = 0
    for endpoint, granted in MATRIX.items():
        for role in Role:
            method, path, body = request_for(api, endpoint)
            r = api.client.request(method, path, json=body, headers=headers[role])
            if role in granted:
                assert r.status_code < 400, f"{endpoint} x {role}: {r.status_code} {r.text}"
            else:
                want = 401 if role is Role.PUBLIC else 403
                assert r.status_code == want, f"{endpoint} x {role}: {r.status_code} {r.text}"
            cells += 1
    assert cells == len(MATRIX) * len(Role)


def test_an_unguarded_route_is_refused_at_startup(api: Api) -> None:
    app = api.client.app

    @app.get("/api/v1/sneaky", name="sneaky")
    def sneaky() -> dict:
        return {}

    with pytest.raises(RoadcamError, match="not guarded"):
        check_matrix_coverage(app)
