"""One camera's counting pipeline after detection: filter, track, trigger lines, vote classes.

Shared by the service and `roadcam count`, so both count identically. A crossing is held for
`settle_s` (or until its track ends) so the class is voted over more of the track's life; the
finished `CountedCrossing` carries no track id.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from services.counter.census import SizeBasis, SizeLimits, SizeReference, footprint_m, judge_size
from services.counter.detections import (
    COCO_CLASSES, CLASS_IDS, MOTION, ClassVotes, Detections, fuse_motion, merge_riders, merge_vehicle_duplicates,
)
from services.counter.motion import GreyFrame, MotionWitness
from services.counter.persistence import WeakTrail
from services.counter.region import Region
from services.counter.geometry import Anchor, Crossing, Point, TrackPoint, TripLine, reference_point
from services.counter.tracking import ObjectTracker, Track
from services.counter.ground_plane import VEHICLE_CLASSES, GroundTracks

log = logging.getLogger(__name__)
DEFAULT_MIN_CONF = {"person": 0.3, "bicycle": 0.25, "car": 0.25, "motorcycle": 0.25, "bus": 0.3, "truck": 0.3}


class CountingTuning(BaseModel):
    """How detections become counts; the same for every camera of a service and for the CLI."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_conf: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_MIN_CONF), description="per-class confidence to start a track"
    )
    anchors: dict[str, Anchor] = Field(
        default_factory=dict, description="reference point per class; bottom_center if absent"
    )
    track_buffer_s: float = Field(1.5, gt=0, le=10, description="how long a lost track may come back")
    settle_s: float = Field(2.0, ge=0, le=10, description="class voting continues this long after a crossing")
    margin_frac: float = Field(0.1, ge=0, le=1, description="hysteresis band as a fraction of box height")
    margin_px: float = Field(2.0, ge=0, le=50, description="minimum hysteresis half-width in pixels")
    merge_riders: bool = Field(True, description="persons on a bicycle/motorcycle are not pedestrians")
    motion: bool = Field(True, description="moving blobs the detector misses are tracked and can count")
    motion_conf: float = Field(0.35, gt=0, le=1, description="tracker confidence given to a moving blob")
    motion_min_frames: int = Field(4, ge=1, le=100, description="frames a motion-only track needs to count")
    weak_frames: int = Field(3, ge=0, le=20, description=(
        "consecutive analysed frames a weak detection that moves needs to start a track; 0: never"))
    large_length_m: float = Field(5.5, gt=0, le=30, description="大型 from this ground length (calibrated)")
    large_width_m: float = Field(2.2, gt=0, le=5, description="大型 from this ground width (calibrated, view along the road)")
    large_area_ratio: float = Field(2.2, gt=1, le=20, description="大型 from this box area over the median car's")
    region_margin_frac: float = Field(0.3, ge=0, le=1, description=(
        "the detector looks at the counting lines grown by this share of the frame's width and height "
        "(and at lanes and calibration); 1: always the whole frame"))


@dataclass(frozen=True)
class CountedCrossing:
    line_id: str
    direction: int  # +1 POS, -1 NEG
    object_class: str  # COCO name
    time_us: int
    speed_kmh: float | None = None  # only where the camera is calibrated (T3)
    large: bool | None = None  # 大型 by size (census, T1); None: not a sized class
    size_basis: str = SizeBasis.CLASS_ONLY.value
    witness: str = "detector"  # "motion": only the background model saw it


@dataclass
class _Pending:
    track_id: int
    line_id: str
    direction: int
    time_us: int
    object_id: int
    box: tuple[float, float, float, float]


