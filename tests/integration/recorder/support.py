"""Helpers for recorder tests: clip packets as ingest would publish them, stores per test."""
from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

import av

from roadcam.common.media import EncodedPacket, PacketBatch
from roadcam.common.settings import S3Settings
from services.ingest.source import stream_info
from services.recorder.crypto import LocalKeyProvider, generate_master_key
from services.recorder.holds import HoldBook
from services.recorder.keyring import DataKeyRing
from services.recorder.storage import RecordingStore, make_client

T0_US = 1_790_000_000_000_000  # a fixed capture epoch (2026-09-21) so tests control the clock
SECRET = "test-secret"


def clip_batches(path: Path, camera_id: str, *, per_batch: int = 10, t0_us: int = T0_US,
                 session_id: str = "sess1", loops: int = 1) -> list[PacketBatch]:
    """The clip's packets (looped `loops` times) in batches, capture time = t0 + pts."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        info = stream_info(stream)
        raw = [(p.pts, p.dts, p.is_keyframe, p.duration or 0, bytes(p)) for p in container.demux(stream) if p.size]
    span = max(r[0] + r[3] for r in raw) - min(r[0] for r in raw)
    packets, seq = [], 0
    for loop in range(loops):
        for pts, dts, key, dur, data in raw:
            pts_l, dts_l = pts + loop * span, dts + loop * span
            capture = t0_us + int(pts_l * info.time_base * 1_000_000)
            packets.append(EncodedPacket(seq, pts_l, dts_l, key, capture, dur, data))
            seq += 1
    return [PacketBatch(camera_id, session_id, 1, info, packets[i:i + per_batch])
            for i in range(0, len(packets), per_batch)]


def frame_hashes(source: Path | bytes, fmt: str | None = None) -> list[str]:
    target = io.BytesIO(source) if isinstance(source, bytes) else str(source)
    with av.open(target, format=fmt) as container:
        return [hashlib.sha256(f.to_ndarray(format="rgb24").tobytes()).hexdigest() for f in container.decode(video=0)]


def s3_settings(s3_server, endpoint: str | None = None) -> S3Settings:
    return S3Settings(endpoint=endpoint or s3_server.endpoint, ca_file=s3_server.ca_file, access_key="test")


def new_store(s3_server, endpoint: str | None = None, bucket: str | None = None,
              master_key: str | None = None) -> tuple[RecordingStore, DataKeyRing, HoldBook]:
    client = make_client(s3_settings(s3_server, endpoint), SECRET, timeout_s=3)
    store = RecordingStore(client, bucket or f"rec-{uuid.uuid4().hex[:12]}")
    keyring = DataKeyRing(store, LocalKeyProvider(master_key or generate_master_key()))
    return store, keyring, HoldBook(store, keyring)
