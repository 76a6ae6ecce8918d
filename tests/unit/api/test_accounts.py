"""Accounts and roles (A1): sign-in, rate limiting, expiry, API keys, departments, conditions."""
from __future__ import annotations

from services.api.auth.roles import Role
from tests.unit.api.apikit import PASSWORD, Api

DAY_US = 86_400_000_000


def login(api: Api, user: str, password: str = PASSWORD):
    return api.client.post("/api/v1/auth/token", json={"username": user, "password": password})


def test_sign_in_issues_a_short_lived_token(api: Api) -> None:
    api.add_account("ana", Role.ANALYST, departments=("roads",))
    r = login(api, "ana")
    assert r.status_code == 200
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    me = api.client.get("/api/v1/auth/me", headers=headers).json()
    assert me["username"] == "ana" and me["role"] == "analyst" and me["via"] == "token"
    api.clock.now_us += api.parts.settings.token_minutes * 60_000_000 + 1_000_000
    r = api.client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401 and "expired" in r.json()["detail"]


def test_forged_or_garbage_tokens_are_refused(api: Api) -> None:
    for token in ("garbage", "a.b.c", api.parts.tokens.issue("nobody", api.clock.now_us / 1e6)[0]):
        r = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token


def test_unknown_user_and_wrong_password_look_the_same(api: Api) -> None:
    api.add_account("ana", Role.ANALYST)
    a, b = login(api, "ana", "not the password"), login(api, "ghost", "not the password")
    assert a.status_code == b.status_code == 401 and a.json() == b.json()


def test_failed_logins_are_rate_limited_per_user(api: Api) -> None:
    api.add_account("ana", Role.ANALYST)
    api.add_account("bob", Role.ANALYST)
    limit = api.parts.settings.login_failures_max
    for _ in range(limit):
        assert login(api, "ana", "guess guess").status_code == 401
    r = login(api, "ana")  # even the right password waits out the window
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert login(api, "bob").status_code == 200  # other users are not locked out
    api.clock.now_us += api.parts.settings.login_window_s * 1_000_000 + 1
    assert login(api, "ana").status_code == 200
    failures = [e.record for e in api.parts.audit.iter_all() if e.record.action == "login_failed"]
    # Aggregated: the 1st, 2nd and 4th failure of the streak, then the first refusal.
    assert [f.details.get("failures") or f.details.get("refused") for f in failures] == ["1", "2", "4", "1"]
    assert failures[-1].reason == "rate limited"


def test_operator_accounts_expire(api: Api) -> None:
    api.add_account("op", Role.OPERATOR, expires_us=api.clock.now_us + DAY_US, conditions="管理室内でのみ閲覧")
    headers = api.headers("op")
    me = api.client.get("/api/v1/auth/me", headers=headers).json()
    assert me["viewing_conditions"]["note"] == "管理室内でのみ閲覧" and me["expires_at"].startswith("2026-06-02T09:00")
    api.clock.now_us += DAY_US
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert login(api, "op").status_code == 401


def test_operators_need_an_expiry_and_public_is_no_account_role(api: Api) -> None:
    headers = api.role_headers()[Role.MANAGER]
    base = {"password": PASSWORD, "departments": ["roads"]}
    r = api.client.post("/api/v1/accounts", headers=headers, json={**base, "username": "op", "role": "operator"})
    assert r.status_code == 422 and "expires_at" in r.json()["detail"]
    r = api.client.post("/api/v1/accounts", headers=headers, json={**base, "username": "p", "role": "public"})
    assert r.status_code == 422
    r = api.client.post("/api/v1/accounts", headers=headers, json={
        **base, "username": "op", "role": "operator", "expires_at": "2026-07-01T00:00:00+09:00",
        "viewing_conditions": "事件対応時のみ"})
    assert r.status_code == 201 and r.json()["expires_at"].startswith("2026-07-01T00:00:00")
    r = api.client.post("/api/v1/accounts", headers=headers, json={**base, "username": "op", "role": "analyst"})
    assert r.status_code == 409


def test_disabled_accounts_lose_access_at_once(api: Api) -> None:
    api.add_account("ana", Role.ANALYST)
    headers = api.headers("ana")
    manager = api.role_headers()[Role.MANAGER]
    assert api.client.patch("/api/v1/accounts/ana", headers=manager, json={"disabled": True}).status_code == 200
    assert api.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    r = api.client.patch("/api/v1/accounts/ghost", headers=manager, json={"disabled": True})
    assert r.status_code == 404


def test_api_keys_work_until_revoked(api: Api) -> None:
    api.add_account("etl", Role.ANALYST, departments=("roads",))
    manager = api.role_headers()[Role.MANAGER]
    r = api.client.post("/api/v1/accounts/etl/api-keys", headers=manager, json={"label": "open data job"})
    assert r.status_code == 201
    key = r.json()
    me = api.client.get("/api/v1/auth/me", headers={"X-API-Key": key["api_key"]}).json()
    assert me["username"] == "etl" and me["via"] == "api_key"
    forged = key["api_key"][:-3] + "abc"
    assert api.client.get("/api/v1/auth/me", headers={"X-API-Key": forged}).status_code == 401
    assert api.client.delete(f"/api/v1/api-keys/{key['key_id']}", headers=manager).status_code == 204
    assert api.client.get("/api/v1/auth/me", headers={"X-API-Key": key["api_key"]}).status_code == 401
    assert api.parts.accounts.by_key(key["key_id"]) is None


def test_departments_scope_the_cameras(api: Api) -> None:
    api.add_account("parks-op", Role.OPERATOR, departments=("parks",))
    headers = api.headers("parks-op")
    ids = [c["id"] for c in api.client.get("/api/v1/cameras", headers=headers).json()]
    assert ids == ["station-1"]
    assert api.client.get("/api/v1/cameras/bridge-1", headers=headers).status_code == 404
    r = api.client.get("/api/v1/counts", params={"camera": "bridge-1"}, headers=headers)
    assert r.status_code == 404
    all_ids = [c["id"] for c in api.client.get("/api/v1/cameras", headers=api.role_headers()[Role.MANAGER]).json()]
    assert all_ids == ["bridge-1", "bridge-2", "station-1"]


def test_an_empty_change_is_a_clear_4xx(api: Api) -> None:
    api.add_account("ana", Role.ANALYST)
    r = api.client.patch("/api/v1/accounts/ana", headers=api.role_headers()[Role.MANAGER], json={})
    assert r.status_code == 422 and "nothing to change" in r.json()["detail"]
    r = api.client.patch("/api/v1/accounts/ana", headers=api.role_headers()[Role.MANAGER], json={"disabled": 0})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "disabled"]
