"""Wire the anonymizer to real adapters (tests build AnonymizerService with their own)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis

from roadcam.anonymizer.channel import CameraChannel
from roadcam.anonymizer.models import build_detectors
from roadcam.anonymizer.pipeline import FrameAnonymizer
from roadcam.anonymizer.service import AnonymizerService
from roadcam.anonymizer.settings import Settings
from roadcam.anonymizer.store import RedisStateRepo, S3Sink, make_minio
from roadcam.common import topics
from roadcam.common.blobs import RedisBlobStore
from roadcam.common.bus import BusConsumer, wait_for_topics
from roadcam.common.camconfig import load_config
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.errors import ModelMissingError
from roadcam.common.video_feed import VideoFeed

log = logging.getLogger(__name__)


def make_anonymizer(settings: Settings, camera: CameraConfig) -> tuple[FrameAnonymizer | None, str | None]:
    """The camera's anonymizer, or None and the reason (fail closed, never a crash)."""
    d = settings.detection
    try:
        detectors = build_detectors(d)
    except ModelMissingError as exc:
        log.error("camera %s: public view stays paused: %s", camera.id, exc)
        return None, str(exc)
    return FrameAnonymizer(camera, detectors, d.hold_s, d.growth_per_s, d.detect_max_width, d.frame_timeout_s,
                           vehicle_plate_min_px=d.vehicle_plate_min_px), None


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[AnonymizerService]:
    config = load_config(settings.config_file)
    cameras = [c for c in config.cameras if c.publishes]
    log.info("%d of %d cameras publish a public view", len(cameras), len(config.cameras))
    password = settings.kafka_sasl_password
    await wait_for_topics(settings.kafka, password, [topics.VIDEO])
    redis = aioredis.from_url(settings.redis_url.get_secret_value())
    sink = S3Sink(make_minio(settings.s3, settings.s3_secret_key.get_secret_value()), settings.public_bucket)
    repo = RedisStateRepo(redis)
    channels = {}
    for camera in cameras:
        anonymizer, error = make_anonymizer(settings, camera)
        channels[camera.id] = CameraChannel(camera, anonymizer, error, settings.hls, sink, repo, settings.instance)
    consumer = BusConsumer(settings.kafka, password, [topics.VIDEO], settings.group_id,
                           session_timeout_ms=settings.session_timeout_ms)
    await consumer.start()
    try:
        blobs = RedisBlobStore(redis, settings.payload.ttl_seconds) if settings.payload.mode == "redis" else None
        fps = max((c.public_view.fps for c in cameras), default=10.0)
        feed = VideoFeed(consumer, blobs, fps, wanted=lambda camera_id: camera_id in channels)
        yield AnonymizerService(feed, channels)
    finally:
        await consumer.stop()
        await redis.aclose()
