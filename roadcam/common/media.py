"""Plain in-process types for compressed video; proto conversion lives in `video_bus`."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class StreamInfo:
    """Codec parameters of one camera connection; equality decides a generation change."""

    codec: str
    extradata: bytes
    width: int
    height: int
    time_base: Fraction
    avg_fps: float = 0.0
    bitstream_format: str = "annexb"  # or "avcc" (length-prefixed, as in MP4 files)
    reorder_depth: int = 0  # B-frame reorder delay; without it a decoder drops early B-frames


@dataclass
class EncodedPacket:
    """One compressed access unit as the camera sent it."""

    seq: int
    pts: int
    dts: int
    keyframe: bool
    capture_time_us: int
    duration: int
    data: bytes


@dataclass
class PacketBatch:
    """Consecutive packets of one camera connection: the unit ingest publishes."""

    camera_id: str
    session_id: str
    generation: int
    stream: StreamInfo
    packets: list[EncodedPacket] = field(default_factory=list)
    sent_time_us: int = 0

    @property
    def nbytes(self) -> int:
        return sum(len(p.data) for p in self.packets)
