"""Run the real ingest service in-process against real servers, and read what it publishes."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import redis.asyncio as aioredis
import yaml

from roadcam.common.blobs import RedisBlobStore
from roadcam.common.bus import BusConsumer
from roadcam.common.media import PacketBatch
from roadcam.common.settings import KafkaSettings, PayloadSettings
from roadcam.common.video_bus import decode_batch
from services.ingest.bootstrap import bootstrap
from services.ingest.settings import Settings
from services.ingest.reporter import health_key
from tests.support.services import running_service, wait_for  # noqa: F401 (re-exported)

NOTICE = {"operator": "test", "purpose": "test", "contact": "test"}


def camera(camera_id: str, url: str, **source) -> dict:
    return {
        "id": camera_id, "name": camera_id, "source": {"url": url, **source},
        "purposes": ["road_management"], "department": "test", "notice": NOTICE,
    }


def ingest_settings(tmp_path: Path, cameras: list[dict], kafka: KafkaSettings, redis_url: str, **extra) -> Settings:
    config = tmp_path / "cameras.yaml"
    config.write_text(yaml.safe_dump({"version": 1, "cameras": cameras}))
    return Settings(
        config_file=config, kafka=kafka, redis_url=redis_url, camera_secrets_dir=tmp_path / "secrets",
        payload=PayloadSettings(mode="redis", ttl_seconds=300), health_interval_s=0.5,
        reconnect_initial_s=0.5, reconnect_max_s=4.0, **extra,
    )


def running_ingest(settings: Settings):
    return running_service(bootstrap, settings)


async def health(redis_url: str, camera_id: str) -> dict[str, str]:
    client = aioredis.from_url(redis_url, decode_responses=True)
    try:
        return await client.hgetall(health_key(camera_id))
    finally:
        await client.aclose()


class VideoTopicReader:
    """Reads roadcam.video.v1 from the beginning and resolves claim-checks."""

    def __init__(self, kafka: KafkaSettings, redis_url: str, group: str = "test-reader") -> None:
        self.consumer = BusConsumer(kafka, None, ["roadcam.video.v1"], group, from_beginning=True, session_timeout_ms=2000)
        self.blobs = RedisBlobStore(aioredis.from_url(redis_url), 300)
        self.batches: list[PacketBatch] = []

    async def __aenter__(self) -> VideoTopicReader:
        await self.consumer.start()
        self._iter = self.consumer.batches(timeout_ms=200)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.consumer.stop()

    async def read_for(self, seconds: float) -> list[PacketBatch]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        new: list[PacketBatch] = []
        while loop.time() < deadline:
            for record in await self._iter.__anext__():
                new.append(await decode_batch(record.value, self.blobs))
        self.batches += new
        return new

    async def read_until(self, enough: Callable[[list[PacketBatch]], bool], timeout_s: float) -> bool:
        """Read until `enough(all batches read so far)` holds or timeout_s passes: on a loaded
        machine the same packets only take longer to arrive, so tests wait for what they need."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not enough(self.batches) and loop.time() < deadline:
            for record in await self._iter.__anext__():
                self.batches.append(await decode_batch(record.value, self.blobs))
        return enough(self.batches)
