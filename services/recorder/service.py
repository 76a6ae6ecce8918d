"""The recorder: video bus -> keyframe segments -> seal (mux, hash, chain, encrypt) -> S3.

Offsets are committed only up to the oldest message whose footage is not yet in S3; a crash
re-delivers from there and already-stored packets are skipped by the camera's chain head.
"""
from __future__ import annotations

import asyncio
import logging
from roadcam.common import topics
from roadcam.common.backoff import Backoff
from roadcam.common.blobs import BlobStore
from roadcam.common.bus import BusProducer, BusRecord
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.errors import BusError, RoadcamError
from roadcam.common.video_bus import decode_batch
from roadcam.common.tasks import cancel_and_wait
from services.recorder import metrics
from services.recorder.chain import day_of
from services.recorder.consumer import ExplicitConsumer, OffsetBook
from services.recorder.holds import HoldBook
from services.recorder.housekeeping import Housekeeping
from services.recorder.keyring import DataKeyRing
from services.recorder.sealer import ChainHead, SealedSegment, load_head, seal, store_sealed
from services.recorder.segmenter import Segment, Segmenter
from services.recorder.settings import Settings
from services.recorder.storage import RecordingStore
from services.recorder.uploads import UploadQueue
from roadcam.v1 import recording_pb2

log = logging.getLogger(__name__)
DRAIN_TIMEOUT_S = 20.0


