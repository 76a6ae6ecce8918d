"""Structured operator viewing conditions (Odawara 7.3②, A1): stored, migrated from free text, enforced."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.api.audit_trail import AuditTrail
from services.api.disclosure.conditions import ViewingConditions, from_stored
from services.api.disclosure.service import Disclosure
from services.api.store.audit import AuditFilter
from tests.unit.api.apikit import T0_US, Api
from tests.unit.disclosure.kit import HOUR_US, register

JST = ZoneInfo("Asia/Tokyo")  # T0 is Monday 2026-06-01 09:00 JST


def test_conditions_refuse_other_cameras_days_hours_and_after_expiry() -> None:
    c = ViewingConditions(cameras=["bridge-1"], weekdays=[0, 1, 2, 3, 4], hours_from="08:30", hours_to="17:15",
                          expires_at="2026-06-30T00:00:00")
    assert c.refusal("bridge-1", T0_US, JST) == ""
    assert "camera bridge-2" in c.refusal("bridge-2", T0_US, JST)
    assert "Sat" in c.refusal("bridge-1", T0_US + 5 * 24 * HOUR_US, JST)
    assert "08:30-17:15" in c.refusal("bridge-1", T0_US + 9 * HOUR_US, JST)  # 18:00 JST
    assert "expired" in c.refusal("bridge-1", T0_US + 29 * 24 * HOUR_US, JST)  # 2026-06-30 09:00 local
    assert ViewingConditions().refusal("anything", T0_US, JST) == ""


def test_bad_conditions_are_refused_clearly() -> None:
    with pytest.raises(ValidationError, match="hours_from must be before"):
        ViewingConditions(hours_from="18:00", hours_to="08:00")
    with pytest.raises(ValidationError, match="both hours_from and hours_to"):
        ViewingConditions(hours_from="08:00")
    with pytest.raises(ValidationError, match="weekdays"):
        ViewingConditions(weekdays=[7])


def test_old_free_text_is_read_as_the_note_and_structure_round_trips() -> None:
    assert from_stored("管理室内でのみ閲覧") == ViewingConditions(note="管理室内でのみ閲覧")
    assert from_stored("") == ViewingConditions() and not from_stored("")
    c = ViewingConditions(cameras=["bridge-1"], hours_from="08:30", hours_to="17:00", note="管理室")
    assert from_stored(c.stored()) == c and str(c) == "cameras bridge-1; 08:30-17:00; 管理室"


def test_accounts_api_takes_structure_or_text(api: Api) -> None:
    boss = api.headers("boss")
    body = {"cameras": ["bridge-1"], "weekdays": [0, 1, 2, 3, 4], "hours_from": "08:30", "hours_to": "17:15"}
    r = api.client.patch("/api/v1/accounts/op-roads", json={"viewing_conditions": body}, headers=boss)
    assert r.status_code == 200, r.text
    got = r.json()["viewing_conditions"]
    assert got["cameras"] == ["bridge-1"] and got["hours_from"] == "08:30:00" and got["note"] == ""
    r = api.client.patch("/api/v1/accounts/op-roads", json={"viewing_conditions": "事件対応時のみ"}, headers=boss)
    assert r.json()["viewing_conditions"] == {**ViewingConditions().model_dump(mode="json"), "note": "事件対応時のみ"}
    r = api.client.patch("/api/v1/accounts/op-roads", json={"viewing_conditions": {"hours_from": "25:00"}},
                         headers=boss)
    assert r.status_code == 422


def _limit(api: Api, **conditions) -> None:
    r = api.client.patch("/api/v1/accounts/op-roads", json={"viewing_conditions": conditions},
                         headers=api.headers("boss"))
    assert r.status_code == 200, r.text


def _refusals(api: Api) -> list:
    return [e.record for e in api.parts.audit.entries(AuditFilter()) if e.record.action == "footage_access_refused"]


def test_export_outside_the_conditions_is_refused_and_audited(api: Api) -> None:
    req = register(api, "op-roads")
    assert api.client.post(f"/api/v1/requests/{req['id']}/decision", json={"approve": True, "reason": "確認"},
                           headers=api.headers("boss")).status_code == 200
    _limit(api, cameras=["bridge-2"])
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert r.status_code == 403 and "camera bridge-1" in r.json()["detail"]
    _limit(api, hours_from="13:00", hours_to="17:00")
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert r.status_code == 403 and "13:00-17:00" in r.json()["detail"]
    refused = _refusals(api)
    assert len(refused) == 2 and refused[0].camera_id == "bridge-1" and refused[0].actor == "op-roads"
    _limit(api, cameras=["bridge-1"], hours_from="08:00", hours_to="17:00")
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert r.status_code != 403  # past the conditions (no footage stored here: 409)
    assert len(_refusals(api)) == 2


def test_console_viewing_outside_the_conditions_is_refused_and_audited(api: Api) -> None:
    req = register(api, "op-roads", method="view_only")
    api.client.post(f"/api/v1/requests/{req['id']}/decision", json={"approve": True, "reason": "確認"},
                    headers=api.headers("boss"))
    _limit(api, expires_at="2026-06-01T08:00:00")  # local time, an hour before now
    who = api.parts.accounts.get("op-roads").principal("token")
    disclosure = Disclosure.of(type("R", (), {"app": api.client.app})())
    trail = AuditTrail(api.parts.audit, api.parts.clock.now_us, "127.0.0.1", "test")
    with pytest.raises(Exception, match="expired"):
        disclosure.stream(who, req["id"], "bridge-1", trail)
    with pytest.raises(Exception, match="expired"):
        disclosure.record_viewing(who, req["id"], "佐藤", "事件当時の映像", "", trail)
    assert [(r.details["action"], r.camera_id) for r in _refusals(api)] == [("console player", "bridge-1"),
                                                                          ("office viewing", "bridge-1")]


def test_migration_0007_turns_free_text_into_the_note(tmp_path) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    from services.api.db.engine import alembic_config
    from services.api.store.accounts import Accounts

    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    command.upgrade(alembic_config(engine), "0006")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO accounts (username, role, departments, viewing_conditions, disabled, "
                          "created_us) VALUES ('op', 'operator', '[\"roads\"]', '管理室の端末のみ', 0, 0), "
                          "('boss', 'manager', '[\"*\"]', '', 0, 0)"))
    command.upgrade(alembic_config(engine), "0007")
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT username, viewing_conditions FROM accounts")).all())
    assert stored == {"op": '{"note": "管理室の端末のみ"}', "boss": ""}
    assert Accounts(engine).get("op").viewing_conditions == ViewingConditions(note="管理室の端末のみ")
    engine.dispose()
