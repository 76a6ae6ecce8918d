"""The recorder: video bus -> keyframe segments -> seal (mux, hash, chain, encrypt) -> S3.

Offsets are committed only up to the oldest message whose footage is not yet in S3; a crash
re-delivers from there and already-stored packets are skipped by the camera's chain head.
The parts: VideoIntake (bus, rebalance) -> CameraChains (segment, seal) -> UploadQueue ->
Uploader (S3, notices) with a CommitWatermark; background duties (legal-hold commands,
retention sweep, integrity check) run beside them.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from roadcam.common.tasks import cancel_and_wait
from services.recorder.camera_chains import CameraChains
from services.recorder.commit_watermark import CommitWatermark
from services.recorder.intake import DRAIN_TIMEOUT_S, VideoIntake
from services.recorder.uploader import Uploader
from services.recorder.uploads import UploadQueue

log = logging.getLogger(__name__)
Duty = Callable[[], Awaitable[None]]


class RecorderService:
    def __init__(self, intake: VideoIntake, chains: CameraChains, queue: UploadQueue, uploader: Uploader,
                 watermark: CommitWatermark, duties: list[Duty], audit_signed: bool = True) -> None:
        self._intake, self._chains, self._queue = intake, chains, queue
        self._uploader, self._watermark, self._duties = uploader, watermark, duties
        self._audit_signed = audit_signed  # unsigned audit events are refused by the api: not ready

    def ready(self) -> tuple[bool, dict]:
        s3_ok = self._uploader.s3_ok
        return self._intake.started and s3_ok and self._audit_signed, {
            "cameras": sorted(self._chains.cameras), "s3_ok": s3_ok, "audit_signed": self._audit_signed,
            "buffered_segments": len(self._queue), "buffered_bytes": self._queue.bytes,
            "spilled_bytes": self._queue.spilled_bytes,
        }

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.to_thread(self._intake.load)
        self._intake.started = True
        consume = asyncio.create_task(self._intake.run(stop))
        upload = asyncio.create_task(self._uploader.run())
        chores = [asyncio.create_task(duty()) for duty in self._duties]
        stopped = asyncio.create_task(stop.wait())
        try:
            # A crashed duty stops the service (the runner exits non-zero, the pod restarts).
            await asyncio.wait([stopped, consume, upload, *chores], return_when=asyncio.FIRST_COMPLETED)
            for task in (consume, upload, *chores):
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
            await cancel_and_wait((upload, *chores))
            await self._watermark.commit()

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
        await self._chains.flush_open()
