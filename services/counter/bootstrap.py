"""Wire the counter to real adapters (tests build CounterService with their own)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from roadcam.common import topics
from roadcam.common.camconfig import load_config
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.config_feed import ConfigFeed
from roadcam.common.errors import ModelMissingError
from roadcam.common.video_feed import VideoFeed
from roadcam.common.wiring import wiring
from services.counter.detector import YoloDetector
from services.counter.engine import CountingEngine
from services.counter.live_config import LiveCounting
from services.counter.messages import config_document
from services.counter.publisher import OUTPUT_TOPICS, CountPublisher
from services.counter.service import CounterService
from services.counter.settings import Settings

log = logging.getLogger(__name__)


def counting_cameras(settings: Settings) -> dict[str, CameraConfig]:
    config = load_config(settings.config_file)
    return {c.id: c for c in config.cameras if c.counts and c.counting_lines}


def load_detector(settings: Settings) -> tuple[YoloDetector | None, str | None]:
    try:
        return YoloDetector.load(settings.model, threads=settings.detector_threads, imgsz=settings.imgsz,
                                 min_keep=settings.tile_min_keep), None
    except ModelMissingError as exc:
        log.error("%s (set ROADCAM_COUNTER_MODEL)", exc)
        return None, str(exc)


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[CounterService]:
    cameras = counting_cameras(settings)
    log.info("counting %d cameras: %s", len(cameras), ", ".join(cameras) or "none")
    detector, model_error = load_detector(settings)
    async with wiring(settings) as wire:
        await wire.topics([topics.VIDEO, topics.CAMERA_CONFIG, *OUTPUT_TOPICS])
        names = {(c.id, line.id): (line.pos_name, line.neg_name) for c in cameras.values() for line in c.counting_lines}
        publisher = CountPublisher(await wire.producer(), await wire.redis(), settings.census_classes, names,
                                   settings.tally_ttl_s)
        if detector is None:  # without a model no video is consumed (offsets stay for a fixed replica)
            yield CounterService(settings, None, None, publisher, model_error, None)
            return
        consumer = wire.consumer([topics.VIDEO], from_beginning=settings.from_beginning)
        await wire.start(consumer)
        feed = VideoFeed(consumer, await wire.blobs(), settings.target_fps, wanted=lambda camera_id: camera_id in cameras,
                         skip_unreferenced=True)
        engine = CountingEngine(cameras, detector, settings.counting, settings.target_fps,
                                queue_interval_s=settings.queue_interval_s)
        await wire.start(ConfigFeed(settings, config_document, LiveCounting(cameras, engine, names)))
        yield CounterService(settings, feed, engine, publisher, model_error, consumer.assignment)
