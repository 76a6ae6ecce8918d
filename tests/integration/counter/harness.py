"""Shared pieces of the counter's integration tests: a camera config, publishing a clip as
ingest would, and reading every message the counter emitted."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import yaml
from aiokafka import AIOKafkaConsumer

from roadcam.common import topics
from roadcam.common.bus import BusProducer
from roadcam.common.settings import KafkaSettings
from roadcam.common.video_bus import encode_batch
from services.counter.offline import file_batches
from services.counter.publisher import OUTPUT_TOPICS

CROSSWALK_LINE = {"id": "crossing", "start": [440, 175], "end": [440, 352], "pos_name": "左へ", "neg_name": "右へ"}
START_US = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z, so bins and tallies have a real date


def write_config(path: Path, camera_id: str = "cam-crosswalk", calibration: dict | None = None) -> Path:
    camera = {
        "id": camera_id, "name": "crosswalk", "source": {"url": "rtsp://127.0.0.1:1/x"},
        "purposes": ["traffic_survey"], "department": "roads", "frame_size": [640, 352],
        "counting_lines": [CROSSWALK_LINE],
        "notice": {"operator": "city", "purpose": "survey", "contact": "x"},
    }
    if calibration:
        camera["calibration"] = calibration
    path.write_text(yaml.safe_dump({"version": 1, "cameras": [camera]}, allow_unicode=True), encoding="utf-8")
    return path


async def publish_clip(kafka: KafkaSettings, clip: Path, camera_id: str) -> None:
    producer = BusProducer(kafka, None, client_id="test-ingest")
    await producer.start()
    try:
        _, batches = file_batches(clip, camera_id, start_us=START_US)
        for batch in batches:
            batch.session_id = "test-session"
            await producer.send(topics.VIDEO, camera_id, await encode_batch(batch, None))
        await producer.flush()
    finally:
        await producer.stop()


async def wait_until(check, timeout_s: float, what) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        await asyncio.sleep(0.2)


async def read_all(kafka: KafkaSettings, topic_list: list[str] | None = None) -> list:
    """Every message on the counter's output topics, from the beginning."""
    consumer = AIOKafkaConsumer(*(topic_list or OUTPUT_TOPICS), bootstrap_servers=kafka.bootstrap_servers,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        records, idle = [], 0
        while idle < 3:
            fetched = await consumer.getmany(timeout_ms=500)
            got = [r for part in fetched.values() for r in part]
            records += got
            idle = 0 if got else idle + 1
        return records
    finally:
        await consumer.stop()
