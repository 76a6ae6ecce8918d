"""Groups each camera's packets into small batches and sends them on the bus.

A batch always starts at a keyframe or continues the previous one, and never spans two
connections or parameter generations, so a consumer can join at any batch that starts with a
keyframe. Batching only trades a few tens of ms of latency for far fewer bus messages.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo
from roadcam.common.timeutil import now_us

SendBatch = Callable[[PacketBatch], Awaitable[None]]


class BatchPublisher:
    def __init__(self, send: SendBatch, max_delay_ms: int, max_bytes: int) -> None:
        self._send = send
        self._max_delay_us = max_delay_ms * 1000
        self._max_bytes = max_bytes
        self._open: dict[str, tuple[PacketBatch, int]] = {}  # camera -> (batch, opened_at_us)

    async def add(
        self, camera_id: str, session_id: str, generation: int, stream: StreamInfo, packet: EncodedPacket
    ) -> None:
        current = self._open.get(camera_id)
        if current is not None:
            batch, _ = current
            if packet.keyframe or (batch.session_id, batch.generation) != (session_id, generation):
                await self._flush(camera_id)
        if camera_id not in self._open:
            self._open[camera_id] = (PacketBatch(camera_id, session_id, generation, stream), now_us())
        batch, opened = self._open[camera_id]
        batch.packets.append(packet)
        if batch.nbytes >= self._max_bytes or now_us() - opened >= self._max_delay_us:
            await self._flush(camera_id)

    async def flush_due(self) -> None:
        """Send batches that have waited long enough (called on a timer)."""
        now = now_us()
        for camera_id, (_, opened) in list(self._open.items()):
            if now - opened >= self._max_delay_us:
                await self._flush(camera_id)

    async def flush_all(self) -> None:
        for camera_id in list(self._open):
            await self._flush(camera_id)

    async def _flush(self, camera_id: str) -> None:
        batch, _ = self._open.pop(camera_id)
        if batch.packets:
            batch.sent_time_us = now_us()
            await self._send(batch)
