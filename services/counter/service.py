"""The counter service: video from the bus -> shared decoder stage -> counting engine -> counts.

Error policy: a missing or unloadable model is a readiness error (logged, /readyz says why),
never a crash, and no video is consumed meanwhile. Frames the engine fails on are logged and
skipped (a short gap in counting, like lost packets). Offsets are committed only after the
batch's outputs are flushed to the bus; if the bus stays unreachable after retries the service
stops with an error, and its restart re-reads the uncommitted video (at-least-once).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from roadcam.common.video_feed import FeedBatch, VideoFeed
from services.counter import metrics
from services.counter.bins import BinAggregator
from services.counter.census import census_class
from roadcam.common.errors import BusError
from roadcam.common.tasks import cancel_and_wait
from services.counter.engine import CameraCrossing, CountingEngine, EngineOutput
from services.counter.publisher import CountPublisher
from services.counter.settings import Settings
from services.counter.ground_plane import SpeedBins

log = logging.getLogger(__name__)
_RESYNC_EVENTS = ("gap", "restart", "params_changed", "corrupt")
_DELIVERY_ATTEMPTS = 3


class CounterService:
    def __init__(self, settings: Settings, feed: VideoFeed | None, engine: CountingEngine | None,
                 publisher: CountPublisher, model_error: str | None = None,
                 partitions: Callable[[], set] | None = None) -> None:
        self._settings, self._feed, self._engine, self._out = settings, feed, engine, publisher
        self._partitions = partitions or set
        self._model_error = model_error
        self._bins = BinAggregator(tuple(settings.bin_seconds))
        self._speeds = SpeedBins(tuple(settings.bin_seconds))
        self._next_open_publish = time.monotonic() + settings.open_bin_interval_s
        self._last_frame: dict[str, float] = {}  # monotonic time of each camera's latest frame
        self._view_faults: dict[str, tuple[str, ...] | None] = {}  # last published per camera
        self.frames = 0
        self.crossings = 0
        self._running = False

    def ready(self) -> tuple[bool, dict]:
        if self._model_error:
            return False, {"error": self._model_error}
        details = {"frames": self.frames, "crossings": self.crossings, "partitions": len(self._partitions())}
        return self._running, details

    async def run(self, stop: asyncio.Event) -> None:
        if self._engine is None or self._feed is None:
            log.error("counter not counting: %s", self._model_error)
            await stop.wait()
            return
        self._running = True
        batches = self._feed.batches()
        try:
            while not stop.is_set():
                next_batch = asyncio.ensure_future(anext(batches))
                stopped = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait({next_batch, stopped}, return_when=asyncio.FIRST_COMPLETED)
                stopped.cancel()
                if next_batch not in done:
                    await cancel_and_wait([next_batch])
                    break
                await self._handle(next_batch.result())
        finally:
            self._running = False
            await batches.aclose()
            await self._finish()

    async def _handle(self, batch: FeedBatch) -> None:
        assert self._engine is not None and self._feed is not None
        crossings: list[CameraCrossing] = []
        for event in batch.events:
            if event.kind in _RESYNC_EVENTS:
                log.info("camera %s: %s (%s), tracks restart", event.camera_id, event.kind, event.detail)
                crossings += self._engine.restart(event.camera_id)
        try:
            out = await asyncio.to_thread(self._engine.process, batch.frames)
        except Exception as exc:  # noqa: BLE001 - like lost packets: a short gap in counting, logged
            log.error("%d frames not counted: %s", len(batch.frames), exc, exc_info=True)
            out = EngineOutput()
        crossings += out.crossings + self._settle_silent_cameras(batch)
        self.frames += len(batch.frames)
        metrics.count_analysed([v.camera_id for v in out.views])
        self.crossings += len(crossings)
        for cam, t in out.times.items():
            self._bins.advance(cam, t)
        for v in out.views:
            self._bins.observe(v.camera_id, v.time_us, list(v.faults), v.line_ids)
        self._aggregate(crossings)
        await self._deliver(crossings, out)
        await self._feed.commit()

    async def _deliver(self, crossings: list[CameraCrossing], out: EngineOutput) -> None:
        """Send and flush, retried; if the bus stays down, stop (uncommitted video is re-read
        after the restart, so nothing is lost; consumers tolerate duplicates)."""
        for attempt in range(_DELIVERY_ATTEMPTS):
            try:
                await self._out.crossings(crossings)
                await self._out.queues(out.queues)
                await self._out.views(self._view_changes(out))
                await self._publish_bins()
                await self._out.flush()
                return
            except Exception as exc:  # noqa: BLE001 - aiokafka and redis raise many types
                log.warning("outputs not delivered (attempt %d): %s", attempt + 1, exc)
                await asyncio.sleep(2**attempt)
        raise BusError("counts could not be delivered; stopping so the video is re-read after a restart")

    def _view_changes(self, out: EngineOutput) -> list:
        """Camera health on every change of a camera's faults (and its first frame)."""
        changed = []
        for v in out.views:
            if self._view_faults.get(v.camera_id) != v.faults:
                self._view_faults[v.camera_id] = v.faults
                changed.append(v)
        return changed

    def _aggregate(self, crossings: list[CameraCrossing]) -> None:
        for item in crossings:
            c = item.crossing
            census = census_class(c.object_class, c.large, self._settings.census_classes)
            self._bins.add(item.camera_id, c.line_id, c.direction, c.object_class, c.time_us, census, c.size_basis)
            if c.speed_kmh is not None:
                self._speeds.add(item.camera_id, c.line_id, c.object_class, c.time_us, c.speed_kmh)

    def _settle_silent_cameras(self, batch: FeedBatch) -> list[CameraCrossing]:
        """A camera that stopped sending would hold its last crossings forever: settle them."""
        assert self._engine is not None
        now = time.monotonic()
        for frame in batch.frames:
            self._last_frame[frame.camera_id] = now
        silent = [c for c, t in self._last_frame.items() if now - t > self._settings.silent_camera_s]
        crossings = []
        for camera_id in silent:
            del self._last_frame[camera_id]
            log.info("camera %s: no frames for %.0f s, settling its crossings", camera_id, self._settings.silent_camera_s)
            crossings += self._engine.restart(camera_id)
        return crossings

    async def _publish_bins(self) -> None:
        await self._out.bins(self._bins.close_due())
        await self._out.speeds(self._speeds.close_due(self._bins.clock))
        if time.monotonic() >= self._next_open_publish:
            self._next_open_publish = time.monotonic() + self._settings.open_bin_interval_s
            await self._out.bins(self._bins.open_bins())
            await self._out.speeds(self._speeds.open_bins())

    async def _finish(self) -> None:
        """Shutdown: settle pending crossings and publish what the open bins hold."""
        assert self._engine is not None

        async def publish_rest() -> None:
            rest = self._engine.flush()
            self.crossings += len(rest)
            self._aggregate(rest)
            await self._out.crossings(rest)
            await self._out.bins(self._bins.close_all())
            await self._out.speeds(self._speeds.close_all())
            await self._out.flush()

        try:  # bounded: with the broker gone, shutdown must not hang
            await asyncio.wait_for(publish_rest(), timeout=10)
        except Exception as exc:  # noqa: BLE001 - shutting down anyway
            log.warning("could not publish the last counts: %s", exc)
