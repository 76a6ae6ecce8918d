"""Box blurs that destroy detail, scaled to the box: each region is shrunk so the box is only a few
pixels across, then smoothed back up. A fixed kernel would leave large faces readable and waste time
on small ones. Pure image operations, in place on a BGR frame.
"""
from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from roadcam.vision.detectors import Box

_CELLS = 3  # a redacted box keeps about this many "pixels" across its short side
BOX_MARGIN = {"face": 0.4, "plate": 0.2, "person": 0.1}  # widen boxes: detectors cut tight
_PERSON_CELLS = 6  # a figure keeps its rough shape (pedestrians stay visible as such) ...
_HEAD_PER_WIDTH = 0.7  # ... but its head band, this share of the box width high, is smeared like a face


def grow(box: Box, margin: float, width: int, height: int) -> tuple[int, int, int, int]:
    """Box widened by `margin` of its size on every side, clipped to the image, in ints."""
    w, h = box.x2 - box.x1, box.y2 - box.y1
    x1 = int(max(0, np.floor(box.x1 - margin * w)))
    y1 = int(max(0, np.floor(box.y1 - margin * h)))
    x2 = int(min(width, np.ceil(box.x2 + margin * w)))
    y2 = int(min(height, np.ceil(box.y2 + margin * h)))
    return x1, y1, x2, y2


def blur_boxes(image: np.ndarray, boxes: Iterable[Box], extra_margin: float = 0.0) -> np.ndarray:
    """Blur every box in place (image is the public-resolution frame) and return it."""
    h, w = image.shape[:2]
    for box in boxes:
        x1, y1, x2, y2 = grow(box, BOX_MARGIN.get(box.kind, 0.2) + extra_margin, w, h)
        if x2 - x1 < 1 or y2 - y1 < 1:
            continue
        if box.kind == "person":
            image[y1:y2, x1:x2] = smear(image[y1:y2, x1:x2], cells=_PERSON_CELLS)
            # Faces the face detectors missed sit in the top of the figure, standing or cut off.
            y2 = min(y2, y1 + max(1, round(_HEAD_PER_WIDTH * (x2 - x1))))
        image[y1:y2, x1:x2] = smear(image[y1:y2, x1:x2], cells=_CELLS)
    return image


def smear(roi: np.ndarray, cells: int) -> np.ndarray:
    rh, rw = roi.shape[:2]
    short = max(1, min(rh, rw))
    small = (max(1, round(rw * cells / short)), max(1, round(rh * cells / short)))
    tiny = cv2.resize(roi, small, interpolation=cv2.INTER_AREA)
    out = cv2.resize(tiny, (rw, rh), interpolation=cv2.INTER_LINEAR)
    k = max(3, (short // cells) | 1)
    return cv2.blur(out, (k, k))  # hide the cell edges, which carry shape
