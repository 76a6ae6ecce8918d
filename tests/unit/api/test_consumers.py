"""Bus records into the database: idempotent, newest health wins, bad records skipped."""
from __future__ import annotations

from sqlalchemy import func, select

from services.api.alerts import offline_alerts
from services.api.auth.roles import Role
from services.api.messages import decode
from services.api.db.tables import AuditEntry, CameraHealthRow, Crossing, Segment
from roadcam.common import topics
from roadcam.common.bus import BusRecord
from roadcam.v1 import counting_pb2
from tests.unit.api import busdata
from tests.unit.api.apikit import T0_US, Api

SEC = 1_000_000


def counts(api: Api) -> dict[str, int]:
    with api.parts.engine.connect() as conn:
        return {t.__tablename__: conn.scalar(select(func.count()).select_from(t))
                for t in (AuditEntry, CameraHealthRow, Crossing, Segment)}


def mixed_batch() -> list[BusRecord]:
    return ([busdata.crossing("bridge-1", T0_US + i) for i in range(3)]
            + [busdata.health("bridge-1", T0_US), busdata.health("bridge-2", T0_US, "RECONNECTING", "401")]
            + [busdata.segment("bridge-1", T0_US, n) for n in range(4)]
            + [busdata.audit(f"rec-{n}", T0_US + n) for n in range(5)])


def test_replaying_a_batch_changes_nothing(api: Api) -> None:
    batch = mixed_batch()
    api.sink().store(decode(batch))
    first = counts(api)
    assert first == {"audit_log": 5, "camera_health": 2, "crossings": 3, "segments": 4}
    head = api.parts.audit.entries(busdata_filter())[-1].hash
    api.sink().store(decode(batch))
    assert counts(api) == first
    assert api.parts.audit.entries(busdata_filter())[-1].hash == head and api.parts.audit.verify().ok


def test_bus_audit_events_keep_who_what_why_how(api: Api) -> None:
    api.sink().store(decode([busdata.audit("x-1", T0_US, "export")]))
    rows = api.client.get("/api/v1/audit", headers=api.role_headers()[Role.AUDITOR]).json()
    entry = rows[-1]
    assert (entry["actor"], entry["action"], entry["camera_id"], entry["reason"], entry["method"]) == (
        "operator-7", "export", "bridge-1", "事故確認", "player")
    assert entry["range_start"] < entry["range_end"] and entry["details"] == {"ticket": "2026-041", "signed_by": "recorder"}


def test_an_older_health_report_never_replaces_a_newer_one(api: Api) -> None:
    api.sink().store(decode([busdata.health("bridge-1", T0_US, "ONLINE")]))
    api.sink().store(decode([busdata.health("bridge-1", T0_US - 5 * SEC, "RECONNECTING", "timeout")]))
    assert api.parts.operations.health()["bridge-1"].state == "ONLINE"
    api.sink().store(decode([busdata.health("bridge-1", T0_US + SEC, "RECONNECTING", "refused"),
                           busdata.health("bridge-1", T0_US + 2 * SEC, "ONLINE")]))
    assert api.parts.operations.health()["bridge-1"].state == "ONLINE"
    assert api.parts.operations.health()["bridge-1"].reported_us == T0_US + 2 * SEC


def test_bad_records_are_skipped_and_the_rest_kept(api: Api) -> None:
    garbage = BusRecord(topics.CROSSINGS, 0, 1, "bridge-1", b"\xff\xff\xff not protobuf", 0)
    empty = BusRecord(topics.COUNT_BINS, 0, 2, "bridge-1", counting_pb2.CountBin().SerializeToString(), 0)
    odd_size = busdata.count_bin("bridge-1", T0_US, 3, seconds=420)
    foreign = BusRecord("roadcam.other.v1", 0, 3, "x", b"", 0)
    grouped = decode([garbage, empty, odd_size, foreign, busdata.crossing("bridge-1", T0_US)])
    assert {k: len(v) for k, v in grouped.items()} == {topics.CROSSINGS: 1}


def test_camera_list_shows_health_and_alerts_name_offline_cameras(api: Api) -> None:
    api.sink().store(decode([busdata.health("bridge-1", T0_US), busdata.health("bridge-2", T0_US, "RECONNECTING", "401 Unauthorized")]))
    headers = api.role_headers()[Role.OPERATOR]
    cams = {c["id"]: c["health"] for c in api.client.get("/api/v1/cameras", headers=headers).json()}
    assert cams["bridge-1"]["online"] is True and cams["bridge-2"]["online"] is False and cams["station-1"] is None
    alerts = {a["camera_id"]: a["kind"] for a in api.client.get("/api/v1/alerts", headers=headers).json()}
    assert alerts == {"bridge-2": "not_online", "station-1": "no_report"}
    api.clock.now_us += 60 * SEC  # the ingest went quiet
    alerts = {a["camera_id"]: a["kind"] for a in api.client.get("/api/v1/alerts", headers=headers).json()}
    assert alerts == {"bridge-1": "stale_report", "bridge-2": "stale_report", "station-1": "no_report"}


def test_alert_rules_as_pure_logic() -> None:
    from services.api.store.operations import HealthIn

    h = HealthIn("a", "ONLINE", 25, 0, 0, "", "NONE", 0, 1_000 * SEC, "i", 0)
    assert offline_alerts(["a"], {"a": h}, 1_010 * SEC, 30) == []
    assert offline_alerts(["a"], {"a": h}, 1_031 * SEC, 30)[0].kind == "stale_report"
    assert offline_alerts(["b"], {"a": h}, 1_000 * SEC, 30)[0].kind == "no_report"


def busdata_filter():
    from services.api.store.audit import AuditFilter
    return AuditFilter(limit=10_000)
