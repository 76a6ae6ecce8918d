"""Motion as a second witness: moving blobs from a background model of the analysed frames.

Pure: numpy and OpenCV, no I/O, no model. On low-resolution CCTV the detector cannot see many
15-25 px vehicles at all; a background subtractor sees anything that moves. Each camera has
its own `MotionWitness`: OpenCV MOG2 on a grey copy at most `work_width` px wide, with
- shadow suppression (MOG2 marks shadows 127; only 255 is foreground),
- a warm-up (`warmup_s` of video) during which it only learns and reports nothing,
- adaptation to light: when a large share of the picture changes at once (clouds, street
  lights switching, auto exposure, IR mode) it relearns quickly and reports nothing meanwhile,
- opening (speckle, rain, sensor noise) and closing (one vehicle split by its windows) of the mask.

Blobs are boxes in frame pixels; fusion with the detector happens in `counting`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np


@dataclass(frozen=True)
class MotionTuning:
    work_width: int = 320  # background model resolution (cost and noise both fall with it)
    history_s: float = 20.0
    var_threshold: float = 24.0
    warmup_s: float = 0.3  # MOG2 learns fast at first (rate 1/n): a few frames give a usable model
    light_change_frac: float = 0.35  # foreground share that means "the light changed", not traffic
    relearn_s: float = 1.0  # after a light change: learn fast and report nothing this long
    min_area_frac: float = 0.0004  # smallest blob, share of the picture (320x240: 31 px)
    max_area_frac: float = 0.2
    min_fill: float = 0.3  # blob pixels / box area: thin streaks (wires, branches) are not vehicles


@dataclass(frozen=True)
class GreyFrame:
    """A grey copy of one analysed frame at most `width` px wide, and frame pixels per pixel of it.
    The motion witness and the view check both read it, so a frame is converted and shrunk once."""

    pixels: np.ndarray
    scale: float

    @classmethod
    def of(cls, image: np.ndarray, width: int = MotionTuning.work_width) -> GreyFrame:
        h, w = image.shape[:2]
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        if w <= width:
            return cls(grey, 1.0)
        return cls(cv2.resize(grey, (width, round(h * width / w)), interpolation=cv2.INTER_AREA), w / width)


@dataclass
class MotionWitness:
    fps: float
    tuning: MotionTuning = field(default_factory=MotionTuning)
    _model: cv2.BackgroundSubtractorMOG2 | None = field(default=None, init=False, repr=False)
    _start_us: int | None = field(default=None, init=False)
    _quiet_until_us: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._reset()
        self._open = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        self._close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))

    def _reset(self) -> None:
        t = self.tuning
        self._model = cv2.createBackgroundSubtractorMOG2(
            history=max(10, round(t.history_s * self.fps)), varThreshold=t.var_threshold, detectShadows=True)

    def update(self, image: np.ndarray | GreyFrame, time_us: int) -> np.ndarray:
        """This frame's moving blobs as an (N, 4) xyxy array in the frame's pixels."""
        grey = image if isinstance(image, GreyFrame) else GreyFrame.of(image, self.tuning.work_width)
        return self._update(grey.pixels, grey.scale, time_us)

    def _update(self, small: np.ndarray, scale: float, time_us: int) -> np.ndarray:
        t = self.tuning
        if self._start_us is None:
            self._start_us = time_us
        mask = self._model.apply(small, learningRate=-1)
        fg = mask == 255
        if fg.mean() > t.light_change_frac:
            # The whole picture changed: relearn from scratch, quickly, and report nothing meanwhile.
            self._reset()
            self._model.apply(small, learningRate=1.0)
            self._quiet_until_us = time_us + int(t.relearn_s * 1e6)
            return _NO_BLOBS
        if time_us - self._start_us < t.warmup_s * 1e6 or time_us < self._quiet_until_us:
            return _NO_BLOBS
        return self._blobs(fg, scale)

    def _blobs(self, fg: np.ndarray, scale: float) -> np.ndarray:
        t = self.tuning
        mask = cv2.morphologyEx(fg.astype(np.uint8) * 255, cv2.MORPH_OPEN, self._open)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, self._close)
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        area = mask.shape[0] * mask.shape[1]
        x, y, w, h, a = (stats[1:, i] for i in range(5))
        keep = (a >= t.min_area_frac * area) & (a <= t.max_area_frac * area) & (a >= t.min_fill * w * h)
        if n <= 1 or not keep.any():
            return _NO_BLOBS
        boxes = np.stack([x, y, x + w, y + h], 1)[keep].astype(np.float32)
        return boxes * scale


_NO_BLOBS = np.zeros((0, 4), np.float32)
