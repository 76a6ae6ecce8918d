"""The api publishes configuration on the compacted config topic (issue 10): every camera of the
current version at start, then one keyed message per camera a console change touched."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from roadcam.common import topics
from roadcam.common.settings import KafkaSettings
from roadcam.v1 import config_pb2
from services.api.bootstrap import bootstrap
from services.api.console.config_versions import ConfigVersions, parse_document, with_camera
from tests.integration.api.test_bus_and_service import api_settings

pytestmark = pytest.mark.slow


async def read_all(kafka: KafkaSettings, want: int, timeout_s: float = 30) -> list:
    consumer = AIOKafkaConsumer(topics.CAMERA_CONFIG, bootstrap_servers=kafka.bootstrap_servers,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while len(found) < want and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                found += [(r.key.decode(), config_pb2.CameraConfigDocument.FromString(r.value)) for r in records]
    finally:
        await consumer.stop()
    return found


async def scenario(settings, kafka: KafkaSettings) -> tuple[list, list]:  # noqa: SLF001 - the app inside
    async with bootstrap(settings) as service:
        seeded = await read_all(kafka, 3)
        versions = ConfigVersions(service._app.state.parts.engine)
        current = versions.latest()
        raw, _ = parse_document(current.document)
        camera = raw["cameras"][1]
        camera["counting_lines"][0]["pos_name"] = "東京方面"
        stored = versions.add(with_camera(current.document, camera), "boss", "方向名", 1, camera["id"],
                              base_version=current.version)
        sent = await service._app.state.config_publisher.publish(stored)
        assert [c.camera_id for c in sent] == ["bridge-2"]
        after = await read_all(kafka, 4)
    return seeded, after


def test_config_topic_carries_the_seed_then_each_change(tmp_path: Path, kafka_settings: KafkaSettings) -> None:
    settings = api_settings(tmp_path, kafka_settings, "api-config-topic")
    seeded, after = asyncio.run(scenario(settings, kafka_settings))
    assert sorted(key for key, _ in seeded) == ["bridge-1", "bridge-2", "station-1"]
    assert all(doc.version == 1 and doc.changed_by == "system" for _, doc in seeded)
    changed = [(key, doc) for key, doc in after if doc.version == 2]  # partitions interleave: pick by version
    assert len(changed) == 1
    key, doc = changed[0]
    assert key == doc.camera_id == "bridge-2" and doc.version == 2 and doc.reason == "方向名" and not doc.removed
    assert json.loads(doc.config_json)["counting_lines"][0]["pos_name"] == "東京方面"
