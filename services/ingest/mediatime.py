"""How many seconds of video a batch holds, measured on the stream's own presentation clock.

Over RTSP, PyAV gives no average frame rate and packet durations that are 0 or the nominal
rate (1/30 s for an 11 fps camera), and arrival times come in bursts; only PTS tell media time.
`MediaClock` sees one camera's batches in stream order and credits each batch with how far it
moves the highest PTS seen so far. The credits of consecutive batches add up to the media time
between them whatever the B-frame order; a batch that moves nothing (only reordered B-frames)
still gets one estimated frame interval, so a non-empty batch is never zero seconds. A jump
forward by more than `max_jump_s`, or back by more than B-frame reordering explains (timestamp
wrap, a restarted encoder), starts a new epoch instead of counting the jump.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from roadcam.common.media import EncodedPacket, PacketBatch

NOMINAL_INTERVAL_S = 1 / 30  # last resort before any PTS delta is known: a typical camera


@dataclass
class _Epoch:
    """One run of continuous timestamps: where it started, its highest PTS, what is credited."""

    start: int
    high: int
    credited: int
    frames: int = 1


class MediaClock:
    def __init__(self, max_jump_s: float = 5.0, max_back_s: float = 1.0) -> None:
        self.max_jump_s, self.max_back_s = max_jump_s, max_back_s
        self._key: tuple | None = None
        self._epoch: _Epoch | None = None
        self._time_base = Fraction(1, 90000)
        self._interval_s: float | None = None  # the last estimate, kept across epochs

    def seconds(self, batch: PacketBatch) -> float:
        """Seconds of video `batch` holds; call once per batch, in stream order."""
        key = (batch.session_id, batch.generation, batch.stream.time_base)
        if key != self._key:  # a new connection or parameter set: its timestamps start afresh
            self._key, self._epoch, self._time_base = key, None, batch.stream.time_base
        return self.measure(batch.packets, fallback_fps=batch.stream.avg_fps)

    def measure(self, packets: Sequence[EncodedPacket], fallback_fps: float = 0.0) -> float:
        ticks, restarted = 0, 0
        for packet in packets:
            if packet.pts is None:
                continue  # its time is credited to the next packet that moves the clock
            epoch = self._epoch
            if epoch is None or not self._continues(epoch, packet.pts):
                if epoch is not None:
                    ticks += max(epoch.high - epoch.credited, 0)
                self._epoch = _Epoch(packet.pts, packet.pts, packet.pts)
                restarted += 1  # the first frame of an epoch has no earlier PTS to measure from
                continue
            epoch.high = max(epoch.high, packet.pts)
            epoch.frames += 1
            self._remember_interval()
        if self._epoch is not None:
            ticks += max(self._epoch.high - self._epoch.credited, 0)
            self._epoch.credited = max(self._epoch.credited, self._epoch.high)
        seconds = float(ticks * self._time_base) + restarted * self.interval_s(packets, fallback_fps)
        if seconds <= 0 and packets:
            # Only reordered B-frames: one frame's time, and the clock runs ahead by as much so
            # the next batch that moves it is credited that much less.
            seconds = self.interval_s(packets, fallback_fps)
            if self._epoch is not None:
                self._epoch.credited += round(seconds / self._time_base)
        return seconds

    def interval_s(self, packets: Sequence[EncodedPacket] = (), fallback_fps: float = 0.0) -> float:
        """The frame interval: from PTS seen so far, else the stream's rate, durations, a default."""
        if self._interval_s is not None:
            return self._interval_s
        if fallback_fps > 0:
            return 1 / fallback_fps
        durations = [p.duration for p in packets if p.duration > 0]
        if durations:
            return float(min(durations) * self._time_base)
        return NOMINAL_INTERVAL_S

    def _continues(self, epoch: _Epoch, pts: int) -> bool:
        # B-frames are shown a few frames before the highest PTS; slow cameras step further.
        back_s = max(self.max_back_s, 4 * (self._interval_s or 0.0))
        step_s = float((pts - epoch.high) * self._time_base)
        return -back_s <= step_s <= self.max_jump_s

    def _remember_interval(self) -> None:
        epoch = self._epoch
        if epoch is not None and epoch.frames > 1 and epoch.high > epoch.start:
            self._interval_s = float((epoch.high - epoch.start) * self._time_base) / (epoch.frames - 1)
