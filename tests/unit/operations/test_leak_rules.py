"""Leak rules (O2): pure logic on made-up access statistics, and the scan over a real audit log."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from prometheus_client import REGISTRY

from services.api.auth.roles import Role
from services.api.auth.tokens import new_api_key
from services.api.audit_trail import system_record
from services.api.operations import leak_rules as rules
from services.api.store.audit import AuditFilter
from tests.unit.api.apikit import T0_US, Api

JST = ZoneInfo("Asia/Tokyo")
MIN = 60_000_000
P = rules.LeakPolicy()


def accesses(actor: str, action: str, n: int, start_us: int = T0_US, step_us: int = MIN) -> list[rules.Access]:
    return [rules.Access(actor, action, start_us + i * step_us, "bridge-1") for i in range(n)]


def test_volume_per_user_per_hour() -> None:
    now = T0_US + 59 * MIN
    assert rules.too_many(P, accesses("ito", "export", 5), now) == []  # at the limit: fine
    found = rules.too_many(P, accesses("ito", "export", 6) + accesses("sato", "export", 2), now)
    assert [(a.rule, a.subject, a.count) for a in found] == [("volume", "ito", 6)]
    assert rules.too_many(P, accesses("ito", "export", 6), now + 2 * 60 * MIN) == []  # an hour later: old news


def test_outside_working_hours_in_local_time() -> None:
    # T0 is 09:00 JST on a Monday: working hours. 03:00 JST and a Sunday are not.
    assert rules.outside_hours(P, accesses("ito", "view", 1), JST) == []
    night = accesses("ito", "view", 2, T0_US - 6 * 60 * MIN)
    sunday = accesses("ito", "download", 1, T0_US - 24 * 60 * MIN)
    found = rules.outside_hours(P, night + sunday, JST)
    assert sorted(a.count for a in found) == [1, 2] and {a.rule for a in found} == {"off_hours"}
    assert rules.outside_hours(P, accesses("ito", "login_failed", 3, T0_US - 6 * 60 * MIN), JST) == []


def test_sign_in_burst_counts_aggregated_streaks() -> None:
    now = T0_US + 5 * MIN
    # one streak of 16 recorded as entries 1, 2, 4, 8, 16 (the guard's aggregation) is 16 failures, not 31
    streak = [rules.FailedSignIn("admin", "10.0.0.9", T0_US + i, n) for i, n in enumerate((1, 2, 4, 8, 16))]
    assert rules.signin_burst(P, streak, now) == []
    more = [rules.FailedSignIn(f"user{i}", "10.0.0.9", T0_US, 0) for i in range(4)]  # plain entries
    found = rules.signin_burst(P, streak + more, now)
    assert [(a.rule, a.count) for a in found] == [("signin_burst", 20)]


def test_new_key_from_many_addresses() -> None:
    assert rules.key_spread(P, {"k1": 4}, T0_US) == []
    assert [a.subject for a in rules.key_spread(P, {"k1": 5, "k2": 1}, T0_US)] == ["k1"]


def test_scan_raises_each_alert_once_audits_it_and_exports_metrics(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    for i in range(7):
        api.parts.audit.append(system_record("ito", "export", "case 12", T0_US - 50 * MIN + i * MIN, "test"))
    watch = api.client.app.state.ops.leaks
    before = REGISTRY.get_sample_value("roadcam_api_leak_alerts_total", {"rule": "volume"}) or 0
    assert [a.rule for a in watch.scan()] == ["volume"]
    assert watch.scan() == []  # the same alert is not raised twice
    r = api.client.get("/api/v1/admin/leak-alerts", headers=api.headers("boss"))
    assert [(a["rule"], a["subject"], a["count"]) for a in r.json()] == [("volume", "ito", 7)]
    assert REGISTRY.get_sample_value("roadcam_api_leak_alerts_total", {"rule": "volume"}) == before + 1
    assert REGISTRY.get_sample_value("roadcam_api_leak_alerts_open", {"rule": "volume"}) == 1
    assert [e.record.details["subject"] for e in api.parts.audit.entries(AuditFilter(action="leak_alert"))] == ["ito"]
    alert_id = r.json()[0]["id"]
    assert api.client.post(f"/api/v1/admin/leak-alerts/{alert_id}/acknowledge",
                           headers=api.headers("boss")).json() == []
    assert REGISTRY.get_sample_value("roadcam_api_leak_alerts_open", {"rule": "volume"}) == 0


def test_a_new_api_key_used_from_many_addresses_is_seen_through_the_gate(api: Api) -> None:
    api.add_account("robot", Role.ANALYST)
    key = new_api_key()
    api.parts.accounts.add_key("robot", key.key_id, key.key_hash, "", api.clock.now_us)
    uses = api.client.app.state.ops.key_uses
    for i in range(5):
        uses.record(key.token, f"203.0.113.{i}", api.clock.now_us)
    uses.record(f"rk_{key.key_id}.wrong-secret", "198.51.100.1", api.clock.now_us)  # not counted: bad secret
    found = api.client.app.state.ops.leaks.scan()
    assert [(a.rule, a.subject, a.count) for a in found] == [("api_key", key.key_id, 5)]
    api.client.get("/api/v1/cameras", headers={"X-API-Key": key.token})  # the gate records real uses
    assert uses.is_new(key.token, "testclient") is False
