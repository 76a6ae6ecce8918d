"""Live public-view configuration (issue 10): documents from the config topic -> each channel.

Fail closed: a camera is held (slate) from the moment a newer document arrives until its new
anonymizer (new privacy masks, public view) is installed, so no frame rendered with the old
masks is published after the change. A document that does not validate keeps the camera
paused; a removed camera, or one that stops publishing, stays on the slate.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.config_feed import ConfigChange
from services.anonymizer.channel import CameraChannel
from services.anonymizer.pipeline import FrameAnonymizer

log = logging.getLogger(__name__)
BuildAnonymizer = Callable[[CameraConfig], tuple[FrameAnonymizer | None, str | None]]


class LiveMasks:
    def __init__(self, channels: dict[str, CameraChannel], build: BuildAnonymizer) -> None:
        self._channels, self._build = channels, build

    async def received(self, camera_id: str) -> None:
        channel = self._channels.get(camera_id)
        if channel is not None:  # the hold waits for a frame being rendered, so not in the event loop
            await asyncio.to_thread(channel.hold, "config_change", "applying a configuration change")

    async def apply(self, change: ConfigChange) -> None:
        channel = self._channels.get(change.camera_id)
        if channel is None:
            if change.config is not None and change.config.publishes:
                log.warning("camera %s: new publishing camera; its public view starts after a restart", change.camera_id)
            return
        config = change.config
        if config is None or not config.publishes:
            await asyncio.to_thread(channel.hold, "withdrawn", "camera removed or no longer publishes")
            return
        if config.model_dump() == channel.camera.model_dump():
            await asyncio.to_thread(channel.resume)
            return
        anonymizer, error = await asyncio.to_thread(self._build, config)
        await asyncio.to_thread(channel.install, config, anonymizer, error)
        log.info("camera %s: configuration version %d in force (%d privacy masks)", change.camera_id,
                 change.version, len(config.privacy_masks))

    async def reject(self, camera_id: str, reason: str) -> None:
        channel = self._channels.get(camera_id)
        if channel is not None:
            await asyncio.to_thread(channel.hold, "config_invalid", f"configuration rejected: {reason}")
