"""The ingest service: camera threads feed one event loop that batches and publishes."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from roadcam.common import topics
from roadcam.common.backoff import Backoff
from roadcam.common.blobs import BlobStore
from roadcam.common.bus import BusProducer
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo
from roadcam.common.tasks import cancel_and_wait
from services.ingest.delivery import DeliveryGuard
from services.ingest.mediatime import MediaClock
from services.ingest.messages import encode_batch
from services.ingest import metrics
from services.ingest.publisher import BatchPublisher
from services.ingest.reporter import HealthReporter
from services.ingest.settings import Settings
from services.ingest.worker import CameraWorker

log = logging.getLogger(__name__)


@dataclass
class _Item:
    camera_id: str
    session_id: str
    generation: int
    stream: StreamInfo
    packet: EncodedPacket


class IngestService:
    def __init__(
        self, settings: Settings, cameras: list[CameraConfig], producer: BusProducer,
        blobs: BlobStore | None, reporter: HealthReporter,
    ) -> None:
        self._settings = settings
        self._producer, self._blobs, self._reporter = producer, blobs, reporter
        self._queue: asyncio.Queue[_Item] = asyncio.Queue(maxsize=settings.queue_max_packets)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.workers = {
            c.id: CameraWorker(
                c, self._from_thread, settings.camera_secrets_dir,
                Backoff(initial=settings.reconnect_initial_s, maximum=settings.reconnect_max_s),
            )
            for c in cameras
        }
        self._publisher = BatchPublisher(self._send, settings.batch_max_ms, settings.batch_max_bytes)
        self.delivery = DeliveryGuard(settings.bus_max_pending_bytes, settings.bus_stall_s, self._lost)
        self._resync: set[str] = set()  # cameras whose next batch must start at a keyframe
        self._clocks = {c.id: MediaClock() for c in cameras}  # seconds of video per batch

    def ready(self) -> tuple[bool, dict]:
        snaps = {cid: w.status.snapshot() for cid, w in self.workers.items()}
        delivering, bus = self.delivery.delivering()
        return self._loop is not None and delivering, {
            "cameras": {cid: s.state for cid, s in snaps.items()},
            "bus": bus,
            "bus_pending_bytes": self.delivery.pending_bytes,
            "gap_seconds": {cid: round(s.gap_seconds, 3) for cid, s in snaps.items()},
        }

    def _lost(self, camera_id: str, packets: int, seconds: float, reason: str) -> None:
        """A hole in a camera's video: counted, logged, and the camera waits for its next keyframe."""
        self.workers[camera_id].status.lost(packets, seconds)
        metrics.GAP_SECONDS.labels(camera_id).inc(seconds)
        self._resync.add(camera_id)
        log.warning("camera %s: %d packets (%.2f s of video) not handed to the bus: %s", camera_id, packets, seconds, reason)

    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        for worker in self.workers.values():
            worker.start()
        tasks = [asyncio.create_task(t) for t in (self._pump(), self._tick(), self._report_loop())]
        try:
            await stop.wait()
        finally:
            await asyncio.gather(*(asyncio.to_thread(w.stop) for w in self.workers.values()))
            await cancel_and_wait(tasks)
            await self._drain()
            await self._report_all()

    def _from_thread(self, camera_id: str, session_id: str, generation: int, stream: StreamInfo, packet: EncodedPacket) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._offer, _Item(camera_id, session_id, generation, stream, packet))

    def _offer(self, item: _Item) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            # Overload: drop rather than block the camera thread; seq numbers show the gap downstream.
            # One frame interval; the next batch's PTS span covers this frame too, but that batch
            # is only counted if it is lost as well.
            seconds = self._clocks[item.camera_id].interval_s([item.packet], item.stream.avg_fps)
            self._lost(item.camera_id, 1, seconds, "ingest queue full")

    async def _pump(self) -> None:
        while True:
            item = await self._queue.get()
            await self._publisher.add(item.camera_id, item.session_id, item.generation, item.stream, item.packet)

    async def _drain(self) -> None:
        while not self._queue.empty():
            item = self._queue.get_nowait()
            await self._publisher.add(item.camera_id, item.session_id, item.generation, item.stream, item.packet)
        await self._publisher.flush_all()
        await self._producer.flush()

    async def _tick(self) -> None:
        interval = max(self._settings.batch_max_ms, 10) / 1000
        while True:
            await asyncio.sleep(interval)
            await self._publisher.flush_due()

    async def _send(self, batch: PacketBatch) -> None:
        seconds = self._clocks[batch.camera_id].seconds(batch)  # every batch, sent or not, in order
        if batch.camera_id in self._resync:
            if not batch.packets[0].keyframe:  # undecodable without the frames lost before it
                self.delivery.lost(batch, seconds, "waiting for a keyframe after a gap")
                return
            self._resync.discard(batch.camera_id)
        try:
            value = await encode_batch(batch, self._blobs)
            if not self.delivery.admit(batch, len(value), seconds):
                return
            delivery = await asyncio.wait_for(
                self._producer.send(topics.VIDEO, batch.camera_id, value), self._settings.bus_send_timeout_s
            )
            self.delivery.track(batch, len(value), seconds, delivery)
            metrics.BATCHES_SENT.labels(batch.camera_id).inc()
        except Exception as exc:  # noqa: BLE001 - one failed send must not stop the other cameras
            metrics.SEND_FAILURES.labels(batch.camera_id).inc()
            self.delivery.lost(batch, seconds, f"{type(exc).__name__}: {exc}")
        metrics.BUS_PENDING_BYTES.set(self.delivery.pending_bytes)

    async def _report_loop(self) -> None:
        while True:
            await self._report_all()
            await asyncio.sleep(self._settings.health_interval_s)

    async def _report_all(self) -> None:
        for worker in self.workers.values():
            try:
                await self._reporter.report(worker.status.snapshot())
            except Exception as exc:  # noqa: BLE001 - health must not stop video
                log.warning("camera %s: health report failed: %s", worker.camera.id, exc)
