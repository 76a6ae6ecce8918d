"""A camera's view health from the counter's bus message on the console camera page (issue 14):
real Kafka (tansu), the api's bootstrap and uvicorn, signed in through the console's own form."""
from __future__ import annotations

import asyncio
import html
from pathlib import Path

import httpx
import pytest

from roadcam.common import topics
from roadcam.common.bus import BusRecord, wait_for_topics
from roadcam.common.settings import KafkaSettings
from services.api.messages import TOPICS
from services.counter import messages as counter_messages
from services.counter.engine import CameraView
from tests.integration.api.test_bus_and_service import PASSWORD, api_settings, publish
from tests.integration.api.test_count_quality_bus import serve_until
from tests.integration.console.consolekit import csrf_of
from tests.unit.api.apikit import T0_US

pytestmark = pytest.mark.slow
FAULTY_SINCE_US = T0_US - 120_000_000  # 08:58 JST


def view_records() -> list[BusRecord]:
    """The counter's reports: healthy at first, then dark and frozen (twice: the second keeps the start)."""
    views = [CameraView("bridge-1", T0_US - 600_000_000, (), False, ("main",)),
             CameraView("bridge-1", FAULTY_SINCE_US, ("dark", "frozen"), True, ("main",)),
             CameraView("bridge-1", T0_US - 60_000_000, ("dark", "frozen"), True, ("main",)),
             CameraView("bridge-2", T0_US - 60_000_000, (), True, ("main",))]
    return [BusRecord(topics.VIEW_HEALTH, v.camera_id, 0, v.camera_id, counter_messages.view_health(v), 0)
            for v in views]


def camera_page_when_judged(base: str) -> tuple[str, str] | None:
    with httpx.Client(base_url=base, timeout=20, headers={"Origin": base}) as client:
        login = client.get("/console/login")
        client.post("/console/login", data={"csrf": csrf_of(login.text), "username": "admin", "password": PASSWORD,
                                            "next": "/console"})
        page = client.get("/console/cameras/bridge-1")
        assert page.status_code == 200, page.text[:500]
        if 'data-fault="frozen"' not in page.text:
            return None
        return page.text, client.get("/console/cameras/table", params={"lang": "en"}).text


def test_view_health_from_the_bus_shows_on_the_console_camera_page(tmp_path: Path,
                                                                   kafka_settings: KafkaSettings) -> None:
    asyncio.run(wait_for_topics(kafka_settings, None, TOPICS))
    asyncio.run(publish(kafka_settings, view_records()))
    page, table_en = asyncio.run(serve_until(api_settings(tmp_path, kafka_settings, "view-health"),
                                             camera_page_when_judged))
    cell = html.unescape(page.split('class="view-health"', 1)[1].split("</td>", 1)[0])
    assert 'data-state="faulty"' in cell and "映像停止" in cell and "暗い" in cell
    assert "08:58" in cell  # since the first report of these faults, not the latest
    row2 = table_en.split('id="row-bridge-2"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="ok"' in row2 and 'data-fault="ok"' in row2
    row3 = table_en.split('id="row-station-1"', 1)[1].split("</tr>", 1)[0]
    assert "view-health" in row3 and 'data-fault' not in row3  # counts nothing: no diagnosis to show
