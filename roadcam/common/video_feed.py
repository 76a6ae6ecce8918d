"""What the anonymizer and counter consume: decoded frames of many cameras from the video topic.

Decoding runs in a worker thread so the event loop (heartbeats, other I/O) stays responsive.
Offsets are committed by the caller after it has handled the frames (`commit()`).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from roadcam.common.blobs import BlobStore
from roadcam.common.bus import BusConsumer
from roadcam.common.decoder import CameraDecoder, DecodedFrame, StreamEvent
from roadcam.common.errors import BusError
from roadcam.common.media import PacketBatch
from roadcam.common.video_bus import decode_batch

log = logging.getLogger(__name__)


@dataclass
class FeedBatch:
    frames: list[DecodedFrame] = field(default_factory=list)
    events: list[StreamEvent] = field(default_factory=list)


class VideoFeed:
    def __init__(
        self, consumer: BusConsumer, blobs: BlobStore | None, target_fps: float | None,
        wanted: Callable[[str], bool] = lambda camera_id: True, skip_unreferenced: bool = False,
    ) -> None:
        self._consumer, self._blobs = consumer, blobs
        self._fps, self._skip_unreferenced = target_fps, skip_unreferenced
        self._wanted = wanted
        self.decoders: dict[str, CameraDecoder] = {}

    async def batches(self) -> AsyncIterator[FeedBatch]:
        """One FeedBatch per bus fetch (possibly empty, so callers can do timed work)."""
        async for records in self._consumer.batches():
            out = FeedBatch()
            batches: list[PacketBatch] = []
            for record in records:
                if not self._wanted(record.key):
                    continue
                try:
                    batches.append(await decode_batch(record.value, self._blobs))
                except BusError as exc:
                    out.events.append(self._decoder(record.key).note_lost(str(exc)))
                except Exception as exc:  # noqa: BLE001 - a malformed message is skipped, loudly
                    log.error("camera %s: unreadable video message at %s:%d: %s", record.key, record.partition, record.offset, exc)
                    out.events.append(self._decoder(record.key).note_lost(f"unreadable message: {exc}"))
            if batches:
                frames, events = await asyncio.to_thread(self._decode_all, batches)
                out.frames += frames
                out.events += events
            yield out

    async def commit(self) -> None:
        await self._consumer.commit()

    def _decoder(self, camera_id: str) -> CameraDecoder:
        if camera_id not in self.decoders:
            self.decoders[camera_id] = CameraDecoder(camera_id, self._fps, self._skip_unreferenced)
        return self.decoders[camera_id]

    def _decode_all(self, batches: list[PacketBatch]) -> tuple[list[DecodedFrame], list[StreamEvent]]:
        frames: list[DecodedFrame] = []
        events: list[StreamEvent] = []
        for batch in batches:
            f, e = self._decoder(batch.camera_id).feed(batch)
            frames += f
            events += e
        return frames, events
