"""DeliveryGuard: the in-memory bound while the bus is away, and every lost second counted."""
from __future__ import annotations

import asyncio
import time
from fractions import Fraction

import pytest

from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo
from services.ingest.delivery import DeliveryGuard

STREAM = StreamInfo("h264", b"", 640, 360, Fraction(1, 90000), avg_fps=30.0)


def batch(n: int, duration: int = 3000, camera: str = "cam") -> PacketBatch:
    packets = [EncodedPacket(i, i * 3000, i * 3000, i == 0, 0, duration, b"x" * 10) for i in range(n)]
    return PacketBatch(camera, "s", 0, STREAM, packets)


async def test_bound_refuses_and_counts_what_it_refuses() -> None:
    lost = []
    guard = DeliveryGuard(100, stall_s=5, on_lost=lambda *a: lost.append(a))
    first = asyncio.get_running_loop().create_future()
    assert guard.admit(batch(3), 80, 0.1)
    guard.track(batch(3), 80, 0.1, first)
    assert not guard.admit(batch(30), 40, 1.0)  # 80 + 40 > 100
    assert lost[0][:3] == ("cam", 30, pytest.approx(1.0)) and "backlog full" in lost[0][3]
    assert guard.delivering()[0] is False  # a loss not yet followed by a success
    first.set_result(None)
    await asyncio.sleep(0)
    assert guard.pending_bytes == 0 and guard.delivering() == (True, "ok")
    assert guard.admit(batch(30), 40, 1.0)
    assert DeliveryGuard(10, stall_s=5, on_lost=lambda *a: None).admit(batch(1), 500, 0.03)  # alone: always


async def test_a_failed_delivery_is_a_loss_and_a_stall_is_not_ready() -> None:
    lost = []
    guard = DeliveryGuard(10_000, stall_s=5, on_lost=lambda *a: lost.append(a))
    loop = asyncio.get_running_loop()
    stuck, failing = loop.create_future(), loop.create_future()
    guard.track(batch(30), 10, 1.0, stuck)
    guard.track(batch(60), 10, 2.0, failing)
    assert guard.delivering(time.monotonic())[0] is True
    ready, why = guard.delivering(time.monotonic() + 6)
    assert not ready and "2 batches unacknowledged" in why
    failing.set_exception(TimeoutError("expired"))
    await asyncio.sleep(0)
    assert lost == [("cam", 60, pytest.approx(2.0), "bus did not acknowledge: TimeoutError: expired")]
    assert guard.pending_bytes == 10
