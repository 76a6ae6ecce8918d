"""Cut one camera's packet stream into segments at keyframes (pure logic, no I/O).

A segment closes at the first keyframe after `target_s` of media time, when the ingest
connection (session/generation) changes, since codec parameters may change with it, or when
packets are missing (a sequence gap), so that the hole is visible between two segments. Each
segment remembers the oldest bus position its packets came from, so the consumer never commits
past footage that is not stored yet.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo

BusRef = tuple[int, int]  # (partition, offset)


@dataclass
class Segment:
    camera_id: str
    session_id: str
    generation: int
    stream: StreamInfo
    first_ref: BusRef
    packets: list[EncodedPacket] = field(default_factory=list)
    end_us: int = 0

    @property
    def start_us(self) -> int:
        return self.packets[0].capture_time_us

    @property
    def last(self) -> EncodedPacket:
        return self.packets[-1]


@dataclass(frozen=True)
class Resume:
    """The last packet stored (from the chain head) or segmented: re-delivered ones up to here are skipped."""

    session_id: str = ""
    last_seq: int = -1
    last_capture_us: int = 0

    def already_stored(self, session_id: str, packet: EncodedPacket) -> bool:
        if session_id == self.session_id:
            return packet.seq <= self.last_seq
        return packet.capture_time_us <= self.last_capture_us


class Segmenter:
    def __init__(self, camera_id: str, target_s: float, resume: Resume | None = None) -> None:
        self.camera_id = camera_id
        self._target_s = target_s
        self._resume = resume or Resume()
        self._open: Segment | None = None

    @property
    def open_ref(self) -> BusRef | None:
        return self._open.first_ref if self._open else None

    def add(self, batch: PacketBatch, ref: BusRef) -> list[Segment]:
        """Feed one bus message; returns the segments it completed (usually none)."""
        done: list[Segment] = []
        accepted: EncodedPacket | None = None
        for packet in batch.packets:
            if self._resume.already_stored(batch.session_id, packet):
                continue  # re-delivered (restart or rebalance): it is stored or segmented already
            seg = self._open
            if seg is not None and self._must_cut(seg, batch, packet):
                contiguous = seg.session_id == batch.session_id and packet.seq == seg.last.seq + 1
                seg.end_us = packet.capture_time_us if contiguous else self._end_of(seg)
                done.append(seg)
                seg = None
            if seg is None:
                seg = Segment(self.camera_id, batch.session_id, batch.generation, batch.stream, ref)
                self._open = seg
            seg.packets.append(packet)
            accepted = packet
        if accepted is not None:
            self._resume = Resume(batch.session_id, accepted.seq, accepted.capture_time_us)
        return done

    def flush(self) -> Segment | None:
        """Close the open segment early (shutdown); its end is the last packet's end."""
        seg, self._open = self._open, None
        if seg is not None:
            seg.end_us = self._end_of(seg)
        return seg

    def _must_cut(self, seg: Segment, batch: PacketBatch, packet: EncodedPacket) -> bool:
        if (batch.session_id, batch.generation) != (seg.session_id, seg.generation) or batch.stream != seg.stream:
            return True
        if packet.seq != seg.last.seq + 1:
            return True  # packets were lost upstream: end here, so the hole shows as a gap
        if not packet.keyframe:
            return False
        elapsed = (packet.pts - seg.packets[0].pts) * seg.stream.time_base
        return float(elapsed) >= self._target_s

    @staticmethod
    def _end_of(seg: Segment) -> int:
        last = seg.last
        step = float(last.duration * seg.stream.time_base) if last.duration else 0.0
        if not step and seg.stream.avg_fps:
            step = 1.0 / seg.stream.avg_fps
        return last.capture_time_us + max(1, int(step * 1_000_000))
