"""Pure parts of ingest: batching, claim-check encoding, sharding, health, error classification."""
from __future__ import annotations

from fractions import Fraction

import av.error
import pytest

from roadcam.common.camconfig.models import SourceConfig
from roadcam.common.errors import BusError, SourceError
from roadcam.common.logs import redact_url
from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo
from roadcam.common.video_bus import decode_batch, encode_batch
from services.ingest.publisher import BatchPublisher
from services.ingest.sharding import owns, shard_of
from services.ingest.source import authenticated_url, classify
from services.ingest.status import CameraStatus

INFO = StreamInfo("h264", b"\x01abc", 1280, 720, Fraction(1, 90000), 25.0, "avcc", 2)


def packet(seq: int, key: bool = False, size: int = 100) -> EncodedPacket:
    return EncodedPacket(seq, seq * 3600, seq * 3600, key, 1_000_000 + seq * 40_000, 3600, bytes([seq % 256]) * size)


class MemoryBlobs:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    async def put(self, key: str, data: bytes) -> None:
        self.data[key] = data

    async def get(self, key: str) -> bytes:
        if key not in self.data:
            raise BusError("expired")
        return self.data[key]


async def collect(publisher: BatchPublisher, items) -> None:
    for session, generation, p in items:
        await publisher.add("cam", session, generation, INFO, p)
    await publisher.flush_all()


async def test_batches_start_at_keyframes_and_never_span_sessions() -> None:
    sent: list[PacketBatch] = []

    async def send(batch: PacketBatch) -> None:
        sent.append(batch)

    publisher = BatchPublisher(send, max_delay_ms=10_000, max_bytes=10_000_000)
    items = [("s1", 0, packet(i, key=i % 5 == 0)) for i in range(12)]
    items += [("s2", 0, packet(i, key=i == 0)) for i in range(3)]
    items += [("s2", 1, packet(i, key=False)) for i in range(3, 5)]
    await collect(publisher, items)
    assert [[p.seq for p in b.packets] for b in sent] == [
        [0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11], [0, 1, 2], [3, 4],
    ]
    assert [(b.session_id, b.generation) for b in sent] == [("s1", 0)] * 3 + [("s2", 0), ("s2", 1)]


async def test_batches_are_cut_by_size_and_zero_delay_sends_each_packet() -> None:
    sent: list[PacketBatch] = []

    async def send(batch: PacketBatch) -> None:
        sent.append(batch)

    await collect(BatchPublisher(send, 10_000, max_bytes=250), [("s", 0, packet(i)) for i in range(6)])
    assert [len(b.packets) for b in sent] == [3, 3]
    sent.clear()
    await collect(BatchPublisher(send, 0, 10_000_000), [("s", 0, packet(i)) for i in range(4)])
    assert [len(b.packets) for b in sent] == [1, 1, 1, 1]


@pytest.mark.parametrize("claim_check", [False, True])
async def test_video_chunk_round_trip(claim_check: bool) -> None:
    blobs = MemoryBlobs() if claim_check else None
    batch = PacketBatch("cam-1", "sess", 3, INFO, [packet(i, key=i == 0, size=50 + i) for i in range(4)], 123)
    value = await encode_batch(batch, blobs)
    if claim_check:
        assert len(value) < 300  # only references on the bus
        assert len(blobs.data) == 1
    assert await decode_batch(value, blobs) == batch


async def test_an_expired_claim_check_is_a_bus_error() -> None:
    blobs = MemoryBlobs()
    value = await encode_batch(PacketBatch("cam", "s", 0, INFO, [packet(0)]), blobs)
    blobs.data.clear()
    with pytest.raises(BusError):
        await decode_batch(value, blobs)
    with pytest.raises(BusError):
        await decode_batch(value, None)


def test_sharding_is_stable_and_total() -> None:
    cameras = [f"cam-{i}" for i in range(300)]
    for count in (1, 3, 8):
        owners = [[owns(c, i, count) for i in range(count)] for c in cameras]
        assert all(sum(o) == 1 for o in owners)  # every camera has exactly one owner
        loads = [sum(o[i] for o in owners) for i in range(count)]
        assert min(loads) > 300 / count * 0.6
    assert shard_of("cam-7", 5) == shard_of("cam-7", 5)


def test_health_rates_and_states() -> None:
    status = CameraStatus("cam")
    assert status.snapshot().state == "CONNECTING"
    status.online(INFO)
    start = status.snapshot().online_since_us
    for i in range(50):  # 10 packets/s of 1000 bytes for 5 s
        status.packet(1000, start + i * 100_000)
    snap = status.snapshot(at_us=start + 5_000_000)
    assert snap.state == "ONLINE" and snap.fps == pytest.approx(10, rel=0.05)
    assert snap.bitrate_bps == pytest.approx(80_000, rel=0.05)
    status.failed("connection refused", "UNREACHABLE")
    snap = status.snapshot()
    assert (snap.state, snap.error_kind, snap.reconnects, snap.fps) == ("RECONNECTING", "UNREACHABLE", 1, 0)


@pytest.mark.parametrize(
    ("exc", "elapsed", "kind"),
    [
        (av.error.HTTPUnauthorizedError(1, "401"), 0.1, "AUTH"),
        (av.error.FileNotFoundError(2, "missing"), 0.1, "NOT_FOUND"),
        (av.error.ConnectionRefusedError(111, "refused"), 0.0, "UNREACHABLE"),
        (av.error.OSError(5, "Input/output error"), 0.0, "UNREACHABLE"),
        (av.error.InvalidDataError(1094995529, "invalid"), 0.1, "BAD_DATA"),
        (av.error.InvalidDataError(1094995529, "invalid"), 4.9, "TIMEOUT"),
        (av.error.ExitError(1414092869, "exit"), 0.2, "TIMEOUT"),
        (RuntimeError("odd"), 0.1, "INTERNAL"),
    ],
)
def test_errors_are_classified(exc: Exception, elapsed: float, kind: str) -> None:
    assert classify(exc, elapsed, timeout=5.0).kind == kind


def test_credentials_come_from_a_secret_and_never_reach_messages(tmp_path) -> None:
    (tmp_path / "cam1").write_text("admin:p@ss/word\n")
    source = SourceConfig(url="rtsp://10.0.0.5:554/live", credentials_secret="cam1")
    url = authenticated_url(source, tmp_path)
    assert url == "rtsp://admin:p%40ss%2Fword@10.0.0.5:554/live"
    assert redact_url(f"[Errno 111] Connection refused: '{url}'") == "[Errno 111] Connection refused: 'rtsp://***@10.0.0.5:554/live'"
    assert "p%40ss" not in str(classify(av.error.ConnectionRefusedError(111, "refused", url), 0, 5))
    with pytest.raises(SourceError, match="not found") as err:
        authenticated_url(SourceConfig(url="rtsp://h/x", credentials_secret="nope"), tmp_path)
    assert err.value.kind == "AUTH"