@dataclass
class _Pace:
    """Typical (median) motion of a track over windows of >= `window_us`, in box heights/s."""

    window_us: int = 400_000
    samples: list[tuple[int, float, float, float]] = field(default_factory=list)  # t, x, y, h
    speeds: list[float] = field(default_factory=list)

    @property
    def typical(self) -> float:
        return sorted(self.speeds)[len(self.speeds) // 2] if self.speeds else 0.0

    def add(self, time_us: int, point: tuple[float, float], height: float) -> None:
        self.samples.append((time_us, point[0], point[1], max(height, 1.0)))
        while len(self.samples) > 2 and time_us - self.samples[1][0] >= self.window_us:
            self.samples.pop(0)
        t0, x0, y0, h0 = self.samples[0]
        if time_us - t0 >= self.window_us:
            h = (h0 + height) / 2
            speed = ((point[0] - x0) ** 2 + (point[1] - y0) ** 2) ** 0.5 / h / ((time_us - t0) / 1e6)
            self.speeds.append(speed)


@dataclass
class CameraCounter:
    lines: list[TripLine]
    tracker: ObjectTracker
    tuning: CountingTuning = field(default_factory=CountingTuning)
    ground: GroundTracks | None = None  # calibrated cameras only: speeds and queues (T3)
    witness: MotionWitness | None = None  # the background model (None: detector only)
    region: Region | None = None  # where the detector looks (None: the whole frame); blobs are kept to it
    _sizes: SizeReference = field(default_factory=SizeReference)
    _seen: dict[int, int] = field(default_factory=dict)  # frames per track
    _boxes: dict[int, tuple[float, float, float, float]] = field(default_factory=dict)  # latest per track
    _first: dict[int, tuple[float, float]] = field(default_factory=dict)  # where each track was first seen
    _path: dict[int, float] = field(default_factory=dict)  # distance each track's point travelled
    _votes: dict[int, ClassVotes] = field(default_factory=dict)
    _pace: dict[int, _Pace] = field(default_factory=dict)
    _last_seen: dict[int, int] = field(default_factory=dict)
    _pending: list[_Pending] = field(default_factory=list)
    current: list[Track] = field(default_factory=list)  # this frame's tracks
    _now_us: int | None = None  # the latest frame's time

    def __post_init__(self) -> None:
        self._min_conf = {CLASS_IDS[n]: c for n, c in self.tuning.min_conf.items() if n in CLASS_IDS}
        # The tracker's second stage uses weaker boxes; only new tracks need min_conf.
        self._floor = {cid: min(0.1, c) for cid, c in self._min_conf.items()}
        self._min_conf[MOTION] = self.tuning.motion_conf - 1e-6  # blobs carry it as float32
        self._lines = {line.line_id: line for line in self.lines}
        t = self.tuning
        self._limits = SizeLimits(t.large_length_m, t.large_width_m, t.large_area_ratio)
        self._weak = WeakTrail(frames=t.weak_frames)

    def observe(self, image: np.ndarray | GreyFrame, dets: Detections, time_us: int) -> list[CountedCrossing]:
        """Feed one analysed frame (for the motion witness; a `GreyFrame` if one was made) and its detections."""
        blobs = self.witness.update(image, time_us) if self.witness is not None else None
        if blobs is not None and self.region is not None and len(blobs):
            blobs = blobs[self.region.holds(blobs)]  # outside, the detector cannot confirm or refute them
        return self.update(dets, time_us, blobs)

    def update(self, dets: Detections, time_us: int, blobs=None) -> list[CountedCrossing]:
        """Feed one frame's detections (and moving blobs, xyxy); returns crossings whose class
        is now settled."""
        dets = dets.above(self._floor)
        if self.tuning.merge_riders:
            dets = merge_riders(dets)
        dets = merge_vehicle_duplicates(dets)
        tracked = np.array([t.box for t in self.current], np.float32)  # the previous frame's
        dets = self._weak.confirm(dets, self._min_conf, self.tuning.motion_conf, tracked)
        if blobs is not None:
            dets = fuse_motion(dets, blobs, self.tuning.motion_conf, self._min_conf)
        tracks = [t for t in self.tracker.update(dets) if self._believable(t)]
        self.current, self._now_us = tracks, time_us
        if self.ground is not None:
            self.ground.update({t.track_id: reference_point(t.box) for t in tracks}, time_us)
        for t in tracks:
            votes = self._votes.setdefault(t.track_id, ClassVotes.new())
            if t.cls != MOTION:  # a blob is evidence of motion, not of a class
                votes.add(t.cls, t.conf)
            self._seen[t.track_id] = self._seen.get(t.track_id, 0) + 1
            self._step(t)
            self._pace.setdefault(t.track_id, _Pace()).add(time_us, self._point(t), t.box[3] - t.box[1])
            self._last_seen[t.track_id] = time_us
        for line in self.lines:
            points = [TrackPoint(t.track_id, self._point(t), t.box[3] - t.box[1], bool(self._votes[t.track_id].weights))
                      for t in tracks]
            for c in line.trigger(points, time_us):
                self._on_crossing(line.line_id, c)
        return self._settled(time_us)

    def _on_crossing(self, line_id: str, c: Crossing) -> None:
        if not c.withdrawn:
            self._pending.append(_Pending(c.track_id, line_id, c.direction, c.time_us, c.object_id,
                                          self._boxes[c.track_id]))
            return
        # It went back before its count settled: that crossing never happened.
        self._pending = [p for p in self._pending if (p.line_id, p.object_id) != (line_id, c.object_id)]
        log.debug("crossing %s %+d of object %d withdrawn: it went back", line_id, c.direction, c.object_id)

    def finish(self) -> list[CountedCrossing]:
        """End of a file: crossings its last frame cut short are decided by the lines (see `edges`),
        then everything settles. Not for a live stream's break: its next stream decides those."""
        for line in self.lines if self._now_us is not None else []:
            for c in line.close(self._now_us):
                self._on_crossing(line.line_id, c)
        return self.flush()

    def flush(self) -> list[CountedCrossing]:
        """End of input: settle everything still pending."""
        done = [self._finish(p) for p in self._pending]
        self._pending.clear()
        return [c for c in done if c is not None]

    def _believable(self, t: Track) -> bool:
        # A track counts only once it has been seen with its class's confidence at least once.
        votes = self._votes.get(t.track_id)
        return votes is not None or t.conf >= self._min_conf.get(t.cls, 1.0)

    def _point(self, t: Track) -> tuple[float, float]:
        anchor = self.tuning.anchors.get(COCO_CLASSES.get(t.cls, ""), Anchor.BOTTOM_CENTER)
        return reference_point(t.box, anchor)

    def _settled(self, now_us: int) -> list[CountedCrossing]:
        settle_us = self.tuning.settle_s * 1e6
        gone_us = 0.5e6
        ready = [p for p in self._pending if now_us - p.time_us >= settle_us
                 or now_us - self._last_seen.get(p.track_id, 0) >= gone_us]
        self._pending = [p for p in self._pending if p not in ready]
        for p in ready:
            self._lines[p.line_id].settle(p.object_id)
        done = [self._finish(p) for p in ready]
        self._forget(now_us)
        return [c for c in done if c is not None]

    def _finish(self, p: _Pending) -> CountedCrossing | None:
        votes, speed = self._votes[p.track_id], None
        if self.ground is not None:
            speed = self.ground.speed_kmh(p.track_id)
        if not votes.weights:  # only the background model saw it
            if not self._travelled(p.track_id):
                return None  # a flicker or a swaying branch, not a vehicle
            size = self._size(p, "car")
            cls = "truck" if size.large else "car"
            return CountedCrossing(p.line_id, p.direction, cls, p.time_us, speed, size.large, size.basis.value, "motion")
        pace = self._pace[p.track_id].typical
        cls = COCO_CLASSES[votes.winner(pace)]
        log.debug("crossing %s %+d votes %s pace %.2f", p.line_id, p.direction, votes.weights, pace)
        size = self._size(p, cls)
        if cls == "car":
            self._sizes.add_car(p.line_id, p.box)
        if size is None:
            return CountedCrossing(p.line_id, p.direction, cls, p.time_us, speed)
        return CountedCrossing(p.line_id, p.direction, cls, p.time_us, speed, size.large, size.basis.value)

    def _step(self, t: Track) -> None:
        point, before = self._point(t), self._boxes.get(t.track_id)
        if before is not None:
            bx, by = reference_point(before)
            self._path[t.track_id] = self._path.get(t.track_id, 0.0) + ((point[0] - bx) ** 2 + (point[1] - by) ** 2) ** 0.5
        self._boxes[t.track_id] = t.box
        self._first.setdefault(t.track_id, point)

    def _travelled(self, track_id: int) -> bool:
        """A motion-only track counts once seen `motion_min_frames` times and moved on by at least
        twice its box height, mostly in one direction (a branch sways and a flicker blinks in place; a
        vehicle goes somewhere)."""
        box, first = self._boxes.get(track_id), self._first.get(track_id)
        if self._seen.get(track_id, 0) < self.tuning.motion_min_frames or box is None or first is None:
            return False
        x, y = reference_point(box)
        net = ((x - first[0]) ** 2 + (y - first[1]) ** 2) ** 0.5
        return net >= 2 * (box[3] - box[1]) and net >= 0.5 * self._path.get(track_id, 0.0)

    def _size(self, p: _Pending, cls: str):
        ground = None
        if self.ground is not None:
            ground = footprint_m(self.ground.homography.to_ground, p.box, self.ground.heading(p.track_id))
        ratio = self._sizes.ratio(p.line_id, p.box, self._limits.min_references)
        return judge_size(cls, self._limits, ground, ratio)

    def vehicles_now(self) -> list[tuple[tuple[float, float], float | None]]:
        """Ground contact point and speed of each vehicle in the latest frame (for queues)."""
        if self.ground is None:
            return []
        return [(reference_point(t.box), self.ground.speed_kmh(t.track_id)) for t in self.current
                if COCO_CLASSES.get(self._vote_of(t.track_id)) in VEHICLE_CLASSES]

    def _vote_of(self, track_id: int) -> int:
        votes = self._votes.get(track_id)
        if votes is None:
            return -1
        return votes.winner() if votes.weights else CLASS_IDS["car"]  # moving, seen by motion only

    def _forget(self, now_us: int) -> None:
        keep_us = (self.tuning.track_buffer_s + self.tuning.settle_s + 1) * 1e6
        waiting = {p.track_id for p in self._pending}
        for tid in [t for t, seen in self._last_seen.items() if now_us - seen > keep_us and t not in waiting]:
            del self._last_seen[tid]
            self._votes.pop(tid, None)
            self._pace.pop(tid, None)
            self._seen.pop(tid, None)
            self._boxes.pop(tid, None)
            self._first.pop(tid, None)
            self._path.pop(tid, None)


LineSpec = tuple[str, Point, Point]  # id, start, end (pixels of the analysed frames)


def build_counter(lines: list[LineSpec], frame_size: tuple[int, int], fps: float, tuning: CountingTuning,
                  ground: GroundTracks | None = None, measured: Sequence[Sequence[Point]] = ()) -> CameraCounter:
    """A camera's counter with its trip lines built complete from the tuning; `measured`: the
    polygons where queues and speeds are measured (the analysis region holds them too)."""
    trip_lines = [TripLine.across(lid, a, b, frame_size=frame_size, margin_frac=tuning.margin_frac,
                                  margin_px=tuning.margin_px) for lid, a, b in lines]
    witness = MotionWitness(fps) if tuning.motion else None
    region = Region.around([(a, b) for _, a, b in lines], measured, frame_size, tuning.region_margin_frac)
    return CameraCounter(trip_lines, ObjectTracker(fps, buffer_s=tuning.track_buffer_s), tuning, ground=ground,
                         witness=witness, region=region)
