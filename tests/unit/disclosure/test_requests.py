"""Provision requests through the HTTP API on a real SQLite database (A3, R4, R5, Tottori 3(2))."""
from __future__ import annotations

import pytest

from services.api.audit_chain import AuditRecord
from services.api.disclosure.confirmations import confirmations
from services.api.disclosure.holds import request_hold_id
from services.api.store.audit import AuditFilter
from tests.unit.api.apikit import T0_US, Api
from tests.unit.disclosure.kit import register


def decide(api: Api, who: str, request_id: int, approve: bool = True, reason: str = "捜査関係事項照会書を確認"):
    return api.client.post(f"/api/v1/requests/{request_id}/decision", json={"approve": approve, "reason": reason},
                           headers=api.headers(who))


def actions(api: Api) -> list[str]:
    return [e.record.action for e in api.parts.audit.entries(AuditFilter())]


def test_registration_places_preservation_holds_in_local_time(api: Api) -> None:
    req = register(api, "op-roads", cameras=["bridge-1", "bridge-2"])
    assert req["state"] == "received" and req["registered_by"] == "op-roads"
    assert req["start"] == "2026-06-01T09:00:00+09:00"  # a time without a zone is local, never UTC
    holds = {h["camera_id"]: h for h in req["holds"]}
    assert set(holds) == {"bridge-1", "bridge-2"}
    assert all(h["kind"] == "preservation" and not h["confirmed"] for h in holds.values())
    pending = api.client.app.state.disclosure.holds.pending_commands()
    assert [(c.camera_id, c.release, c.range_start_us) for c in pending] == [
        ("bridge-1", False, T0_US), ("bridge-2", False, T0_US)]
    assert actions(api)[-3:] == ["request_registered", "hold_requested", "hold_requested"]


def test_the_registering_operator_or_manager_can_never_approve(api: Api) -> None:
    by_operator = register(api, "op-roads")
    assert decide(api, "op-roads", by_operator["id"]).status_code == 403  # operators never decide
    by_manager = register(api, "boss")
    r = decide(api, "boss", by_manager["id"])
    assert r.status_code == 403 and "separation of duties" in r.json()["detail"]
    assert api.client.get(f"/api/v1/requests/{by_manager['id']}", headers=api.headers("boss")).json()["state"] == "received"
    approved = decide(api, "boss2", by_manager["id"])
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert all(h["kind"] == "legal" for h in approved.json()["holds"])
    assert "request_approved" in actions(api) and "legal_hold" in actions(api)


def test_second_approval_needs_another_manager(api: Api, tmp_path) -> None:
    from tests.unit.disclosure.kit import configure

    configure(api, tmp_path / "exports", second_approval=True)
    req = register(api, "op-roads")
    first = decide(api, "boss", req["id"])
    assert first.json()["state"] == "first_approved"
    assert decide(api, "boss", req["id"]).status_code == 403  # the same manager cannot complete 決裁
    final = decide(api, "boss2", req["id"])
    assert final.json()["state"] == "approved" and final.json()["first_approved_by"] == "boss"


def test_refusal_and_withdrawal_release_the_holds(api: Api) -> None:
    refused = register(api, "op-roads")
    other = register(api, "op-roads")  # same camera and range: its hold stays, untouched
    r = decide(api, "boss", refused["id"], approve=False, reason="根拠が不十分")
    assert r.json()["state"] == "refused" and all(h["released_at"] for h in r.json()["holds"])
    sent = [(c.command_id, c.release, c.hold_id) for c in api.client.app.state.disclosure.holds.pending_commands()]
    ended = request_hold_id(refused["id"], "bridge-1")
    assert sent == [(ended, False, ended), (request_hold_id(other["id"], "bridge-1"), False,
                                            request_hold_id(other["id"], "bridge-1")),
                    (ended + "-release", True, ended)]  # the release names its hold; nothing is re-placed
    w = api.client.post(f"/api/v1/requests/{other['id']}/withdraw", json={"reason": "申請者が取下げ"},
                        headers=api.headers("op-roads"))
    assert w.json()["state"] == "withdrawn"
    assert api.client.get("/api/v1/holds", headers=api.headers("boss")).json() == []


def test_another_department_cannot_list_view_or_export(api: Api) -> None:
    req = register(api, "op-roads")
    assert decide(api, "boss", req["id"]).status_code == 200
    parks = api.headers("op-parks")
    assert api.client.get("/api/v1/requests", headers=parks).json() == []
    assert api.client.get(f"/api/v1/requests/{req['id']}", headers=parks).status_code == 404
    assert api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=parks).status_code == 404
    assert api.client.get(f"/api/v1/requests/{req['id']}/document", headers=parks).status_code == 404
    assert api.client.get("/api/v1/holds", headers=parks).json() == []
    r = api.client.post("/api/v1/requests", json={**_body(), "cameras": ["bridge-1"]}, headers=parks)
    assert r.status_code == 422  # nor register a request for another department's camera


def _body() -> dict:
    from tests.unit.disclosure.kit import police_request

    return police_request()


