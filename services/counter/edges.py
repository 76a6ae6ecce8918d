"""Crossings cut by the edges of a stream (pure, no I/O).

A `TripLine` decides a crossing where the reference point leaves the hysteresis band on the far
side. At the edges of a stream the band is cut off: an object already inside it when the stream
starts was never seen on its near side, and one still inside it when a file ends never leaves it.
Clips cut for surveys have such objects at both ends, so both are decided from the frames there
are, by the line itself instead of the band, and only for steady motion (jitter of a parked
object on the line never counts):

- start: a track first seen inside the band, or past it, while the stream opens (the tracker confirms
  a track a frame or two after the detector first sees it) counts on the far side if its signed
  distance moved steadily that way and it crossed the line inside the stream: it was first seen
  short of the line, or, first seen past it, its speed then puts the crossing no earlier than half a
  frame interval before the stream's first frame;
- mid-stream, a track born inside the band (out of the picture's edge or the detector's blind spot)
  counts only if first seen short of the line; an id switch near a vanished track is a handover;
- end (file sources only): a track still inside the band in the last frame, armed on one side,
  moving steadily toward the other, counts if at its last speed its reference point passes the
  line within half a frame interval after that frame.

A frame stands for half an interval either side of it, so the two cuts split time without a gap or
an overlap: consecutive clips of one survey count an object that crosses at the cut exactly once.
"""
from __future__ import annotations

from dataclasses import dataclass

Trail = list[tuple[int, float]]  # (time in us, signed distance to the line in px), oldest first


@dataclass(frozen=True)
class StreamEdges:
    opening_s: float = 1.0  # tracks first seen this soon after the stream's first frame were there before it
    trail_len: int = 6  # recent positions kept per track
    back_px: float = 1.0  # a step this far back against the motion is jitter, not a reversal
    start_steps: int = 2  # steps after the first sighting that give its speed (start rule)
    end_steps: int = 2  # steps of steady approach the end rule needs

    def opening(self, start_us: int, time_us: int) -> bool:
        return time_us - start_us <= self.opening_s * 1e6

    def steady(self, trail: Trail, side: int) -> bool:
        """Every step moved toward `side` (or jittered back by at most `back_px`) and the whole
        trail went that way."""
        if len(trail) < 2 or (trail[-1][1] - trail[0][1]) * side <= 0:
            return False
        return all((b[1] - a[1]) * side >= -self.back_px for a, b in zip(trail, trail[1:]))

    def crossed_after_start(self, trail: Trail, side: int, start_us: int | None, half_step_us: float) -> bool:
        """A track whose approach was never seen, now out on `side`: did its steady path meet the line
        after it was first seen, or (born as the stream opened, `start_us`) after the stream began?"""
        if not self.steady(trail, side):
            return False
        if trail[0][1] * side <= 0:
            return True  # first seen before the line (or on it): it crossed within the stream
        if start_us is None:
            return False  # first seen past the line mid-stream: it was counted before, or never seen
        # First seen already past it: when did it cross? Back along its speed when first seen (an
        # object that stood on the line and then left has no speed there, and no crossing).
        t0 = line_time(trail[:self.start_steps + 1])
        return t0 is not None and t0 >= start_us - half_step_us

    def crossed_before_end(self, trail: Trail, side: int, half_step_us: float) -> bool:
        """A track armed on `-side`, still inside the band at the end, moving steadily toward `side`:
        does its reference point pass the line by half a frame interval after the last frame?"""
        recent = trail[-(self.end_steps + 1):]
        if len(recent) < self.end_steps + 1 or not self.steady(recent, side):
            return False
        (t1, d1), (t2, d2) = recent[-2:]
        return (d2 + (d2 - d1) / max(t2 - t1, 1) * half_step_us) * side > 0


def line_time(trail: Trail) -> float | None:
    """When the trail's least-squares straight path met the line (signed distance 0)."""
    n = len(trail)
    mt = sum(t for t, _ in trail) / n
    md = sum(d for _, d in trail) / n
    var = sum((t - mt) ** 2 for t, _ in trail)
    if var == 0:
        return None
    slope = sum((t - mt) * (d - md) for t, d in trail) / var
    if slope == 0:
        return None
    return mt - md / slope
