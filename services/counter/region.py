"""The analysis region: the part of a camera's picture the counter needs the detector to look at.

Pure geometry, no I/O. Counting happens on lines; a vehicle must be seen while it approaches a
line, crosses it and leaves, and whole (a box's bottom centre crosses, its top is a vehicle's
height above). So the region is every counting line's box grown by `margin_frac` of the frame's
width and height, plus any lane or calibration polygon (queues and speeds are measured there).
On a 16:9 road camera with one line across the carriageway this is about 60 % of the rows, and
three such crops share one detector input at the detail one whole frame gets (two whole frames
do at 0.89 of it): a third fewer inferences, nothing smaller. A crop is used only where it packs
more frames per inference than the whole frame, at no less detail (`mosaic.crop_floor`).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from services.counter.detections import Detections

Point = tuple[float, float]
WHOLE_FRAME_SHARE = 0.9  # a region this close to the whole frame is the whole frame


@dataclass(frozen=True)
class Region:
    """A rectangle of frame pixels: [x0, x1) x [y0, y1)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def size(self) -> tuple[int, int]:
        return self.x1 - self.x0, self.y1 - self.y0

    @classmethod
    def around(cls, lines: Sequence[tuple[Point, Point]], polygons: Iterable[Sequence[Point]],
               frame_size: tuple[int, int], margin_frac: float) -> Region | None:
        """The region for these lines and polygons in a frame of `frame_size`; None when it is
        (nearly) the whole frame or there is nothing to look at."""
        w, h = frame_size
        boxes = []
        mx, my = margin_frac * w, margin_frac * h
        for a, b in lines:
            boxes.append((min(a[0], b[0]) - mx, min(a[1], b[1]) - my, max(a[0], b[0]) + mx, max(a[1], b[1]) + my))
        for poly in polygons:
            xs, ys = [p[0] for p in poly], [p[1] for p in poly]
            if xs:
                boxes.append((min(xs), min(ys), max(xs), max(ys)))
        if not boxes:
            return None
        x0, y0 = max(0, int(min(b[0] for b in boxes))), max(0, int(min(b[1] for b in boxes)))
        x1, y1 = min(w, int(np.ceil(max(b[2] for b in boxes)))), min(h, int(np.ceil(max(b[3] for b in boxes))))
        if x1 - x0 < 2 or y1 - y0 < 2 or (x1 - x0) * (y1 - y0) >= WHOLE_FRAME_SHARE * w * h:
            return None
        return cls(x0, y0, x1, y1)

    def crop(self, image: np.ndarray) -> np.ndarray:
        """A view (no copy) of the region of a frame."""
        return image[self.y0:self.y1, self.x0:self.x1]

    def to_frame(self, dets: Detections) -> Detections:
        """Detections in the crop's pixels -> the frame's."""
        if not len(dets):
            return dets
        return Detections(dets.xyxy + np.array([self.x0, self.y0, self.x0, self.y0], np.float32), dets.conf, dets.cls)

    def holds(self, boxes: np.ndarray) -> np.ndarray:
        """Which (N, 4) xyxy boxes have their centre inside the region."""
        cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
        return (cx >= self.x0) & (cx < self.x1) & (cy >= self.y0) & (cy < self.y1)
