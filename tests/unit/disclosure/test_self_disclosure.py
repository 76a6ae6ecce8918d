"""Self-disclosure exports fail closed before any footage is read: models missing, marks missing or
misplaced. (The redaction itself runs on real footage in tests/integration/disclosure.)"""
from __future__ import annotations

import pytest

from services.api.console.disclosure_marks import marks_from_form
from services.api.disclosure.redaction import Mark
from services.api.errors import ApiError
from tests.integration.console.consolekit import sign_in
from tests.unit.api.apikit import Api
from tests.unit.disclosure.kit import register

KEEP = {"keep": [{"camera": "bridge-1", "frame": 3, "box": [10, 20, 60, 160]}]}


def no_footage(*_):
    raise AssertionError("footage was read although the export must be refused first")


def approved(api: Api, **changes) -> dict:
    req = register(api, "op-roads", **changes)
    r = api.client.post(f"/api/v1/requests/{req['id']}/decision", json={"approve": True, "reason": "本人確認済み"},
                        headers=api.headers("boss"))
    assert r.json()["state"] == "approved"
    return req


def test_without_models_a_self_disclosure_export_is_refused_naming_the_settings(api: Api) -> None:
    api.client.app.state.disclosure.exporter.clip_source = no_footage
    req = approved(api, legal_basis="self_disclosure")
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", json=KEEP, headers=api.headers("op-roads"))
    assert r.status_code == 503, r.text
    for setting in ("ROADCAM_API_REDACTION__YUNET_MODEL", "ROADCAM_API_REDACTION__YOLO_MODEL"):
        assert setting in r.text
    assert "nothing was exported" in r.text
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", headers=api.headers("op-roads"))
    assert r.status_code == 503  # unmarked too: never the unblurred clip
    state = api.client.get(f"/api/v1/requests/{req['id']}", headers=api.headers("op-roads")).json()["state"]
    assert state == "approved"


def test_a_mark_on_another_basis_is_refused(api: Api) -> None:
    api.client.app.state.disclosure.exporter.clip_source = no_footage
    req = approved(api)
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", json=KEEP, headers=api.headers("op-roads"))
    assert r.status_code == 422 and "self-disclosure request only" in r.text
    twice = {"keep": KEEP["keep"] * 2}
    r = api.client.post(f"/api/v1/requests/{req['id']}/exports", json=twice, headers=api.headers("op-roads"))
    assert r.status_code == 422 and "one mark per camera" in r.text


def test_console_form_fields_become_marks() -> None:
    form = {"frame-bridge-1": "12", "box-bridge-1": " 10, 20.5,60,160 ", "box-bridge-2": ""}
    assert marks_from_form(form, ["bridge-1", "bridge-2"]) == {"bridge-1": Mark(12, (10.0, 20.5, 60.0, 160.0))}
    for bad in ({"box-bridge-1": "10,20,60"}, {"box-bridge-1": "a,b,c,d"}, {"box-bridge-1": "1,2,3,4", "frame-bridge-1": "-1"}):
        with pytest.raises(ApiError, match="four numbers"):
            marks_from_form(bad, ["bridge-1"])


def test_the_request_page_offers_the_mark_and_stills_serve_only_self_disclosures(api: Api) -> None:
    api.client.app.state.disclosure.exporter.clip_source = no_footage
    own, police = approved(api, legal_basis="self_disclosure"), approved(api)
    sign_in(api, "op-roads")
    page = api.client.get(f"/console/requests/{own['id']}")
    assert 'name="box-bridge-1"' in page.text and f'data-still="/console/requests/{own["id"]}/still/bridge-1"' in page.text
    assert "mark.js" in page.text
    assert 'name="box-bridge-1"' not in api.client.get(f"/console/requests/{police['id']}").text
    assert api.client.get(f"/console/requests/{police['id']}/still/bridge-1?frame=0").status_code == 403
    assert api.client.get(f"/console/requests/{own['id']}/still/bridge-2?frame=0").status_code == 403  # not its camera
