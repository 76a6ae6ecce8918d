"""Persistence as a witness: a weak detection the detector repeats along a path is an object.

Pure: numpy, no I/O, no model. On low-resolution CCTV a far cyclist or pedestrian may be a
0.13-0.27 "person" in every frame and never reach the confidence that starts a track, while the
background model has not yet learnt the scene (the first second of a stream) or cannot separate
it from its neighbours. A false detection flickers or stays put (a sign, a bollard); a real object
comes back frame after frame and moves. `WeakTrail` follows the weak detections from frame to
frame and raises one to the tracker's starting confidence once it has been seen in
`frames` consecutive analysed frames, of one class, and has moved steadily over them (by
`move_frac` of its height, every step forward: jitter and jumps between neighbours are not motion).
A weak box that overlaps a confident box of its frame or an object the tracker already follows
(by `overlap` of the smaller of the two) is that object, or part of it, and is never raised: this
starts tracks only where nothing is tracked, so one object never gets a second track from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from services.counter.detections import Detections, box_areas, intersections
from services.counter.tracking import buffered_iou


@dataclass(frozen=True)
class _Link:
    box: np.ndarray  # xyxy
    cls: int
    path: tuple[tuple[float, float], ...]  # its bottom centres, oldest first, this frame's last
    raised: bool = False  # this frame's box was raised: the track on it is this object's own


@dataclass
class WeakTrail:
    frames: int = 3  # 0: never raise anything
    min_conf: float = 0.12  # weaker boxes are noise even when repeated
    move_frac: float = 0.3
    step_frac: float = 0.05  # and every step on by this share of its height: jitter is not motion
    grow: float = 0.5  # boxes grown by this share of their size still link (sampled frames)
    overlap: float = 0.3
    _previous: list[_Link] = field(default_factory=list)

    def confirm(self, dets: Detections, start_conf: dict[int, float], raise_to: float,
                tracked: np.ndarray | None = None) -> Detections:
        """`dets` with each persistent weak detection's confidence raised to `raise_to` (at least its start).
        `start_conf`: per COCO id, the confidence that starts a track (weak is below it); `tracked`:
        xyxy boxes of the objects the tracker follows (its latest frame)."""
        if not self.frames or not len(dets):
            self._previous = []
            return dets
        floor = np.array([start_conf.get(int(c), np.inf) for c in dets.cls])
        strong = dets.conf >= floor
        weak = np.flatnonzero(~strong & (dets.conf >= self.min_conf) & np.isfinite(floor))
        weak = weak[~_overlaps(dets.xyxy[weak], dets.xyxy[strong], self.overlap)]
        on_tracked = _overlaps(dets.xyxy[weak], np.zeros((0, 4)) if tracked is None else tracked, self.overlap)
        conf, links = dets.conf.copy(), []
        for i, on_track in zip(weak, on_tracked):
            link = self._follow(dets.xyxy[i], int(dets.cls[i]))
            if on_track and not link.raised:
                continue  # a tracked object (or part of it), not one the tracker misses
            persistent = len(link.path) >= self._window and self._steady(link)
            if persistent:
                conf[i] = max(conf[i], raise_to, floor[i])
            links.append(replace(link, raised=persistent))
        self._previous = links
        return Detections(dets.xyxy, conf, dets.cls)

    @property
    def _window(self) -> int:
        return max(self.frames, 2)  # motion needs two positions

    def _follow(self, box: np.ndarray, cls: int) -> _Link:
        here = (float(box[0] + box[2]) / 2, float(box[3]))
        same = [p for p in self._previous if p.cls == cls]
        if same:
            overlap = buffered_iou(np.array([p.box for p in same]), box[None, :], self.grow)[:, 0]
            best = int(np.argmax(overlap))
            if overlap[best] > 0:
                return _Link(box, cls, (*same[best].path, here)[-self._window:], same[best].raised)
        return _Link(box, cls, (here,))

    def _steady(self, link: _Link) -> bool:
        """Moved on by `move_frac` of its height over its path, every step forward by `step_frac`
        (a box jumping between two parked cars, or trembling in place, never is)."""
        path = np.array(link.path)
        net = path[-1] - path[0]
        height = max(float(link.box[3] - link.box[1]), 1.0)
        distance = float(np.hypot(*net))
        if distance < self.move_frac * height:
            return False
        forward = np.diff(path, axis=0) @ (net / distance)
        return bool((forward >= self.step_frac * height).all())


def _overlaps(boxes: np.ndarray, others: np.ndarray, share: float) -> np.ndarray:
    """Per box: does it share at least `share` of the smaller area with one of `others`?"""
    if not len(boxes) or not len(others):
        return np.zeros(len(boxes), bool)
    smaller = np.minimum(box_areas(boxes)[:, None], box_areas(others)[None, :])
    return (intersections(boxes, others) / np.maximum(smaller, 1e-6) >= share).any(axis=1)