def test_a_crime_prevention_camera_offers_no_media_basis(api: Api) -> None:
    ops = api.headers("op-roads")
    crime = api.client.get("/api/v1/requests/bases?camera=bridge-1", headers=ops).json()
    codes = [b["code"] for b in crime]
    assert "criminal_procedure_197_2" in codes
    assert not {"media", "municipality", "road_traffic_manager"} & set(codes)
    boss = api.headers("boss")
    road_only = [b["code"] for b in api.client.get("/api/v1/requests/bases?camera=station-1", headers=boss).json()]
    assert "media" in road_only and "road_traffic_manager" in road_only
    r = api.client.post("/api/v1/requests", json={**_body(), "legal_basis": "media"}, headers=ops)
    assert r.status_code == 422 and "crime-prevention" in r.json()["detail"]


def test_a_view_only_approval_cannot_be_exported(api: Api) -> None:
    req = register(api, "op-roads", method="view_only")
    decide(api, "boss", req["id"])
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert r.status_code == 403 and "view_only" in r.json()["detail"]


def test_a_pending_request_cannot_be_exported(api: Api) -> None:
    req = register(api, "op-roads")
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert r.status_code == 403


def test_the_recorders_audit_event_confirms_the_hold(api: Api) -> None:
    req = register(api, "op-roads")
    command = request_hold_id(req["id"], "bridge-1")
    event = AuditRecord("ev1", T0_US + 5, "op-roads", "hold", "bridge-1", T0_US, T0_US + 1, "preservation", "recorder",
                        {"command_id": command, "request_id": str(req["id"]), "segments": "12"})
    forged = AuditRecord("ev2", T0_US + 5, "x", "hold", "bridge-1", T0_US, T0_US + 1, "", "api", {"command_id": "other"})
    holds = api.client.app.state.disclosure.holds
    assert [c.command_id for c in confirmations([event, forged])] == [command]
    holds.confirm(confirmations([event]))
    holds.confirm(confirmations([event]))  # re-delivered: nothing changes
    hold = api.client.get(f"/api/v1/requests/{req['id']}", headers=api.headers("op-roads")).json()["holds"][0]
    assert hold["confirmed"] and hold["segments"] == 12


def test_a_release_reaches_the_recorder_naming_only_its_hold(api: Api) -> None:
    from services.api import messages as api_messages
    from services.recorder import messages as recorder_messages

    first, second = register(api, "op-roads"), register(api, "op-roads")
    decide(api, "boss", first["id"], approve=False, reason="根拠が不十分")
    release = api.client.app.state.disclosure.holds.pending_commands()[-1]
    change = recorder_messages.hold_change(api_messages.hold_command(release))
    assert change.release and change.hold_id == request_hold_id(first["id"], "bridge-1")
    assert change.hold_id != request_hold_id(second["id"], "bridge-1")


def test_the_recorders_release_event_confirms_that_hold_only(api: Api) -> None:
    first, second = register(api, "op-roads"), register(api, "op-roads")
    decide(api, "boss", first["id"], approve=False, reason="根拠が不十分")
    ended = request_hold_id(first["id"], "bridge-1")
    event = AuditRecord("ev3", T0_US + 9, "boss", "release", "bridge-1", T0_US, T0_US + 1, "", "recorder",
                        {"command_id": ended + "-release", "hold_id": ended, "released_holds": ended})
    api.client.app.state.disclosure.holds.confirm(confirmations([event]))
    holds = {h["request_id"]: h for h in api.client.get("/api/v1/holds", headers=api.headers("boss")).json()}
    assert list(holds) == [second["id"]] and holds[second["id"]]["release_confirmed_at"] is None
    gone = api.client.get(f"/api/v1/requests/{first['id']}", headers=api.headers("boss")).json()["holds"][0]
    assert gone["released_at"] and gone["release_confirmed_at"].endswith("+09:00")


@pytest.mark.parametrize("end", ["2026-06-01T08:00:00", "2026-07-15T09:00:00"])
def test_bad_ranges_are_refused(api: Api, end: str) -> None:
    r = api.client.post("/api/v1/requests", json={**_body(), "end": end}, headers=api.headers("op-roads"))
    assert r.status_code == 422


def test_a_request_is_stored_only_with_its_audit_entries(api: Api, monkeypatch) -> None:
    """The request, its holds and their audit entries are one transaction: when the audit write
    fails (disk full, lost connection), no request and no hold remain to act on unaudited."""
    before = actions(api)

    def broken(records, conn):
        raise OSError("audit write failed")

    monkeypatch.setattr(api.parts.audit, "_append", broken)
    r = api.client.post("/api/v1/requests", json=_body(), headers=api.headers("op-roads"))
    assert r.status_code == 500
    monkeypatch.undo()
    assert api.client.get("/api/v1/requests", headers=api.headers("boss")).json() == []
    assert api.client.app.state.disclosure.holds.pending_commands() == []
    assert actions(api) == before
    assert register(api, "op-roads")["id"]  # the next one is stored, with its entries
    assert actions(api)[-2:] == ["request_registered", "hold_requested"]
