"""Per recorded camera: its open segment and chain head; finished segments are sealed into the
upload queue in chain order."""
from __future__ import annotations

import asyncio
import logging

from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.errors import RoadcamError
from roadcam.common.media import PacketBatch
from services.recorder import metrics
from services.recorder.keyring import DataKeyRing
from services.recorder.sealer import ChainHead, load_head, seal
from services.recorder.segmenter import BusRef, Segment, Segmenter
from services.recorder.storage import RecordingStore
from services.recorder.uploads import UploadQueue

log = logging.getLogger(__name__)


class CameraChains:
    def __init__(self, cameras: list[CameraConfig], store: RecordingStore, keyring: DataKeyRing,
                 queue: UploadQueue) -> None:
        self.cameras = {c.id: c for c in cameras if c.records}  # P1: nobody else is recorded
        self._store, self._keyring, self._queue = store, keyring, queue
        self._segmenters: dict[str, Segmenter] = {}
        self._heads: dict[str, ChainHead] = {}
        self._sealing: list[BusRef] = []

    def load(self) -> None:
        """Resume every camera from its stored chain head (blocking: run in a thread)."""
        for camera in self.cameras.values():
            head = load_head(self._store, camera.id)
            self._heads[camera.id] = head
            self._segmenters[camera.id] = Segmenter(camera.id, camera.recording.segment_seconds, head.resume)
        log.info("recording %d cameras: %s", len(self.cameras), ", ".join(sorted(self.cameras)))

    def pending_refs(self) -> list[BusRef]:
        """Bus positions of footage not yet queued for S3 (open or being sealed)."""
        refs = list(self._sealing)
        return refs + [s.open_ref for s in self._segmenters.values() if s.open_ref is not None]

    async def add(self, batch: PacketBatch, ref: BusRef) -> None:
        for segment in self._segmenters[batch.camera_id].add(batch, ref):
            await self._enqueue(segment)

    async def flush_open(self) -> None:
        """Store the open segments early (shutdown)."""
        for segmenter in self._segmenters.values():
            segment = segmenter.flush()
            if segment is not None:
                log.info("%s: storing the open segment %d-%d early", segment.camera_id,
                         segment.packets[0].seq, segment.last.seq)
                await self._enqueue(segment)

    def drop_open(self) -> None:
        """Partitions move: the next owner re-records open segments from the committed offsets."""
        for segmenter in self._segmenters.values():
            dropped = segmenter.flush()  # discarded on purpose
            if dropped is not None:
                log.info("rebalance: open segment of %s from seq %d left to the next owner",
                         segmenter.camera_id, dropped.packets[0].seq)

    async def _enqueue(self, segment: Segment) -> None:
        camera = self.cameras[segment.camera_id]
        # Until it is queued its bus position blocks commits; if cancelled midway it stays so.
        self._sealing.append(segment.first_ref)
        try:
            sealed = await asyncio.to_thread(
                seal, segment, self._heads[camera.id], self._keyring, camera.retention_days)
        except RoadcamError as exc:  # footage the muxer rejects: reported, never blocks the rest
            self._sealing.remove(segment.first_ref)
            metrics.LOST_MESSAGES.inc()
            log.error("camera %s: segment at %d cannot be stored: %s", camera.id, segment.start_us, exc)
            return
        self._heads[camera.id] = ChainHead.of(sealed.meta)
        await self._queue.put(sealed)
        self._sealing.remove(segment.first_ref)
        metrics.BUFFERED_BYTES.set(self._queue.bytes)
        metrics.SPILLED_BYTES.set(self._queue.spilled_bytes)
