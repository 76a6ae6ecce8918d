"""Decoder stage: one camera's packet stream back into frames at a target rate.

Joins mid-GOP (drops packets until a keyframe), restarts the codec when the camera restarts or
its parameters change, and reports gaps; after any gap it waits for the next keyframe again, so
it never hands out frames predicted from missing references.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import av
import numpy as np

from roadcam.common.media import EncodedPacket, PacketBatch, StreamInfo

log = logging.getLogger(__name__)
_MAX_PENDING = 256  # pts -> packet metadata awaiting their (reordered) frames


def padded_packet(data: bytes) -> av.Packet:
    """A packet FFmpeg allocated (zeroed input padding after the data). `av.Packet(bytes)` wraps
    the Python buffer without padding, and bitstream readers (MPEG-4 part 2 visibly) read past the
    end into whatever memory follows, corrupting frames."""
    packet = av.Packet(len(data))
    memoryview(packet)[:] = data
    return packet


@dataclass
class DecodedFrame:
    camera_id: str
    image: np.ndarray  # H x W x 3, BGR, uint8
    capture_time_us: int
    pts: int
    seq: int
    session_id: str
    generation: int


@dataclass(frozen=True)
class StreamEvent:
    """Something a consumer must know about: a gap, a camera restart, corrupt data."""

    camera_id: str
    kind: str  # "gap" | "restart" | "params_changed" | "corrupt"
    detail: str = ""
    missing_packets: int = 0


@dataclass
class FrameRateSampler:
    """Keeps at most `fps` frames per second of capture time (None = keep all). Pure."""

    fps: float | None
    _next_due_us: int | None = None

    def keep(self, capture_time_us: int) -> bool:
        if not self.fps:
            return True
        interval = int(1_000_000 / self.fps)
        slack = interval // 4  # a source frame slightly early still counts: 11 fps -> 4 fps works
        due = self._next_due_us
        if due is None or capture_time_us >= due - slack:
            following = (due if due is not None else capture_time_us) + interval
            # Stay on the grid, but resynchronise after a pause instead of bursting to catch up.
            self._next_due_us = following if following > capture_time_us else capture_time_us + interval
            return True
        if capture_time_us < due - 10 * interval:  # clock went backwards (camera restart)
            self._next_due_us = capture_time_us + interval
            return True
        return False


@dataclass
class CameraDecoder:
    camera_id: str
    target_fps: float | None = None
    # Skip frames nothing refers to (most B-frames) when the stream runs at 2x the target rate or
    # more: the sampler never needs them all, and their decoding is a third of a 30 fps camera's cost.
    skip_unreferenced: bool = False
    _sampler: FrameRateSampler = field(init=False)
    _codec: av.CodecContext | None = field(init=False, default=None)
    _key: tuple[str, int, StreamInfo] | None = field(init=False, default=None)
    _last_seq: int | None = field(init=False, default=None)
    _need_keyframe: bool = field(init=False, default=True)
    _pending: dict[int, EncodedPacket] = field(init=False, default_factory=dict)
    frames_decoded: int = field(init=False, default=0)
    packets_decoded: int = field(init=False, default=0)  # = frames in the stream, skipped ones included

    def __post_init__(self) -> None:
        self._sampler = FrameRateSampler(self.target_fps)

    def feed(self, batch: PacketBatch) -> tuple[list[DecodedFrame], list[StreamEvent]]:
        frames: list[DecodedFrame] = []
        events: list[StreamEvent] = []
        key = (batch.session_id, batch.generation, batch.stream)
        if key != self._key:
            if self._key is not None:
                kind = "restart" if batch.session_id != self._key[0] else "params_changed"
                events.append(StreamEvent(self.camera_id, kind, f"{batch.stream.codec} {batch.stream.width}x{batch.stream.height}"))
            self._open(batch.stream)
            self._key = key
            self._last_seq = None
        for packet in batch.packets:
            self._take(batch, packet, frames, events)
        return frames, events

    def flush(self) -> list[DecodedFrame]:
        """End of a finite input (a file): return the frames the codec still holds back."""
        if self._codec is None or self._key is None:
            return []
        frames: list[DecodedFrame] = []
        session_id, generation, _ = self._key
        for frame in self._codec.decode(None):
            self._emit(frame, None, session_id, generation, frames)
        return frames

    def note_lost(self, detail: str) -> StreamEvent:
        """The caller lost packets it cannot name (an expired payload): resync at a keyframe."""
        self._need_keyframe = True
        self._reset_codec()
        return StreamEvent(self.camera_id, "gap", detail)

    def _take(self, batch: PacketBatch, p: EncodedPacket, frames: list, events: list) -> None:
        if self._last_seq is not None:
            if p.seq <= self._last_seq:
                return  # re-delivered after a consumer restart: already handled
            if p.seq != self._last_seq + 1:
                missing = p.seq - self._last_seq - 1
                events.append(StreamEvent(self.camera_id, "gap", f"{missing} packets missing", missing))
                self._need_keyframe = True
                self._reset_codec()
        self._last_seq = p.seq
        if self._need_keyframe and not p.keyframe:
            return
        self._need_keyframe = False
        self._decode(batch, p, frames, events)

    def _decode(self, batch: PacketBatch, p: EncodedPacket, frames: list, events: list) -> None:
        assert self._codec is not None
        packet = padded_packet(p.data)
        packet.pts, packet.dts = p.pts, p.dts
        packet.time_base = batch.stream.time_base
        if len(self._pending) > _MAX_PENDING:
            self._pending.clear()
        self._pending[p.pts] = p
        self.packets_decoded += 1
        try:
            decoded = self._codec.decode(packet)
        except av.error.FFmpegError as exc:
            events.append(StreamEvent(self.camera_id, "corrupt", str(exc)))
            self._need_keyframe = True
            self._reset_codec()
            return
        for frame in decoded:
            self._emit(frame, p, batch.session_id, batch.generation, frames)

    def _emit(self, frame: av.VideoFrame, fallback: EncodedPacket | None, session_id: str, generation: int, out: list) -> None:
        """Attach the capture time of the packet the frame came from (B-frames reorder)."""
        self.frames_decoded += 1
        source = self._pending.pop(frame.pts, fallback) if frame.pts is not None else fallback
        if frame.pts is not None and self._codec is not None and self._codec.skip_frame != "DEFAULT":
            # frames come out in pts order: earlier packets were skipped frames, never to come out
            for pts in [k for k in self._pending if k < frame.pts]:
                del self._pending[pts]
        if source is None or not self._sampler.keep(source.capture_time_us):
            return
        out.append(DecodedFrame(
            self.camera_id, frame.to_ndarray(format="bgr24"), source.capture_time_us,
            source.pts, source.seq, session_id, generation,
        ))

    def _open(self, stream: StreamInfo) -> None:
        self._stream = stream
        self._need_keyframe = True
        self._reset_codec()

    def _reset_codec(self) -> None:
        self._pending.clear()
        stream = getattr(self, "_stream", None)
        if stream is None:
            return
        codec = av.CodecContext.create(stream.codec, "r")
        if stream.extradata:
            codec.extradata = stream.extradata
        codec.reorder_depth = stream.reorder_depth
        if self.skip_unreferenced and self.target_fps and stream.avg_fps >= 2 * self.target_fps:
            codec.skip_frame = "NONREF"
        self._codec = codec
