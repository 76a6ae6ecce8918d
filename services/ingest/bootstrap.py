"""Wire the ingest service to real adapters (tests build IngestService with their own)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from roadcam.common import topics
from roadcam.common.camconfig import load_config
from roadcam.common.wiring import wiring
from services.ingest.reporter import HealthReporter
from services.ingest.service import IngestService
from services.ingest.settings import Settings
from services.ingest.sharding import owns

log = logging.getLogger(__name__)


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[IngestService]:
    config = load_config(settings.config_file)
    cameras = [c for c in config.cameras if owns(c.id, settings.shard_index, settings.shard_count)]
    log.info("shard %d/%d pulls %d of %d cameras", settings.shard_index, settings.shard_count, len(cameras), len(config.cameras))
    async with wiring(settings) as wire:
        await wire.topics([topics.VIDEO, topics.CAMERA_HEALTH])
        producer = await wire.producer()
        reporter = HealthReporter(producer, await wire.redis(), settings.instance, settings.health_interval_s)
        yield IngestService(settings, cameras, producer, await wire.blobs(), reporter)
