"""Configuration in the console (issue 10): same validation as the YAML file, errors shown, a reason
and a diff for every change, audited, managers only, stale edits refused."""
from __future__ import annotations

import html
import json
import re

from services.api.auth.roles import Role
from tests.integration.console.consolekit import csrf_of, sign_in
from tests.unit.api.apikit import Api

_EDITOR = re.compile(r'<textarea name="editor" id="editor"[^>]*>(.*?)</textarea>', re.S)


def _open(api: Api, camera_id: str = "bridge-1") -> tuple[dict, dict]:
    page = api.client.get(f"/console/cameras/{camera_id}/config")
    assert page.status_code == 200, page.text
    version = re.search(r'name="base_version" value="(\d+)"', page.text).group(1)
    camera = json.loads(html.unescape(_EDITOR.search(page.text).group(1)))
    return camera, {"csrf": csrf_of(page.text), "base_version": version}


def _post(api: Api, form: dict, camera: dict, **extra):
    body = {**form, "editor": json.dumps(camera, ensure_ascii=False), **extra}
    return api.client.post(f"/console/cameras/{camera['id']}/config", data=body, follow_redirects=False)


def test_a_manager_adds_a_line_with_a_reason_and_it_is_versioned_and_audited(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    sign_in(api, "boss")
    camera, form = _open(api)
    camera["counting_lines"].append({"id": "stop-line", "start": [10, 300], "end": [600, 300],
                                     "pos_name": "前橋方面", "neg_name": "高崎方面"})
    camera["privacy_masks"] = [{"name": "民家の窓", "polygon": [[0, 0], [100, 0], [100, 80]]}]
    preview = _post(api, form, camera, action="preview", reason="")
    diff = html.unescape(re.search(r'<pre class="diff" id="diff">(.*?)</pre>', preview.text, re.S).group(1))
    assert "+  - id: stop-line" in diff and "+  - name: 民家の窓" in diff and "bridge-2" not in diff
    assert _post(api, form, camera, action="save", reason="").status_code == 422
    saved = _post(api, form, camera, action="save", reason="停止線で計測するため")
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=2")
    stored = api.client.get("/console/cameras/bridge-1/config?saved=2").text
    assert "stop-line" in html.unescape(stored) and "停止線で計測するため" in stored
    entry = [e for e in api.parts.audit.iter_all() if e.record.action == "config_change"][-1]
    assert (entry.record.actor, entry.record.camera_id, entry.record.reason) == ("boss", "bridge-1", "停止線で計測するため")
    assert "stop-line" in entry.record.details["diff"]


def test_invalid_changes_show_the_field_and_store_nothing(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    sign_in(api, "boss")
    camera, form = _open(api)
    camera["retention_days"] = 45
    camera["counting_lines"].append({"id": "out", "start": [0, 0], "end": [5000, 0], "pos_name": "a", "neg_name": "b"})
    r = _post(api, form, camera, action="save", reason="test")
    assert r.status_code == 422
    errors = html.unescape(re.search(r'<ul class="error field-errors".*?</ul>', r.text, re.S).group(0))
    assert "retention_days" in errors
    assert _post(api, form, {**camera, "id": "bridge-2"}, action="save", reason="x").status_code in (404, 422)
    r = api.client.post("/console/cameras/bridge-1/config", data={**form, "editor": "{not json", "action": "preview"})
    assert r.status_code == 422 and "JSON" in r.text
    assert "saved=" not in r.text and not [e for e in api.parts.audit.iter_all() if e.record.action == "config_change"]


def test_stale_edit_is_refused(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    sign_in(api, "boss")
    camera, form = _open(api)
    camera["name"] = "First"
    assert _post(api, form, camera, action="save", reason="one").status_code == 303
    camera["name"] = "Second"
    assert _post(api, form, camera, action="save", reason="two").status_code == 409


def test_only_managers_change_configuration(api: Api) -> None:
    api.add_account("op", Role.OPERATOR)
    sign_in(api, "op")
    camera, form = _open(api)
    assert _post(api, form, camera, action="save", reason="x").status_code == 403
    api.client.cookies.clear()
    api.add_account("ana", Role.ANALYST)
    sign_in(api, "ana")
    assert api.client.get("/console/cameras/bridge-1/config").status_code == 403
    assert api.client.get("/console/cameras/bridge-1/snapshot.jpg").status_code == 403
