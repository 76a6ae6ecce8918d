"""HLS pieces: an H.264 MPEG-TS segment encoder (PyAV) and the live playlist (pure).

Each segment is encoded by a fresh encoder, so it starts with an IDR frame and is independently
decodable; timestamps continue across segments so players see one timeline. No audio stream.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from fractions import Fraction

import av
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

_TIME_BASE = Fraction(1, 90_000)


class SegmentEncoder:
    """Collects public frames and hands out a finished .ts segment every ~segment_seconds."""

    def __init__(self, fps: float, segment_seconds: float, crf: int = 28) -> None:
        self.fps, self.segment_seconds, self.crf = fps, segment_seconds, crf
        self._frames_per_segment = max(1, round(fps * segment_seconds))
        self._pts = 0  # 90 kHz clock, continuous across segments
        self._buf: io.BytesIO | None = None
        self._container = None
        self._stream = None
        self._count = 0
        self._start_pts = 0

    def add(self, image: np.ndarray) -> tuple[bytes, float] | None:
        """Encode one frame; returns (segment bytes, duration s) when a segment is complete."""
        if self._container is None:
            self._open(image.shape[1], image.shape[0])
        frame = av.VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts, frame.time_base = self._pts, _TIME_BASE
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self._pts += round(90_000 / self.fps)
        self._count += 1
        if self._count >= self._frames_per_segment:
            return self.flush()
        return None

    def flush(self) -> tuple[bytes, float] | None:
        if self._container is None:
            return None
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()
        data, frames = self._buf.getvalue(), self._count
        self._container = self._stream = self._buf = None
        self._count = 0
        return data, frames / self.fps

    def _open(self, width: int, height: int) -> None:
        self._buf = io.BytesIO()
        self._container = av.open(self._buf, "w", format="mpegts")
        rate = Fraction(self.fps).limit_denominator(1000)
        stream = self._container.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = _TIME_BASE
        stream.codec_context.time_base = 1 / rate
        stream.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": str(self.crf),
                          "g": str(self._frames_per_segment), "bf": "0"}
        self._stream = stream
        self._start_pts = self._pts


class PlaylistEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sequence: int = Field(ge=0)
    name: str = Field(min_length=1, max_length=200)
    duration: float = Field(gt=0, le=60)
    discontinuity: bool = False


class PlaylistState(BaseModel):
    """What a replica needs to continue a camera's playlist; lives in Redis between replicas."""

    model_config = ConfigDict(extra="forbid")

    next_sequence: int = Field(0, ge=0, description="media sequence number of the next segment")
    discontinuity_sequence: int = Field(0, ge=0, description="EXT-X-DISCONTINUITY-SEQUENCE")
    entries: list[PlaylistEntry] = Field(default_factory=list, max_length=1000)
    owner: str = Field("", max_length=200, description="replica that wrote last")


@dataclass
class LivePlaylist:
    """Sliding-window live playlist. Pure: state in, state and text out."""

    state: PlaylistState
    window: int
    target_seconds: float
    removed: list[str] = field(default_factory=list)

    def append(self, name: str, duration: float, discontinuity: bool) -> PlaylistEntry:
        entry = PlaylistEntry(sequence=self.state.next_sequence, name=name, duration=duration,
                              discontinuity=discontinuity and bool(self.state.entries))
        self.state.entries.append(entry)
        self.state.next_sequence += 1
        while len(self.state.entries) > self.window:
            gone = self.state.entries.pop(0)
            self.removed.append(gone.name)
            if gone.discontinuity:  # its tag leaves the playlist with it (RFC 8216 4.3.3.3)
                self.state.discontinuity_sequence += 1
        return entry

    def render(self) -> str:
        entries = self.state.entries
        target = max([self.target_seconds, *(e.duration for e in entries)])
        lines = [
            "#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{int(target + 0.999)}",
            f"#EXT-X-MEDIA-SEQUENCE:{entries[0].sequence if entries else self.state.next_sequence}",
            f"#EXT-X-DISCONTINUITY-SEQUENCE:{self.state.discontinuity_sequence}",
        ]
        for e in entries:
            if e.discontinuity:
                lines.append("#EXT-X-DISCONTINUITY")
            lines += [f"#EXTINF:{e.duration:.3f},", e.name]
        return "\n".join(lines) + "\n"
