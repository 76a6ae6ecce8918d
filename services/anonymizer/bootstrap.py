"""Wire the anonymizer to real adapters (tests build AnonymizerService with their own)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.anonymizer.channel import CameraChannel
from services.anonymizer.detector_set import build_anonymizer
from services.anonymizer.live_config import LiveMasks
from services.anonymizer.messages import config_document
from services.anonymizer.pipeline import FrameAnonymizer
from services.anonymizer.service import AnonymizerService
from services.anonymizer.settings import Settings
from services.anonymizer.playlist_repo import RedisStateRepo
from services.anonymizer.segment_sink import S3Sink, make_minio
from services.anonymizer.view_state import ViewStateWriter
from roadcam.common import topics
from roadcam.common.camconfig import load_config
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.config_feed import ConfigFeed
from roadcam.common.errors import ModelMissingError
from roadcam.common.video_feed import VideoFeed
from roadcam.common.wiring import wiring

log = logging.getLogger(__name__)


def make_anonymizer(settings: Settings, camera: CameraConfig) -> tuple[FrameAnonymizer | None, str | None]:
    """The camera's anonymizer, or None and the reason (fail closed, never a crash)."""
    try:
        return build_anonymizer(camera, settings.detection), None
    except ModelMissingError as exc:
        log.error("camera %s: public view stays paused: %s", camera.id, exc)
        return None, str(exc)


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[AnonymizerService]:
    config = load_config(settings.config_file)
    cameras = [c for c in config.cameras if c.publishes]
    log.info("%d of %d cameras publish a public view", len(cameras), len(config.cameras))
    async with wiring(settings) as wire:
        await wire.topics([topics.VIDEO, topics.CAMERA_CONFIG])
        sink = S3Sink(make_minio(settings.s3, settings.s3_secret_key.get_secret_value()), settings.public_bucket)
        repo = RedisStateRepo(await wire.redis())
        channels = {}
        for camera in cameras:
            anonymizer, error = make_anonymizer(settings, camera)
            channels[camera.id] = CameraChannel(camera, anonymizer, error, settings.hls, sink, repo, settings.instance)
        await wire.start(ConfigFeed(settings, config_document, LiveMasks(channels, lambda c: make_anonymizer(settings, c))))
        await wire.start(ViewStateWriter(channels, sink))
        consumer = wire.consumer([topics.VIDEO])
        await wire.start(consumer)
        fps = max((c.public_view.fps for c in cameras), default=10.0)
        feed = VideoFeed(consumer, await wire.blobs(), fps, wanted=lambda camera_id: camera_id in channels)
        yield AnonymizerService(feed, channels)
