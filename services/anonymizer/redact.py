"""Pure image operations that destroy detail: polygon mosaic and unknown-cell smear here; the box
blur scaled to the box is shared with the api's redaction (`roadcam.vision.blur`)."""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


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
