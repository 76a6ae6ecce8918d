"""Detections of one frame and the pure filters applied before tracking (no model, no I/O)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The COCO classes the survey counts, by COCO id (T1).
COCO_CLASSES: dict[int, str] = {0: "person", 1: "bicycle", 2: "car", 3: "motorcycle", 5: "bus", 7: "truck"}
CLASS_IDS: dict[str, int] = {name: cid for cid, name in COCO_CLASSES.items()}
TWO_WHEELERS = (1, 3)
VEHICLES = (2, 5, 7)
PERSON = 0
BICYCLE = 1
MOTION = -1  # a moving blob of the background model: no class of its own (see `motion`)


@dataclass
class Detections:
    """N boxes in frame pixels: xyxy (N, 4), conf (N,), cls (N,) COCO ids. Tracker-compatible."""

    xyxy: np.ndarray
    conf: np.ndarray
    cls: np.ndarray

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self.conf)

    def __getitem__(self, mask: np.ndarray) -> Detections:
        return Detections(self.xyxy[mask], self.conf[mask], self.cls[mask])

    @property
    def xywh(self) -> np.ndarray:
        """Centre x, centre y, width, height (what ByteTrack reads)."""
        x1, y1, x2, y2 = self.xyxy.T
        return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=1)

    def above(self, min_conf: dict[int, float]) -> Detections:
        """Keep counted classes whose confidence reaches their class threshold."""
        if not len(self):
            return self
        floor = np.array([min_conf.get(int(c), np.inf) for c in self.cls])
        return self[self.conf >= floor]


def box_areas(xyxy: np.ndarray) -> np.ndarray:
    return (xyxy[..., 2] - xyxy[..., 0]) * (xyxy[..., 3] - xyxy[..., 1])


def intersections(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection area of every box of `a` (N, 4) with every box of `b` (M, 4), xyxy: (N, M)."""
    a, b = a[:, None, :], b[None, :, :]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    return iw * ih


def merge_riders(dets: Detections, overlap: float = 0.3) -> Detections:
    """A person riding a bicycle or motorcycle is part of that vehicle, not a pedestrian.

    A person is a rider when at least `overlap` of the person's box lies inside a two-wheeler
    box, the person's centre is above the vehicle's and the feet are not below its wheels. The
    pair becomes one box (their union, so the bottom is the wheel contact) of the two-wheeler
    class with the better confidence of the two: riders are often detected more surely than
    their bicycles.
    """
    persons = np.flatnonzero(dets.cls == PERSON)
    wheels = np.flatnonzero(np.isin(dets.cls, TWO_WHEELERS))
    if not len(persons) or not len(wheels):
        return dets
    p, w = dets.xyxy[persons][:, None, :], dets.xyxy[wheels][None, :, :]
    share = intersections(dets.xyxy[persons], dets.xyxy[wheels]) / np.maximum(box_areas(p), 1e-6)
    above = (p[..., 1] + p[..., 3]) < (w[..., 1] + w[..., 3])
    feet_ok = p[..., 3] <= w[..., 3] + 0.1 * (w[..., 3] - w[..., 1])
    share = np.where(above & feet_ok & (share >= overlap), share, 0)
    xyxy, conf, cls = dets.xyxy.copy(), dets.conf.copy(), dets.cls.copy()
    keep = np.ones(len(dets), bool)
    used: set[int] = set()
    for pi in np.argsort(-share.max(axis=1)):
        wi = int(np.argmax(share[pi]))
        if share[pi, wi] <= 0 or wi in used:
            continue
        used.add(wi)
        a, b = persons[pi], wheels[wi]
        xyxy[a, :2] = np.minimum(xyxy[a, :2], xyxy[b, :2])
        xyxy[a, 2:] = np.maximum(xyxy[a, 2:], xyxy[b, 2:])
        conf[a], cls[a] = max(conf[a], conf[b]), cls[b]
        keep[b] = False
    return Detections(xyxy, conf, cls)[keep]


