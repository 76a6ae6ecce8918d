"""Pure counting geometry: reference points and a counting line that real traffic does not fool.

No I/O, no model: a `TripLine` is fed the reference points of the tracks seen in one frame
and answers which of them completed a crossing. Coordinates are pixels, y pointing down.

Why it holds up on real footage:
- hysteresis band: a point within `margin` of the line decides nothing, so jitter and
  stop-and-go on the line never count twice; direction is decided only once a point has left
  the band on the other side;
- the path from the last point outside the band (the anchor) to the new point is intersected
  with the line segment, so an object that jumps over the line between two sampled frames counts;
- endpoints that touch the frame edge are extended to rays (objects leaving the frame half cut);
- a track that vanishes and a new id that appears near its last point within `handover_s` is the
  same object (a tracker ID switch): the new id inherits the old state, so it cannot count again;
- an object counts for the side it ends on: one that goes back over the line before its count
  settles has that count withdrawn (a parked car whose box glitched over the line, a pedestrian
  who stepped back), and may count again if it crosses for good;
- at most one settled count per object and line;
- at the edges of a stream, where the band is cut off, the line itself decides (see `edges`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from services.counter.edges import StreamEdges, Trail

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x1, y1, x2, y2


class Anchor(str, Enum):
    """Which point of a box is tracked against the line (configurable per class)."""

    BOTTOM_CENTER = "bottom_center"
    CENTER = "center"
    TOP_CENTER = "top_center"


def reference_point(box: Box, anchor: Anchor = Anchor.BOTTOM_CENTER) -> Point:
    x1, y1, x2, y2 = box
    anchor = Anchor(anchor)
    cx = (x1 + x2) / 2
    if anchor is Anchor.CENTER:
        return cx, (y1 + y2) / 2
    if anchor is Anchor.TOP_CENTER:
        return cx, y1
    return cx, y2


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def path_crosses(p: Point, q: Point, a: Point, b: Point, ray_a: bool = False, ray_b: bool = False) -> bool:
    """Does the path p->q cross the line a-b? `ray_a`/`ray_b` extend the line beyond a / b."""
    d1, d2 = _cross(a, b, p), _cross(a, b, q)
    if d1 * d2 > 0 or d1 == d2:
        return False  # both on one side (or degenerate)
    t = d1 / (d1 - d2)  # where on p->q the infinite line is met
    return beside((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])), a, b, ray_a, ray_b)


def beside(p: Point, a: Point, b: Point, ray_a: bool = False, ray_b: bool = False) -> bool:
    """Does `p` project onto the line a-b between its ends (or onto a ray beyond them)?"""
    dx, dy = b[0] - a[0], b[1] - a[1]
    u = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)  # 0 at a, 1 at b
    return (u >= 0 or ray_a) and (u <= 1 or ray_b)


@dataclass(frozen=True)
class TrackPoint:
    """One tracked object in one frame, as the line needs it."""

    track_id: int
    point: Point
    box_height: float
    detected: bool = True  # the detector has seen it (a blob alone is too weak for the stream-edge rules)


@dataclass(frozen=True)
class Crossing:
    track_id: int
    direction: int  # +1: ended on the positive side, -1: the negative side
    time_us: int
    object_id: int  # the first track id of the object (stays through ID switches)
    withdrawn: bool = False  # it went back: the earlier crossing of this object is void


@dataclass
class _TrackState:
    object_id: int
    side: int  # side of the anchor: +1, -1, or 0 while never seen outside the band
    anchor: Point
    last: Point
    last_seen_us: int
    counted: int = 0  # direction of its standing count, 0 = none
    settled: bool = False  # its count is final: nothing more from this object
    unseen: bool = False  # its approach was never seen: born inside the band, or past it as the stream opened
    at_start: bool = False  # born as the stream opened (`edges.opening`)
    detected: bool = True  # see TrackPoint
    trail: Trail = field(default_factory=list)  # recent signed distances (all of them while `unseen`)


@dataclass
class TripLine:
    line_id: str
    start: Point
    end: Point
    ray_start: bool = False
    ray_end: bool = False
    margin_px: float = 2.0  # minimum half-width of the hysteresis band
    margin_frac: float = 0.1  # ... or this fraction of the object's box height, if larger
    handover_s: float = 1.5  # how long a vanished track may be taken over by a new id
    handover_frac: float = 0.6  # ... within this many box heights of its last point
    edges: StreamEdges = field(default_factory=StreamEdges)
    _tracks: dict[int, _TrackState] = field(default_factory=dict, repr=False)
    _start_us: int | None = field(default=None, repr=False)  # the stream's first frame
    _frame_us: int | None = field(default=None, repr=False)  # the latest frame
    _half_step_us: float = field(default=0.0, repr=False)  # half the latest interval between frames

    @classmethod
    def across(cls, line_id: str, start: Point, end: Point, frame_size: tuple[int, int] | None = None,
               edge_px: float = 3.0, **tuning: float) -> TripLine:
        """A line whose endpoints on (or within `edge_px` of) the frame border become rays."""
        if start == end:
            raise ValueError("a counting line needs two different points")

        def on_edge(p: Point) -> bool:
            if frame_size is None:
                return False
            w, h = frame_size
            return p[0] <= edge_px or p[1] <= edge_px or p[0] >= w - 1 - edge_px or p[1] >= h - 1 - edge_px

        return cls(line_id, start, end, on_edge(start), on_edge(end), **tuning)

    def signed_distance(self, p: Point) -> float:
        """> 0 on the side where (x2-x1)(y-y1) - (y2-y1)(x-x1) > 0."""
        length = math.dist(self.start, self.end)
        return _cross(self.start, self.end, p) / length

    def trigger(self, tracks: list[TrackPoint], time_us: int) -> list[Crossing]:
        """Feed one frame's tracks; returns the crossings completed in this frame."""
        present = {t.track_id for t in tracks}
        self._start_us = time_us if self._start_us is None else self._start_us
        if self._frame_us is not None and time_us > self._frame_us:
            self._half_step_us = (time_us - self._frame_us) / 2
        self._frame_us = time_us
        crossings = []
        for t in tracks:
            state = self._tracks.get(t.track_id) or self._take_over(t, present, time_us)
            crossing = self._step(t, state, time_us)
            if crossing:
                crossings.append(crossing)
        self._forget(time_us)
        return crossings

    def _step(self, t: TrackPoint, state: _TrackState | None, time_us: int) -> Crossing | None:
        distance = self.signed_distance(t.point)
        margin = max(self.margin_px, self.margin_frac * t.box_height)
        side = 0 if abs(distance) <= margin else (1 if distance > 0 else -1)
        if state is None:
            # Born where its approach was never seen: inside the band (it came out of the picture's edge
            # or out of the detector's blind spot there), or already past it while the stream opens
            # (the tracker confirms a track a frame or two after the detector first sees it).
            at_start = self.edges.opening(self._start_us, time_us)
            on_line = beside(t.point, self.start, self.end, self.ray_start, self.ray_end)
            unseen = t.detected and (side == 0 or at_start) and on_line
            self._tracks[t.track_id] = _TrackState(t.track_id, side, t.point, t.point, time_us, unseen=unseen,
                                                   at_start=at_start, trail=[(time_us, distance)])
            return None
        state.last, state.last_seen_us, state.detected = t.point, time_us, t.detected
        state.trail.append((time_us, distance))
        if not state.unseen:
            del state.trail[:-self.edges.trail_len]
        if side == 0:
            return None  # inside the band: nothing is decided here
        crossed = state.side == -side and self._crosses(state.anchor, t.point)
        if state.unseen:  # the line itself decides, from its steady path (`edges`)
            if state.side == side and len(state.trail) <= self.edges.start_steps:
                return None  # born outside the band: its speed decides, once it has one
            start_us = self._start_us if state.at_start else None
            crossed = crossed or self.edges.crossed_after_start(state.trail, side, start_us, self._half_step_us)
            state.unseen = False
        state.side, state.anchor = side, t.point
        if not crossed or state.settled:
            return None
        if state.counted == -side:  # back where it came from: it never crossed
            state.counted = 0
            return Crossing(t.track_id, -side, time_us, state.object_id, withdrawn=True)
        state.counted = side
        return Crossing(t.track_id, side, time_us, state.object_id)

    def close(self, time_us: int) -> list[Crossing]:
        """The stream ended (a file, not a live break) with the frame at `time_us`: tracks in that frame
        still inside the band, passing the line by half a frame interval later, have crossed (`edges`)."""
        crossings = []
        for tid, state in self._tracks.items():
            if state.last_seen_us != time_us or state.settled or state.counted or state.side == 0 or not state.detected:
                continue
            side = -state.side
            if self.edges.crossed_before_end(state.trail, side, self._half_step_us) and self._crosses_ahead(state):
                state.counted = side
                crossings.append(Crossing(tid, side, time_us, state.object_id))
        return crossings

    def _crosses_ahead(self, state: _TrackState) -> bool:
        """Its path from the anchor, continued past its last point, meets the line segment."""
        (ax, ay), (lx, ly) = state.anchor, state.last
        return self._crosses(state.anchor, (lx + (lx - ax), ly + (ly - ay)))

    def _crosses(self, p: Point, q: Point) -> bool:
        return path_crosses(p, q, self.start, self.end, self.ray_start, self.ray_end)

    def settle(self, object_id: int) -> None:
        """The object's count is final: it will not count (or be withdrawn) again on this line."""
        for state in self._tracks.values():
            if state.object_id == object_id:
                state.settled = True

    def _take_over(self, t: TrackPoint, present: set[int], time_us: int) -> _TrackState | None:
        """A new id near where a track vanished recently is that track after an ID switch."""
        reach = max(self.margin_px * 4, self.handover_frac * t.box_height)
        best, best_d = None, reach
        for tid, s in self._tracks.items():
            if tid in present or time_us - s.last_seen_us > self.handover_s * 1e6:
                continue
            d = math.dist(s.last, t.point)
            if d <= best_d:
                best, best_d = tid, d
        if best is None:
            return None
        state = self._tracks.pop(best)
        self._tracks[t.track_id] = state
        return state

    def _forget(self, time_us: int) -> None:
        stale = [tid for tid, s in self._tracks.items() if time_us - s.last_seen_us > self.handover_s * 1e6]
        for tid in stale:
            del self._tracks[tid]
