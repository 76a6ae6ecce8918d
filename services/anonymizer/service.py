"""The anonymizer service: decoded frames of the publishing cameras -> one CameraChannel each."""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from services.anonymizer.channel import CameraChannel
from roadcam.common.video_feed import VideoFeed
from roadcam.common.tasks import cancel_and_wait

log = logging.getLogger(__name__)
_TICK_S = 0.25


class AnonymizerService:
    def __init__(self, feed: VideoFeed, channels: dict[str, CameraChannel]) -> None:
        self._feed, self.channels = feed, channels
        self._running = False

    def ready(self) -> tuple[bool, dict]:
        cameras = {cid: {"live": ch.live, "reason": ch.reason, "segments": ch.segments_written}
                   for cid, ch in self.channels.items()}
        # Paused cameras are reported, not "unready": the slate is the correct output then.
        return self._running, {"cameras": cameras}

    async def run(self, stop: asyncio.Event) -> None:
        self._running = True
        consume = asyncio.create_task(self._consume())
        idle = asyncio.create_task(self._idle_loop())
        stopped = asyncio.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait({consume, idle, stopped}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not stopped:
                    task.result()  # re-raise a crash of the loops
        finally:
            self._running = False
            await cancel_and_wait((consume, idle, stopped))

    async def _consume(self) -> None:
        async for batch in self._feed.batches():
            for event in batch.events:
                channel = self.channels.get(event.camera_id)
                if channel is not None:
                    channel.on_gap(f"{event.kind}: {event.detail}")
            by_camera = defaultdict(list)
            for frame in batch.frames:
                if frame.camera_id in self.channels:
                    by_camera[frame.camera_id].append(frame)
            for camera_id, frames in by_camera.items():
                channel = self.channels[camera_id]
                for frame in frames:
                    try:
                        await channel.run_in_thread(frame.image, frame.capture_time_us)
                    except Exception as exc:  # noqa: BLE001 - one camera's storage trouble must not stop others
                        log.error("camera %s: publishing failed: %s", camera_id, exc)
            await self._feed.commit()  # only after the frames were handled

    async def _idle_loop(self) -> None:
        while True:
            await asyncio.sleep(_TICK_S)
            for channel in self.channels.values():
                try:
                    for segment in await asyncio.to_thread(channel.idle_tick):
                        await channel.publish(segment)
                except Exception as exc:  # noqa: BLE001
                    log.error("camera %s: slate publishing failed: %s", channel.camera.id, exc)
