"""The isolate switch (O2) on one app: every route refuses non-managers, managers keep working,
sign-in is for managers only, both changes are audited, and a restart keeps the state."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.api.auth.roles import Role
from services.api.auth.tokens import new_api_key
from services.api.console.session import SESSION_COOKIE
from services.api.operations.gate import OPEN_WHILE_ISOLATED, SIGN_IN, open_while_isolated
from services.api.parts import open_parts
from services.api.store.audit import AuditFilter
from tests.unit.api.apikit import PASSWORD, Api, settings_for
from tests.unit.operations.routewalk import every_request

ISOLATE = "/api/v1/admin/isolate"


def isolate(api: Api, manager: str = "boss") -> None:
    r = api.client.post(ISOLATE, json={"reason": "suspected leak"}, headers=api.headers(manager))
    assert r.status_code == 200 and r.json()["isolated"] is True, r.text


@pytest.fixture
def staffed(api: Api) -> Api:
    api.add_account("boss", Role.MANAGER)
    api.add_account("clerk", Role.OPERATOR)
    api.add_account("checker", Role.AUDITOR)
    api.add_account("numbers", Role.ANALYST)
    return api


def callers(api: Api) -> dict[str, dict[str, str]]:
    key = new_api_key()
    api.parts.accounts.add_key("clerk", key.key_id, key.key_hash, "", api.clock.now_us)
    session = api.headers("checker")["Authorization"].split()[1]
    return {"public": {}, "operator token": api.headers("clerk"), "auditor token": api.headers("checker"),
            "analyst token": api.headers("numbers"), "operator API key": {"X-API-Key": key.token},
            "auditor session": {"Cookie": f"{SESSION_COOKIE}={session}"},
            "bad token": {"Authorization": "Bearer nonsense"}}


def test_every_route_refuses_everyone_but_managers(staffed: Api) -> None:
    api = staffed
    requests = every_request(api.client.app)
    assert len(requests) > 30  # the walk really found the app's routes (api, public site, console)
    isolate(api)
    for who, headers in callers(api).items():
        for method, path in requests:
            if open_while_isolated(method, path):
                continue
            r = api.client.request(method, path, headers=headers)
            assert r.status_code in (401, 403) and r.headers.get("x-roadcam-isolated") == "1", \
                f"{who} {method} {path}: {r.status_code}"
    manager = api.headers("boss")
    for method, path in requests:  # managers pass the gate (whatever the route then answers)
        if path != ISOLATE and (method, path) not in SIGN_IN:  # sign-in posts are judged by the name sent
            r = api.client.request(method, path, headers=manager)
            assert r.headers.get("x-roadcam-isolated") is None, f"manager {method} {path}: {r.status_code}"


def test_what_stays_open_is_only_probes_and_manager_sign_in(staffed: Api) -> None:
    assert {p for _, p in OPEN_WHILE_ISOLATED} == {"/healthz", "/readyz", "/console/login", "/console/static/",
                                                   "/console/logout"}
    api = staffed
    isolate(api)
    assert api.client.get("/healthz").status_code == 200
    refused = api.client.post("/api/v1/auth/token", json={"username": "clerk", "password": PASSWORD})
    assert refused.status_code == 401 and refused.headers["x-roadcam-isolated"] == "1"
    assert api.client.post("/api/v1/auth/token", json={"username": "boss", "password": PASSWORD}).status_code == 200
    assert api.client.get("/api/v1/open-data/counts?bin=60").status_code == 401
    assert api.client.get("/hls/bridge-1/index.m3u8").status_code == 401


def test_lift_restores_access_and_both_are_audited(staffed: Api) -> None:
    api = staffed
    clerk = api.headers("clerk")
    assert api.client.get("/api/v1/cameras", headers=clerk).status_code == 200
    isolate(api)
    assert api.client.get("/api/v1/cameras", headers=clerk).status_code == 403
    assert api.client.delete(ISOLATE, headers=clerk).status_code == 403
    r = api.client.delete(f"{ISOLATE}?reason=all+clear", headers=api.headers("boss"))
    assert r.status_code == 200 and r.json()["isolated"] is False
    assert api.client.get("/api/v1/cameras", headers=clerk).status_code == 200
    entries = [e.record for e in api.parts.audit.entries(AuditFilter(actor="boss", limit=100))]
    assert [(e.action, e.reason) for e in entries if e.action.startswith("isolate")] == [
        ("isolate", "suspected leak"), ("isolate_lifted", "all clear")]


def test_isolation_survives_a_restart(staffed: Api, tmp_path: Path) -> None:
    api = staffed
    isolate(api)
    api.client.close()
    settings = settings_for(tmp_path, str(api.parts.engine.url))
    parts = open_parts(settings, api.clock)
    with TestClient(create_app(settings, parts), raise_server_exceptions=False) as again:
        assert again.get("/api/v1/notices").status_code == 401
        assert again.get("/api/v1/admin/isolate", headers=api.headers("boss")).json()["isolated"] is True
    parts.engine.dispose()


def test_isolated_gauge_follows_the_switch(staffed: Api) -> None:
    from prometheus_client import REGISTRY

    api = staffed
    isolate(api)
    assert REGISTRY.get_sample_value("roadcam_api_isolated") == 1
    api.client.delete(ISOLATE, headers=api.headers("boss"))
    assert REGISTRY.get_sample_value("roadcam_api_isolated") == 0
