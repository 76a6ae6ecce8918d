"""The per-camera monitoring flag (X5) and no raw live view for anyone (R6)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from roadcam.common.camconfig.models import CameraConfig
from tests.integration.console.consolekit import sign_in
from tests.unit.api.apikit import Api, camera


def test_monitoring_is_not_permitted_unless_configured() -> None:
    assert CameraConfig.model_validate(camera("c1", "roads")).monitoring_permitted is False
    assert CameraConfig.model_validate({**camera("c1", "roads"), "monitoring_permitted": True}).monitoring_permitted


def test_a_camera_without_an_anonymized_view_cannot_be_monitored() -> None:
    cam = {**camera("c1", "roads", lines=False), "purposes": ["crime_prevention"], "monitoring_permitted": True}
    with pytest.raises(ValidationError, match="raw footage is never watched live"):
        CameraConfig.model_validate(cam)


def test_console_shows_a_live_view_only_where_monitoring_is_permitted(api: Api) -> None:
    sign_in(api, "boss")
    monitored = api.client.get("/console/cameras/bridge-1").text
    assert monitored.count("<video") == 1 and 'data-src="/hls/bridge-1/index.m3u8"' in monitored
    unmonitored = api.client.get("/console/cameras/bridge-2")
    assert unmonitored.status_code == 200
    assert "<video" not in unmonitored.text and 'id="no-monitoring"' in unmonitored.text
    assert "ライブ監視を行いません" in unmonitored.text


def test_notice_says_whether_the_camera_is_monitored(api: Api) -> None:
    assert api.client.get("/api/v1/notices/bridge-1").json()["monitoring_permitted"] is True
    assert api.client.get("/api/v1/notices/bridge-2").json()["monitoring_permitted"] is False


def notice_monitoring(page: str) -> str:
    """The public notice's monitoring entry: its data-permitted value and its text."""
    entry = page.split('id="notice-monitoring" data-permitted="')[1].split("</dd>")[0]
    return entry.replace('">', " ", 1)


def test_public_notice_says_whether_the_camera_is_monitored(api: Api) -> None:
    # Midori 4(2) allows monitoring, Isesaki forbids it: the road user reads which, beside the operator.
    page = api.client.get("/cameras/bridge-1").text
    assert notice_monitoring(page).startswith("yes 行います。職員が匿名化した映像")
    notice = page.split('<dl class="notice">')[1]
    assert notice.index("設置者") < notice.index("ライブ監視") < notice.index("利用目的")
    assert notice_monitoring(api.client.get("/cameras/bridge-2").text).startswith("no 行いません。")
    english = api.client.get("/cameras/bridge-2?lang=en").text
    assert "<dt>Live monitoring</dt>" in english
    assert notice_monitoring(english) == "no None. Staff do not watch this camera live (no monitor)."
    assert notice_monitoring(api.client.get("/cameras/bridge-1?lang=en").text).startswith("yes Yes. Staff may watch")
