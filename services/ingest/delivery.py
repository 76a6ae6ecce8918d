"""What ingest has handed to the bus but not yet seen acknowledged, bounded, and what it lost.

While the bus is away the producer keeps unacknowledged messages in memory. `DeliveryGuard`
caps those bytes: past the cap a batch is not sent at all. Every batch that is refused, times
out or fails is reported through `on_lost` with the seconds of video it held, so the hole is
counted (metric, health) rather than silent; downstream sees it as a jump in `seq`.
"""
from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass

from roadcam.common.media import PacketBatch

# (camera_id, packets, seconds of video, reason) -> None
LossSink = Callable[[str, int, float, str], None]


@dataclass(frozen=True)
class _Pending:
    camera_id: str
    packets: int
    seconds: float
    nbytes: int
    since: float


class DeliveryGuard:
    def __init__(self, max_pending_bytes: int, stall_s: float, on_lost: LossSink) -> None:
        self.max_pending_bytes = max_pending_bytes
        self.stall_s = stall_s
        self._on_lost = on_lost
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count()
        self.pending_bytes = 0
        self.peak_pending_bytes = 0
        self._last_failure: tuple[float, str] | None = None
        self._last_success = 0.0

    def admit(self, batch: PacketBatch, nbytes: int, seconds: float) -> bool:
        """False (and the batch counted as lost) when it would exceed the in-memory bound.

        A batch alone is always admitted, so a bound below one keyframe cannot stop all video."""
        if self.pending_bytes == 0 or self.pending_bytes + nbytes <= self.max_pending_bytes:
            return True
        self.lost(batch, seconds, f"bus backlog full ({self.pending_bytes} bytes unacknowledged)")
        return False

    def lost(self, batch: PacketBatch, seconds: float, reason: str) -> None:
        self._last_failure = (time.monotonic(), reason)
        self._on_lost(batch.camera_id, len(batch.packets), seconds, reason)

    def track(self, batch: PacketBatch, nbytes: int, seconds: float, delivery: asyncio.Future) -> None:
        """Count `nbytes` as pending until `delivery` settles; a failed delivery is a loss."""
        key = next(self._ids)
        self._pending[key] = _Pending(batch.camera_id, len(batch.packets), seconds, nbytes, time.monotonic())
        self.pending_bytes += nbytes
        self.peak_pending_bytes = max(self.peak_pending_bytes, self.pending_bytes)
        delivery.add_done_callback(lambda fut: self._settle(key, fut))

    def _settle(self, key: int, delivery: asyncio.Future) -> None:
        item = self._pending.pop(key)
        self.pending_bytes -= item.nbytes
        error = delivery.exception() if not delivery.cancelled() else asyncio.CancelledError()
        if error is None:
            self._last_success = time.monotonic()
            return
        reason = f"bus did not acknowledge: {type(error).__name__}: {error}"
        self._last_failure = (time.monotonic(), reason)
        self._on_lost(item.camera_id, item.packets, item.seconds, reason)

    def delivering(self, now: float | None = None) -> tuple[bool, str]:
        """Whether the bus takes what ingest sends: nothing stuck past `stall_s`, no unanswered failure."""
        now = time.monotonic() if now is None else now
        if self._pending:
            oldest = min(p.since for p in self._pending.values())
            if now - oldest > self.stall_s:
                return False, f"{len(self._pending)} batches unacknowledged for {now - oldest:.0f}s"
        if self._last_failure is not None and self._last_failure[0] > self._last_success:
            return False, self._last_failure[1][:200]
        return True, "ok"
