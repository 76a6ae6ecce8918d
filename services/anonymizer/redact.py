"""Pure image operations that destroy detail: box blur scaled to the box, polygon mosaic.

Blur strength scales with the box: each region is shrunk so the box is only a few pixels high,
then smoothed back up. A fixed kernel would leave large faces readable and waste time on small ones.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import cv2
import numpy as np

from services.anonymizer.detectors import Box

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
            image[y1:y2, x1:x2] = _smear(image[y1:y2, x1:x2], cells=_PERSON_CELLS)
            # Faces the face detectors missed sit in the top of the figure, standing or cut off.
            y2 = min(y2, y1 + max(1, round(_HEAD_PER_WIDTH * (x2 - x1))))
        image[y1:y2, x1:x2] = _smear(image[y1:y2, x1:x2], cells=_CELLS)
    return image


def _smear(roi: np.ndarray, cells: int) -> np.ndarray:
    rh, rw = roi.shape[:2]
    short = max(1, min(rh, rw))
    small = (max(1, round(rw * cells / short)), max(1, round(rh * cells / short)))
    tiny = cv2.resize(roi, small, interpolation=cv2.INTER_AREA)
    out = cv2.resize(tiny, (rw, rh), interpolation=cv2.INTER_LINEAR)
    k = max(3, (short // cells) | 1)
    return cv2.blur(out, (k, k))  # hide the cell edges, which carry shape


def scale_polygons(polygons: Sequence[Sequence[tuple[float, float]]], frame_size: tuple[int, int] | None,
                   width: int, height: int) -> list[np.ndarray]:
    """Mask polygons from the camera's `frame_size` coordinates to a width x height image."""
    if not polygons:
        return []
    fw, fh = frame_size if frame_size else (width, height)
    sx, sy = width / fw, height / fh
    return [np.round(np.array(p, np.float64) * (sx, sy)).astype(np.int32) for p in polygons]


def mosaic_mask(width: int, height: int, polygons: list[np.ndarray]) -> np.ndarray | None:
    """A boolean mask of the privacy polygons at this size (None when there are none)."""
    if not polygons:
        return None
    mask = np.zeros((height, width), np.uint8)
    cv2.fillPoly(mask, polygons, 255)
    return mask.astype(bool)


def apply_mosaic(image: np.ndarray, mask: np.ndarray | None, block: int = 16) -> np.ndarray:
    """Coarse mosaic inside the mask (houses, windows, private land), in place."""
    if mask is None:
        return image
    h, w = image.shape[:2]
    tiny = cv2.resize(image, (max(1, w // block), max(1, h // block)), interpolation=cv2.INTER_AREA)
    coarse = cv2.resize(tiny, (w, h), interpolation=cv2.INTER_NEAREST)
    image[mask] = coarse[mask]
    return image


def smear_cells(image: np.ndarray, cells: np.ndarray, cells_per_short_side: int = 4) -> np.ndarray:
    """Smear the grid cells marked True (unknown content) so hard that nothing in them can be
    recognised, in place: blobs about 1/`cells_per_short_side` of the frame's height."""
    h, w = image.shape[:2]
    rows, cols = np.nonzero(cells)
    gh, gw = cells.shape
    # only the bounding rectangle of the marked cells, with a blob of context around it
    step = max(1, min(h, w) // cells_per_short_side)
    x1, x2 = max(0, cols.min() * w // gw - step), min(w, (cols.max() + 1) * w // gw + step)
    y1, y2 = max(0, rows.min() * h // gh - step), min(h, (rows.max() + 1) * h // gh + step)
    roi = image[y1:y2, x1:x2]
    rh, rw = roi.shape[:2]
    tiny = cv2.resize(roi, (max(1, rw // step), max(1, rh // step)), interpolation=cv2.INTER_AREA)
    smooth = cv2.resize(tiny, (rw, rh), interpolation=cv2.INTER_LINEAR)  # blobs ~step px apart: no detail left
    mask = cv2.resize(cells.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)[y1:y2, x1:x2]
    cv2.copyTo(smooth, mask, roi)  # in place into the view (boolean indexing costs ~10x more)
    return image
