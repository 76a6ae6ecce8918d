"""Publish camera configuration documents on roadcam.camera-config.v1 as the api does (issue 10)."""
from __future__ import annotations

import json
import time

from roadcam.common import topics
from roadcam.common.bus import BusProducer
from roadcam.common.settings import KafkaSettings
from roadcam.v1 import config_pb2


def config_message(camera: dict, version: int, config_json: str | None = None) -> bytes:
    return config_pb2.CameraConfigDocument(
        camera_id=camera["id"], version=version, config_json=config_json or json.dumps(camera, ensure_ascii=False),
        changed_time_us=int(time.time() * 1e6), changed_by="test", reason="test change",
    ).SerializeToString()


async def publish_config(kafka: KafkaSettings, key: str, *messages: bytes) -> None:
    producer = BusProducer(kafka, None, client_id="test-api")
    await producer.start()
    try:
        for message in messages:
            await producer.send_and_wait(topics.CAMERA_CONFIG, key, message)
    finally:
        await producer.stop()
