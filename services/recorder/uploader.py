"""Stores queued sealed segments in S3 in order, retrying until S3 takes them, then announces
each on roadcam.segments.v1 and moves the commit watermark."""
from __future__ import annotations

import asyncio
import logging

from roadcam.common import topics
from roadcam.common.backoff import Backoff
from roadcam.common.bus import BusProducer
from services.recorder import messages, metrics
from services.recorder.chain import SegmentMeta, day_of
from services.recorder.commit_watermark import CommitWatermark
from services.recorder.holds import HoldBook
from services.recorder.keyring import DataKeyRing
from services.recorder.sealer import SealedSegment, store_sealed
from services.recorder.storage import RecordingStore
from services.recorder.uploads import UploadQueue

log = logging.getLogger(__name__)


class Uploader:
    def __init__(self, queue: UploadQueue, store: RecordingStore, keyring: DataKeyRing, holds: HoldBook,
                 producer: BusProducer, watermark: CommitWatermark, retry_max_s: float) -> None:
        self._queue, self._store, self._keyring, self._holds = queue, store, keyring, holds
        self._producer, self._watermark, self._retry_max_s = producer, watermark, retry_max_s
        self.s3_ok = True

    async def run(self) -> None:
        while True:
            sealed = await self._queue.peek()
            await self._store_with_retry(sealed)
            await self._queue.pop()
            metrics.BUFFERED_BYTES.set(self._queue.bytes)
            metrics.SPILLED_BYTES.set(self._queue.spilled_bytes)
            await self._announce(sealed)
            await self._watermark.commit()

    async def _store_with_retry(self, sealed: SealedSegment) -> None:
        backoff = Backoff(initial=0.2, maximum=self._retry_max_s)
        meta = sealed.meta
        while True:
            try:
                held = self._holds.held(meta.camera_id, meta.start_us, meta.end_us)
                await asyncio.to_thread(store_sealed, self._store, self._keyring, sealed, held)
                if not held and self._holds.held(meta.camera_id, meta.start_us, meta.end_us):
                    await asyncio.to_thread(self._late_hold, meta)  # a hold arrived meanwhile
                self.s3_ok = True
                metrics.SEGMENTS_STORED.labels(meta.camera_id).inc()
                metrics.BYTES_STORED.labels(meta.camera_id).inc(len(sealed.blob))
                return
            except Exception as exc:  # noqa: BLE001 - any S3/network failure: keep it and retry
                self.s3_ok = False
                metrics.UPLOAD_FAILURES.inc()
                delay = backoff.next_delay()
                log.warning("S3 store of %s failed (%s); %d segments buffered; retry in %.1fs",
                            meta.object_key, exc, len(self._queue), delay)
                await asyncio.sleep(delay)

    def _late_hold(self, meta: SegmentMeta) -> None:
        self._store.set_hold(meta.object_key, True)
        self._keyring.pin_day(meta.camera_id, day_of(meta.start_us), True)

    async def _announce(self, sealed: SealedSegment) -> None:
        camera_id = sealed.meta.camera_id
        try:
            delivery = await self._producer.send(topics.SEGMENTS, camera_id, messages.segment_notice(sealed))
        except Exception as exc:  # noqa: BLE001 - the segment is stored; the notice is advisory
            log.warning("camera %s: segment notice not sent: %s", camera_id, exc)
            return
        # Not awaited (storing goes on), but its failure is read: an unread one is logged as an
        # asyncio ERROR ("Future exception was never retrieved"), seen after a broker restart.
        delivery.add_done_callback(lambda done: _notice_delivered(camera_id, done))


def _notice_delivered(camera_id: str, delivery: asyncio.Future) -> None:
    if not delivery.cancelled() and delivery.exception() is not None:
        log.warning("camera %s: segment notice not acknowledged by the bus: %s", camera_id, delivery.exception())
