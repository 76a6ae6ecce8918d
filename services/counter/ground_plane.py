"""Queue length and speed from a ground-plane calibration (T3). Pure: numpy only.

A camera's `Calibration` gives four image points and the same points on the road in metres;
their homography maps a vehicle's reference point (bottom-centre: where it touches the road)
to metres. Speeds come from how far a track moves on the ground per second; a lane's queue
is the chain of (nearly) stopped vehicles starting at the lane's head (its stop line).
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from services.counter.bins import bin_start

Point = tuple[float, float]
VEHICLE_CLASSES = ("car", "bus", "truck", "motorcycle")


class Homography:
    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix

    @classmethod
    def from_pairs(cls, image_points: list[Point], ground_points: list[Point]) -> Homography:
        """Direct linear transform from four point pairs; rejects degenerate (collinear) sets."""
        if len(image_points) != 4 or len(ground_points) != 4:
            raise ValueError("a calibration needs exactly four image/ground point pairs")
        rows = []
        for (x, y), (u, v) in zip(image_points, ground_points):
            rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
            rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
        _, s, vt = np.linalg.svd(np.asarray(rows, float))
        if s[-2] < 1e-9 * s[0]:
            raise ValueError("calibration points are degenerate (three of them on one line?)")
        h = vt[-1].reshape(3, 3)
        return cls(h / h[2, 2])

    def scaled(self, sx: float, sy: float) -> Homography:
        """The same mapping for frames scaled by (sx, sy) from the calibrated frame size."""
        return Homography(self.matrix @ np.diag([1 / sx, 1 / sy, 1.0]))

    def to_ground(self, points: np.ndarray) -> np.ndarray:
        pts = np.asarray(points, float).reshape(-1, 2)
        homog = np.c_[pts, np.ones(len(pts))] @ self.matrix.T
        return homog[:, :2] / homog[:, 2:3]


@dataclass(frozen=True)
class QueueLane:
    """A lane for queue length in pixels of the analysed frames (the configured lane, scaled)."""

    id: str
    polygon: list[Point]
    head: Point  # where the queue starts (middle of the stop line)


def inside(polygon: list[Point], p: Point) -> bool:
    """Even-odd rule point-in-polygon."""
    x, y, result = p[0], p[1], False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            result = not result
    return result


@dataclass
class GroundTracks:
    """Recent ground positions per (in-memory) track id, for speeds. Ids never leave it."""

    homography: Homography
    window_s: float = 1.0  # speed is measured over at least this much time
    keep_s: float = 3.0
    _history: dict[int, deque] = field(default_factory=dict)

    def update(self, points: dict[int, Point], time_us: int) -> None:
        if points:
            ground = self.homography.to_ground(np.array(list(points.values())))
            for tid, g in zip(points, ground):
                h = self._history.setdefault(tid, deque())
                h.append((time_us, float(g[0]), float(g[1])))
                while h and time_us - h[0][0] > self.keep_s * 1e6:
                    h.popleft()
        for tid in [t for t, h in self._history.items() if time_us - h[-1][0] > self.keep_s * 1e6]:
            del self._history[tid]

    def speed_kmh(self, track_id: int) -> float | None:
        h = self._history.get(track_id)
        if not h or (h[-1][0] - h[0][0]) < self.window_s * 1e6:
            return None
        (t0, x0, y0), (t1, x1, y1) = h[0], h[-1]
        return math.hypot(x1 - x0, y1 - y0) / ((t1 - t0) / 1e6) * 3.6

    def heading(self, track_id: int) -> Point | None:
        """Ground direction of travel over the kept history (None: too little movement)."""
        h = self._history.get(track_id)
        if not h or math.hypot(h[-1][1] - h[0][1], h[-1][2] - h[0][2]) < 1.0:
            return None
        return h[-1][1] - h[0][1], h[-1][2] - h[0][2]

    def position(self, track_id: int) -> Point | None:
        h = self._history.get(track_id)
        return (h[-1][1], h[-1][2]) if h else None


@dataclass(frozen=True)
class QueueSample:
    lane_id: str
    length_m: float
    vehicles: int


def queue_lengths(lanes: list[QueueLane], homography: Homography, vehicles: list[tuple[Point, float | None]],
                  stopped_kmh: float = 7.0, max_gap_m: float = 15.0) -> list[QueueSample]:
    """vehicles: (image reference point, speed or None). The queue of a lane is the chain of
    slow vehicles from its head, each within `max_gap_m` of the previous one; its length is the
    ground distance from the head to the last vehicle of the chain."""
    out = []
    for lane in lanes:
        head = homography.to_ground(np.array([lane.head]))[0]
        slow = [p for p, v in vehicles if v is not None and v <= stopped_kmh and inside(lane.polygon, p)]
        dists = sorted(float(np.hypot(*(g - head))) for g in homography.to_ground(np.array(slow))) if slow else []
        length, count = 0.0, 0
        for d in dists:
            if d - length > max_gap_m:
                break
            length, count = d, count + 1
        out.append(QueueSample(lane.id, round(length, 1), count))
    return out


@dataclass(frozen=True)
class SpeedBin:
    camera_id: str
    line_id: str
    object_class: str
    bin_start_us: int
    bin_seconds: int
    count: int
    mean_kmh: float
    p85_kmh: float
    final: bool


@dataclass
class SpeedBins:
    """Speeds of counted vehicles per camera, line, class and bin (mean and 85th percentile)."""

    bin_seconds: tuple[int, ...] = (300, 900, 3600)
    grace_s: float = 10.0
    _values: dict[tuple[str, str, str, int, int], list[float]] = field(default_factory=dict)

    def add(self, camera_id: str, line_id: str, object_class: str, time_us: int, kmh: float) -> None:
        for seconds in self.bin_seconds:
            key = (camera_id, line_id, object_class, bin_start(time_us, seconds), seconds)
            self._values.setdefault(key, []).append(kmh)

    def close_due(self, now_us: dict[str, int]) -> list[SpeedBin]:
        done = []
        for key in list(self._values):
            camera_id, _, _, start, seconds = key
            if now_us.get(camera_id, 0) >= start + seconds * 1_000_000 + self.grace_s * 1e6:
                done.append(self._summary(key, self._values.pop(key), True))
        return done

    def open_bins(self) -> list[SpeedBin]:
        """Copies of the bins still open (final=False): a speed chart fills before its bin closes."""
        return [self._summary(k, v, False) for k, v in self._values.items()]

    def close_all(self) -> list[SpeedBin]:
        out = self.open_bins()
        self._values.clear()
        return out

    @staticmethod
    def _summary(key: tuple, values: list[float], final: bool) -> SpeedBin:
        arr = np.asarray(values)
        return SpeedBin(*key, count=len(values), mean_kmh=round(float(arr.mean()), 1),
                        p85_kmh=round(float(np.percentile(arr, 85)), 1), final=final)
