"""Motion gate: which parts of the frame changed since the detectors last looked at the frame.

A coarse grid of cells over a small grey copy of each frame. The reference is the frame the
face and person detectors last looked at; a cell whose content moved away from the reference
is "changed". Changed cells that no held detection covers are unknown content (someone stepping
out from behind a bus) and are smeared in the public frame until the detectors look again.
Pure numpy/OpenCV; a few tenths of a millisecond per 1280x720 frame.
"""
from __future__ import annotations

import cv2
import numpy as np

from roadcam.vision.detectors import Box

_PX_PER_CELL = 4  # low-resolution pixels per cell side; each is an area average of the source


class MotionGate:
    def __init__(self, cells_x: int = 32, threshold: float = 10.0, scene_change: float = 0.5) -> None:
        self._cells_x, self._threshold, self._scene_change = cells_x, threshold, scene_change
        self._reference: np.ndarray | None = None
        self._current: np.ndarray | None = None
        self._previous: np.ndarray | None = None
        self._cut_share = 1.0  # cells changed since the previous frame (a cut changes most of them)

    def observe(self, image: np.ndarray) -> np.ndarray:
        """Changed cells (bool, rows x cols) of `image` against the reference; all of them when
        there is no reference or the frame size changed."""
        h, w = image.shape[:2]
        cols = self._cells_x
        rows = max(1, round(cols * h / w))
        small = cv2.resize(image, (cols * _PX_PER_CELL, rows * _PX_PER_CELL), interpolation=cv2.INTER_AREA)
        self._previous, self._current = self._current, cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        self._cut_share = float(self._cells(self._previous).mean()) if self._fits(self._previous) else 1.0
        if not self._fits(self._reference):
            return np.ones((rows, cols), bool)
        cells = self._cells(self._reference)
        # a neighbour of a changed cell may hold the part of the object below the threshold
        return cv2.dilate(cells.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)

    def _fits(self, other: np.ndarray | None) -> bool:
        return other is not None and other.shape == self._current.shape

    def _cells(self, other: np.ndarray) -> np.ndarray:
        rows, cols = other.shape[0] // _PX_PER_CELL, other.shape[1] // _PX_PER_CELL
        diff = cv2.absdiff(self._current, other).reshape(rows, _PX_PER_CELL, cols, _PX_PER_CELL)
        return diff.max(axis=(1, 3)) > self._threshold

    def is_scene_change(self) -> bool:
        """Most of the frame changed since the previous one (a cut, a camera moved): worth every
        detector now. Against the previous frame, not the reference: dense traffic changes half the
        cells within a second, never from one frame to the next."""
        return self._cut_share >= self._scene_change

    def looked(self) -> None:
        """The detectors have looked at the frame last observed: it is the new reference."""
        self._reference = self._current

    def reset(self) -> None:
        self._reference = None


def covered_cells(shape: tuple[int, int], boxes: list[tuple[Box, float]]) -> np.ndarray:
    """Cells lying entirely inside a held box (normalised coordinates, grown by its margin)."""
    rows, cols = shape
    covered = np.zeros(shape, bool)
    for box, margin in boxes:
        bw, bh = box.x2 - box.x1, box.y2 - box.y1
        c1 = int(np.ceil((box.x1 - margin * bw) * cols))
        r1 = int(np.ceil((box.y1 - margin * bh) * rows))
        c2 = int(np.floor((box.x2 + margin * bw) * cols))
        r2 = int(np.floor((box.y2 + margin * bh) * rows))
        if c2 > c1 and r2 > r1:
            covered[max(0, r1):max(0, r2), max(0, c1):max(0, c2)] = True
    return covered
