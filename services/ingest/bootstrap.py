"""Wire the ingest service to real adapters (tests build IngestService with their own)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from roadcam.common import topics
from roadcam.common.blobs import RedisBlobStore
from roadcam.common.bus import BusProducer, wait_for_topics
from roadcam.common.camconfig import load_config
from roadcam.ingest.reporter import HealthReporter
from roadcam.ingest.service import IngestService
from roadcam.ingest.settings import Settings
from roadcam.ingest.sharding import owns

log = logging.getLogger(__name__)


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[IngestService]:
    config = load_config(settings.config_file)
    cameras = [c for c in config.cameras if owns(c.id, settings.shard_index, settings.shard_count)]
    log.info("shard %d/%d pulls %d of %d cameras", settings.shard_index, settings.shard_count, len(cameras), len(config.cameras))
    password = settings.kafka_sasl_password
    await wait_for_topics(settings.kafka, password, [topics.VIDEO, topics.CAMERA_HEALTH])
    redis = aioredis.from_url(settings.redis_url.get_secret_value())
    producer = BusProducer(settings.kafka, password, client_id=f"roadcam-ingest-{settings.instance}")
    await producer.start()
    try:
        blobs = RedisBlobStore(redis, settings.payload.ttl_seconds) if settings.payload.mode == "redis" else None
        reporter = HealthReporter(producer, redis, settings.instance, settings.health_interval_s)
        yield IngestService(settings, cameras, producer, blobs, reporter)
    finally:
        await producer.stop()
        await redis.aclose()
