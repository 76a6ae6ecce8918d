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
from services.recorder.sealer import ChainHead, load_head, newer_head, seal
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
        """Resume every camera from its chain head (blocking: run in a thread). The newer of the
        stored head and the one held here wins: after a rebalance while S3 was away, segments this
        replica sealed may still be queued, and the chain must continue after them."""
        for camera in self.cameras.values():
            head = newer_head(load_head(self._store, camera.id), self._heads.get(camera.id))
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

    async def flush_open(self, why: str = "shutdown") -> None:
        """Seal the open segments early (shorter segments) into the upload queue. At shutdown, and
        when partitions are revoked: the next owner may never see those messages again (a restarted
        in-memory broker forgets them), so they are stored here; a re-delivery to the next owner is
        skipped by the chain head it loads, or at worst recorded twice, never lost."""
        for segmenter in self._segmenters.values():
            segment = segmenter.flush()
            if segment is not None:
                log.info("%s: %s: storing the open segment %d-%d early", segment.camera_id, why,
                         segment.packets[0].seq, segment.last.seq)
                await self._enqueue(segment)

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
