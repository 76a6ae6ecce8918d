"""Wire the counter to real adapters (tests build CounterService with their own)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from roadcam.common import topics
from roadcam.common.blobs import RedisBlobStore
from roadcam.common.bus import BusConsumer, BusProducer, wait_for_topics
from roadcam.common.camconfig import load_config
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.errors import ModelMissingError
from roadcam.common.video_feed import VideoFeed
from roadcam.counter.detector import YoloDetector
from roadcam.counter.engine import CountingEngine
from roadcam.counter.outputs import OUTPUT_TOPICS, CountPublisher
from roadcam.counter.service import CounterService
from roadcam.counter.settings import Settings

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
    password = settings.kafka_sasl_password
    await wait_for_topics(settings.kafka, password, [topics.VIDEO, *OUTPUT_TOPICS])
    redis = aioredis.from_url(settings.redis_url.get_secret_value())
    producer = BusProducer(settings.kafka, password, client_id=f"roadcam-counter-{settings.instance}")
    await producer.start()
    consumer = None
    try:
        names = {(c.id, line.id): (line.pos_name, line.neg_name) for c in cameras.values() for line in c.counting_lines}
        publisher = CountPublisher(producer, redis, settings.census_classes, names, settings.tally_ttl_s)
        feed = engine = None
        if detector is not None:  # without a model no video is consumed (offsets stay for a fixed replica)
            consumer = BusConsumer(settings.kafka, password, [topics.VIDEO], settings.group_id,
                                   from_beginning=settings.from_beginning,
                                   session_timeout_ms=settings.session_timeout_ms)
            await consumer.start()
            blobs = RedisBlobStore(redis, settings.payload.ttl_seconds) if settings.payload.mode == "redis" else None
            feed = VideoFeed(consumer, blobs, settings.target_fps, wanted=lambda camera_id: camera_id in cameras)
            engine = CountingEngine(cameras, detector, settings.counting, settings.target_fps,
                                    queue_interval_s=settings.queue_interval_s)
        try:
            yield CounterService(settings, feed, engine, publisher, model_error,
                                 consumer.assignment if consumer else None)
        finally:
            if consumer is not None:
                await consumer.stop()
    finally:
        await producer.stop()
        await redis.aclose()