def merge_vehicle_duplicates(dets: Detections, overlap: float = 0.7) -> Detections:
    """One vehicle seen as both car and truck (vans!) gives two boxes of different classes that
    per-class NMS keeps: drop the weaker one when it mostly covers the same area."""
    vehicles = np.flatnonzero(np.isin(dets.cls, VEHICLES))
    if len(vehicles) < 2:
        return dets
    boxes = dets.xyxy[vehicles]
    area = box_areas(boxes)
    smaller = np.maximum(np.minimum(area[:, None], area[None, :]), 1e-6)
    same = (intersections(boxes, boxes) / smaller >= overlap) & (dets.cls[vehicles][:, None] != dets.cls[vehicles][None, :])
    keep = np.ones(len(dets), bool)
    for i, j in zip(*np.nonzero(np.triu(same, 1))):
        weaker = vehicles[i] if dets.conf[vehicles[i]] < dets.conf[vehicles[j]] else vehicles[j]
        keep[weaker] = False
    return dets[keep]


def fuse_motion(dets: Detections, blobs: np.ndarray, conf: float, min_conf: dict[int, float],
                overlap: float = 0.3, same: float = 0.3) -> Detections:
    """The motion witness's evidence added to the detector's (both in frame pixels).

    - A blob that a detection (any class, any confidence the tracker still reads) covers by
      `overlap` of the smaller of the two is that object (or it with its shadow or a neighbour):
      it adds no box, so one object never gives the tracker two and a blob track cannot count
      again what the detector tracks.
    - A weak detection (below its class's `min_conf`) that a blob confirms (IoU >= `same`, and no
      confident detection on that blob) is a real moving object: it is raised to `conf`, so small
      far objects the detector barely sees can start a track with their class.
    - A blob no detection explains is appended as a MOTION box of confidence `conf`.
    """
    if not len(blobs):
        return dets
    dets = Detections(dets.xyxy, dets.conf.copy(), dets.cls)
    if len(dets):
        a, b = box_areas(blobs)[:, None], box_areas(dets.xyxy)[None, :]
        inter = intersections(blobs, dets.xyxy)
        covered = inter / np.maximum(np.minimum(a, b), 1e-6) >= overlap
        iou = inter / np.maximum(a + b - inter, 1e-6)
        floor = np.array([min_conf.get(int(c), np.inf) for c in dets.cls])
        strong = dets.conf >= floor
        for i in np.flatnonzero(~(covered & strong[None, :]).any(axis=1)):
            j = int(np.argmax(iou[i]))
            if iou[i, j] >= same:
                dets.conf[j] = max(dets.conf[j], conf)
        blobs = blobs[~covered.any(axis=1)]
        if not len(blobs):
            return dets
    n = len(blobs)
    return Detections(np.concatenate([dets.xyxy, blobs.astype(np.float32)]),
                      np.concatenate([dets.conf, np.full(n, conf, np.float32)]),
                      np.concatenate([dets.cls, np.full(n, MOTION, np.float32)]))


@dataclass
class ClassVotes:
    """A track's class, voted over its life (confidence-weighted), so one misread frame cannot
    turn a car into a truck. A person track is a rider when a real share of its votes says
    two-wheeler, when there is some two-wheeler evidence and it moves faster than people walk,
    or when it moves faster than people run (`pace`: median body heights per second; walking
    measures 0.5-0.7, cycling 2-3)."""

    weights: dict[int, float]

    @classmethod
    def new(cls) -> ClassVotes:
        return cls({})

    def add(self, cls_id: int, conf: float) -> None:
        self.weights[cls_id] = self.weights.get(cls_id, 0.0) + conf

    def winner(self, pace: float = 0.0, rider_share: float = 0.25, rider_pace: float = 1.5,
               wheel_pace: float = 2.0) -> int:
        top = max(self.weights, key=self.weights.__getitem__)
        wheels = {c: w for c, w in self.weights.items() if c in TWO_WHEELERS}
        if top == PERSON and not wheels:
            # >= 2 body heights/s (~12 km/h) is faster than people walk or jog: the bicycle
            # under this "person" was never detected (typical of low-resolution cameras).
            return BICYCLE if pace >= wheel_pace else PERSON
        if top not in (PERSON, *TWO_WHEELERS) or not wheels:
            return top
        share = sum(wheels.values()) / sum(self.weights.values())
        if share >= rider_share or pace >= rider_pace:
            return max(wheels, key=wheels.__getitem__)
        return top
