"""Count quality and view health from the counter's own bus messages to the api (issues 10, 14):
real Kafka (tansu), the api's bootstrap and uvicorn on a loopback port, the counter's encoder."""
from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from roadcam.common import topics
from roadcam.common.bus import BusRecord, wait_for_topics
from roadcam.common.settings import KafkaSettings
from services.api.bootstrap import bootstrap
from services.api.messages import TOPICS
from services.api.settings import Settings
from services.counter import messages as counter_messages
from services.counter.bins import BinCount
from services.counter.engine import CameraView
from tests.integration.api.test_bus_and_service import PASSWORD, api_settings, publish
from tests.unit.api.apikit import T0_US

pytestmark = pytest.mark.slow
DAY0 = T0_US - 9 * 3_600_000_000  # 2026-06-01 00:00 JST
FIVE_MIN_US = 300_000_000


def from_counter(topic: str, camera_id: str, value: bytes) -> BusRecord:
    return BusRecord(topic, 0, 0, camera_id, value, 0)


def frozen_bin_records() -> list[BusRecord]:
    """What the counter publishes for a bin its camera was frozen in part of, then a healthy bin."""
    frozen = dict(final=True, quality="degraded", quality_reason="frozen")
    bins = [(BinCount("bridge-1", "main", 1, "car", DAY0, 300, 3, size_basis="image_size", **frozen), "小型車"),
            (BinCount("bridge-1", "main", -1, "", DAY0, 300, 0, **frozen), ""),  # nothing counted: not seen
            (BinCount("bridge-1", "main", 1, "car", DAY0 + FIVE_MIN_US, 300, 6, final=True), "小型車")]
    view = CameraView("bridge-1", DAY0 + 60_000_000, ("frozen",), True, ("main",))
    return ([from_counter(topics.COUNT_BINS, "bridge-1", counter_messages.count_bin(b, census)) for b, census in bins]
            + [from_counter(topics.VIEW_HEALTH, "bridge-1", counter_messages.view_health(view))])


async def serve_until(settings: Settings, probe: Callable[[str], object], deadline_s: float = 90) -> object:
    """Run the api (bootstrap, real bus) until `probe(base_url)` returns something, and return that."""
    stop = asyncio.Event()
    async with bootstrap(settings, clock_us=lambda: T0_US + 60_000_000) as service:  # the test data's day
        task = asyncio.create_task(service.run(stop))
        try:
            while not (service._server and service._server.started):  # noqa: SLF001
                await asyncio.sleep(0.05)
            base = f"http://127.0.0.1:{service.port}"
            async with asyncio.timeout(deadline_s):
                while (found := await asyncio.to_thread(probe, base)) is None:
                    await asyncio.sleep(0.3)
        finally:
            stop.set()
            await task
    return found


def counts_when_stored(base: str) -> tuple[dict, str] | None:
    with httpx.Client(base_url=base, timeout=20) as client:
        token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        params = {"camera": "bridge-1", "bin": 5, "start": "2026-06-01T00:00:00", "end": "2026-06-01T00:10:00"}
        body = client.get("/api/v1/counts", params=params, headers=headers).json()
        if len(body["rows"]) < 3 or body["view_health"][0]["state"] == "unknown":
            return None
        return body, client.get("/api/v1/counts", params={**params, "format": "csv"}, headers=headers).text


def test_a_frozen_bin_from_the_counter_shows_in_counts_json_and_csv(tmp_path: Path,
                                                                     kafka_settings: KafkaSettings) -> None:
    asyncio.run(wait_for_topics(kafka_settings, None, TOPICS))
    asyncio.run(publish(kafka_settings, frozen_bin_records()))
    body, text = asyncio.run(serve_until(api_settings(tmp_path, kafka_settings, "quality"), counts_when_stored))
    assert [(r["bin_start"][11:16], r["direction_name"], r["census_class"], r["count"], r["quality"],
             r["quality_reason"], r["size_basis"]) for r in body["rows"]] == [
        ("00:00", "下り", "", 0, "degraded", "frozen", ""),
        ("00:00", "上り", "小型車", 3, "degraded", "frozen", "image_size"),
        ("00:05", "上り", "小型車", 6, "ok", "", "")]
    (health,) = body["view_health"]
    assert (health["camera_id"], health["state"], health["faults"], health["since"]) == (
        "bridge-1", "faulty", ["frozen"], "2026-06-01T00:01:00+09:00")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["count"], r["quality"], r["quality_reason"], r["size_basis"]) for r in table] == [
        ("0", "degraded", "frozen", ""), ("3", "degraded", "frozen", "image_size"), ("6", "ok", "", "")]
