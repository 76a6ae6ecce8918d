"""Container timestamps for a segment's packets (pure logic).

The MPEG-TS muxer refuses (EINVAL) a packet whose DTS does not strictly increase or whose PTS is
below its DTS. Ingest passes on what the camera's demuxer gives: over RTSP an H.264 stream with
B-frames starts with packets whose DTS is unknown (ingest then uses the PTS, which jumps back and
forth in decode order) and its first packet may have no timestamp at all. Only the container
timestamps are rebuilt here, from the presentation order the PTS give; the coded bytes stay as
the camera sent them (R1). Packets whose timestamps are already valid keep them unchanged.
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from roadcam.common.media import EncodedPacket

Stamps = tuple[int, int]  # (pts, dts)


def valid_for_muxing(stamps: Sequence[Stamps]) -> bool:
    """DTS strictly increasing and every PTS at or after its DTS."""
    last_dts: int | None = None
    for pts, dts in stamps:
        if pts < dts or (last_dts is not None and dts <= last_dts):
            return False
        last_dts = dts
    return True


def mux_timestamps(packets: Sequence[EncodedPacket]) -> list[Stamps]:
    """(pts, dts) to mux each packet with, in the given (decode) order."""
    stamps = [(p.pts, p.dts) for p in packets]
    if valid_for_muxing(stamps):
        return stamps
    pts = _distinct([p.pts for p in packets])
    presented = sorted(pts)
    # DTS are the presentation times in decode order, delayed by the deepest reordering seen, so
    # each packet is decoded no later than it is shown (what a B-frame encoder's DTS are).
    delay = max(shown - own for shown, own in zip(presented, pts))
    return [(own, shown - delay) for own, shown in zip(pts, presented)]


def _distinct(pts: list[int]) -> list[int]:
    """Two packets cannot be shown at once: a repeated PTS (e.g. a guessed first one) moves on by a tick."""
    used: set[int] = set()
    out = []
    for value in pts:
        while value in used:
            value += 1
        used.add(value)
        out.append(value)
    return out


class Timeline:
    """One continuous MP4 timeline (seconds from the first packet) over concatenated segments.

    Each segment's container restarts or repeats timestamps where the camera reconnected (a new
    session starts again near zero), and a bare elementary stream has none: such packets are
    placed one frame after the previous one, so decode times always increase."""

    def __init__(self) -> None:
        self._shift = Fraction(0)
        self._origin: Fraction | None = None
        self._last_dts: Fraction | None = None
        self.step = Fraction(1, 25)  # frame interval until a packet tells

    def place(self, pts: Fraction | None, dts: Fraction | None, duration: Fraction | None) -> tuple[Fraction, Fraction]:
        """(pts, dts) in seconds from the clip's start for a packet's own (pts, dts, duration) in seconds."""
        if duration:
            self.step = duration
        if dts is None:
            dts = pts
        if dts is None:  # no timestamp at all (elementary stream): the next frame slot
            base = self._last_dts + self.step if self._last_dts is not None else Fraction(0)
            pts = dts = base - self._shift
        elif pts is None:
            pts = dts
        if self._last_dts is not None and dts + self._shift <= self._last_dts:
            self._shift = self._last_dts + self.step - dts  # a discontinuity: continue one frame later
        if self._origin is None:
            self._origin = dts + self._shift
        self._last_dts = dts + self._shift
        return pts + self._shift - self._origin, self._last_dts - self._origin