class RecorderService:
    def __init__(self, settings: Settings, cameras: list[CameraConfig], consumer: ExplicitConsumer,
                 producer: BusProducer, blobs: BlobStore | None, store: RecordingStore,
                 keyring: DataKeyRing, holds: HoldBook, housekeeping: Housekeeping) -> None:
        self._settings = settings
        self._cameras = {c.id: c for c in cameras if c.records}  # P1: nobody else is recorded
        self._consumer, self._producer, self._blobs = consumer, producer, blobs
        self._store, self._keyring, self._holds = store, keyring, holds
        self._housekeeping = housekeeping
        self._queue = UploadQueue(settings.buffer_max_bytes, settings.spool_dir, settings.spool_max_bytes)
        self._offsets = OffsetBook()
        self._segmenters: dict[str, Segmenter] = {}
        self._heads: dict[str, ChainHead] = {}
        self._sealing: list[tuple[int, int]] = []
        self._commit_lock = asyncio.Lock()
        self._started = False
        self._s3_ok = True
        self._batch_lock = asyncio.Lock()  # a rebalance waits for the batch being handled
        consumer.on_rebalance(self._on_revoked, self._on_assigned)

    def ready(self) -> tuple[bool, dict]:
        return self._started and self._s3_ok, {
            "cameras": sorted(self._cameras), "s3_ok": self._s3_ok,
            "buffered_segments": len(self._queue), "buffered_bytes": self._queue.bytes,
            "spilled_bytes": self._queue.spilled_bytes,
        }

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.to_thread(self._load_state)
        self._started = True
        consume = asyncio.create_task(self._consume(stop))
        upload = asyncio.create_task(self._upload_loop())
        chores = asyncio.create_task(self._housekeeping.run(stop))
        stopped = asyncio.create_task(stop.wait())
        try:
            # A crashed duty stops the service (the runner exits non-zero, the pod restarts).
            await asyncio.wait([stopped, consume, upload, chores], return_when=asyncio.FIRST_COMPLETED)
            for task in (consume, upload, chores):
                if task.done() and not task.cancelled() and task.exception() is not None:
                    log.error("recorder duty failed: %r", task.exception())
                    raise task.exception()
        finally:
            stopped.cancel()
            await self._finish(consume)
            try:
                await asyncio.wait_for(self._queue.drained(), DRAIN_TIMEOUT_S)
            except asyncio.TimeoutError:
                log.warning("S3 unreachable at shutdown: %d segments stay on the bus", len(self._queue))
            await cancel_and_wait((upload, chores))
            await self._commit()

    async def _finish(self, consume: asyncio.Task) -> None:
        """Let the consumer finish its batch, then store the open segments early."""
        if consume.done() and (consume.cancelled() or consume.exception() is not None):
            return
        try:
            await asyncio.wait_for(asyncio.shield(consume), DRAIN_TIMEOUT_S)
        except asyncio.TimeoutError:
            # Blocked on a full buffer: what is not stored stays uncommitted.
            await cancel_and_wait([consume])
            return
        await self._flush_open()

    def _load_state(self) -> None:
        self._holds.load()
        for camera in self._cameras.values():
            head = load_head(self._store, camera.id)
            self._heads[camera.id] = head
            self._segmenters[camera.id] = Segmenter(camera.id, camera.recording.segment_seconds, head.resume)
        log.info("recording %d cameras: %s", len(self._cameras), ", ".join(sorted(self._cameras)))

    async def _consume(self, stop: asyncio.Event) -> None:
        async for records in self._consumer.batches(max_records=200):
            async with self._batch_lock:
                for record in records:
                    await self._handle(record)
                await self._commit()
            if stop.is_set():
                return

    async def _on_revoked(self) -> None:
        """Partitions move: store what is sealed, commit, and drop open segments - the next
        owner re-records them from the committed offsets (never two writers per chain)."""
        async with self._batch_lock:
            try:
                await asyncio.wait_for(self._queue.drained(), DRAIN_TIMEOUT_S)
            except asyncio.TimeoutError:
                log.warning("rebalance while S3 is unreachable: %d segments still queued", len(self._queue))
            await self._commit()
            for segmenter in self._segmenters.values():
                dropped = segmenter.flush()  # discarded on purpose
                if dropped is not None:
                    log.info("rebalance: open segment of %s from seq %d left to the next owner",
                             segmenter.camera_id, dropped.packets[0].seq)
            self._offsets.forget()

    async def _on_assigned(self) -> None:
        """Chain heads may have moved on while another replica recorded: reload them."""
        if self._started:
            async with self._batch_lock:
                await asyncio.to_thread(self._load_state)

    async def _handle(self, record: BusRecord) -> None:
        self._offsets.seen(record.partition, record.offset)
        if record.key not in self._cameras:
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
        for segment in self._segmenters[batch.camera_id].add(batch, (record.partition, record.offset)):
            await self._enqueue(segment)

    async def _enqueue(self, segment: Segment) -> None:
        camera = self._cameras[segment.camera_id]
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

    async def _flush_open(self) -> None:
        for segmenter in self._segmenters.values():
            segment = segmenter.flush()
            if segment is not None:
                log.info("%s: storing the open segment %d-%d early", segment.camera_id,
                         segment.packets[0].seq, segment.last.seq)
                await self._enqueue(segment)

    async def _upload_loop(self) -> None:
        while True:
            sealed = await self._queue.peek()
            await self._store_with_retry(sealed)
            await self._queue.pop()
            metrics.BUFFERED_BYTES.set(self._queue.bytes)
            await self._announce(sealed)
            await self._commit()

    async def _store_with_retry(self, sealed: SealedSegment) -> None:
        backoff = Backoff(initial=0.2, maximum=self._settings.retry_max_s)
        meta = sealed.meta
        while True:
            try:
                held = self._holds.held(meta.camera_id, meta.start_us, meta.end_us)
                await asyncio.to_thread(store_sealed, self._store, self._keyring, sealed, held)
                if not held and self._holds.held(meta.camera_id, meta.start_us, meta.end_us):
                    await asyncio.to_thread(self._late_hold, meta)  # a hold arrived meanwhile
                self._s3_ok = True
                metrics.SEGMENTS_STORED.labels(meta.camera_id).inc()
                metrics.BYTES_STORED.labels(meta.camera_id).inc(len(sealed.blob))
                return
            except Exception as exc:  # noqa: BLE001 - any S3/network failure: keep it and retry
                self._s3_ok = False
                metrics.UPLOAD_FAILURES.inc()
                delay = backoff.next_delay()
                log.warning("S3 store of %s failed (%s); %d segments buffered; retry in %.1fs",
                            meta.object_key, exc, len(self._queue), delay)
                await asyncio.sleep(delay)

    def _late_hold(self, meta) -> None:
        self._store.set_hold(meta.object_key, True)
        self._keyring.pin_day(meta.camera_id, day_of(meta.start_us), True)

    async def _announce(self, sealed: SealedSegment) -> None:
        m = sealed.meta
        record = recording_pb2.SegmentRecord(
            camera_id=m.camera_id, object_key=m.object_key, start_time_us=m.start_us, end_time_us=m.end_us,
            plaintext_sha256=m.plaintext_sha256, prev_chain_hash=m.prev_chain_hash, chain_hash=m.chain_hash,
            key_id=m.key_id, codec=m.codec, size_bytes=len(sealed.blob),
        )
        try:
            await self._producer.send(topics.SEGMENTS, m.camera_id, record.SerializeToString())
        except Exception as exc:  # noqa: BLE001 - the segment is stored; the notice is advisory
            log.warning("camera %s: segment notice not sent: %s", m.camera_id, exc)

    async def _commit(self) -> None:
        async with self._commit_lock:
            pending = self._queue.refs() + list(self._sealing)
            pending += [s.open_ref for s in self._segmenters.values() if s.open_ref is not None]
            offsets = self._offsets.to_commit(pending)
            if not offsets:
                return
            try:
                await self._consumer.commit_offsets(offsets)
                self._offsets.committed(offsets)
            except Exception as exc:  # noqa: BLE001 - a failed commit only means more re-delivery
                log.warning("offset commit failed: %s", exc)
