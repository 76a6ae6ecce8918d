"""The video bus side: consume batches into the camera chains, and hand chains over cleanly when
partitions move between replicas (never two writers per chain)."""
from __future__ import annotations

import asyncio
import logging

from roadcam.common.blobs import BlobStore
from roadcam.common.bus import BusRecord
from roadcam.common.errors import BusError
from roadcam.common.video_bus import decode_batch
from services.recorder import metrics
from services.recorder.camera_chains import CameraChains
from services.recorder.commit_watermark import CommitWatermark
from services.recorder.consumer import ExplicitConsumer
from services.recorder.holds import HoldBook
from services.recorder.uploads import UploadQueue

log = logging.getLogger(__name__)
DRAIN_TIMEOUT_S = 20.0


class VideoIntake:
    def __init__(self, consumer: ExplicitConsumer, blobs: BlobStore | None, chains: CameraChains,
                 holds: HoldBook, queue: UploadQueue, watermark: CommitWatermark) -> None:
        self._consumer, self._blobs, self._chains, self._holds = consumer, blobs, chains, holds
        self._queue, self._watermark = queue, watermark
        self.started = False
        self._batch_lock = asyncio.Lock()  # a rebalance waits for the batch being handled
        consumer.on_rebalance(self._on_revoked, self._on_assigned)

    def load(self) -> None:
        """Holds and chain heads from the store (blocking: run in a thread)."""
        self._holds.load()
        self._chains.load()

    async def run(self, stop: asyncio.Event) -> None:
        async for records in self._consumer.batches(max_records=200):
            async with self._batch_lock:
                for record in records:
                    await self._handle(record)
                await self._watermark.commit()
            if stop.is_set():
                return

    async def _handle(self, record: BusRecord) -> None:
        self._watermark.seen((record.partition, record.offset))
        if record.key not in self._chains.cameras:
            return  # not a recorded camera: skipped without fetching its video
        try:
            batch = await decode_batch(record.value, self._blobs)
        except (BusError, ValueError) as exc:  # claim-check expired, or not a VideoChunk
            metrics.LOST_MESSAGES.inc()
            log.error("camera %s: message %d/%d unusable, footage lost: %s", record.key, record.partition, record.offset, exc)
            return
        if batch.camera_id != record.key:
            log.error("message %d/%d: key %s but camera %s; skipped", record.partition, record.offset, record.key, batch.camera_id)
            return
        await self._chains.add(batch, (record.partition, record.offset))

    async def _on_revoked(self) -> None:
        """Partitions move: seal the open segments, store what is queued, then commit. The next
        owner may not get those messages again (a restarted in-memory broker lost them), so
        nothing held here is left to it; what it re-reads the chain head lets it skip."""
        async with self._batch_lock:
            await self._chains.flush_open("rebalance")
            try:
                await asyncio.wait_for(self._queue.drained(), DRAIN_TIMEOUT_S)
            except asyncio.TimeoutError:
                log.warning("rebalance while S3 is unreachable: %d segments still queued", len(self._queue))
            await self._watermark.commit()
            self._watermark.forget()

    async def _on_assigned(self) -> None:
        """Chain heads may have moved on while another replica recorded: reload them."""
        if self.started:
            async with self._batch_lock:
                await asyncio.to_thread(self.load)
