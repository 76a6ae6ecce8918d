"""Camera self-diagnosis from cheap statistics of the analysed frames. Pure: numpy and OpenCV.

Counts from a camera that cannot see are worse than no counts: they look like empty roads.
Each analysed frame is reduced to a small grey thumbnail (~1 ms); from it and a reference
learned while the view looked healthy, a `ViewCheck` reports these faults:

- frozen: consecutive frames identical (a hung encoder repeats its last picture);
- covered: almost no structure left (lens covered, bagged, sprayed, filled by fog or a leaf);
- defocus: sharpness far below the learned reference (lens out of focus, water, dirt);
- dark: too little light to count (night without IR, IR lamp failed);
- glare: a large part of the picture saturated (sun, headlights straight into the lens);
- moved: the static scene shifted against the reference (the camera was turned: lines no longer fit).

A fault is reported once it has held for `hold_s` and cleared once absent for `hold_s`, so one
odd frame (a truck filling the view, a flash) changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

FAULTS = ("frozen", "covered", "defocus", "dark", "glare", "moved")
_THUMB_W = 160


@dataclass(frozen=True)
class ViewStats:
    """What one frame tells about the camera."""

    brightness: float  # mean grey, 0-255
    contrast: float  # std of grey
    sharpness: float  # mean |Laplacian| of the thumbnail
    saturated: float  # fraction of pixels >= 250
    change: float  # mean |difference| to the previous thumbnail (grey levels); -1 for the first
    thumb: np.ndarray = field(repr=False, compare=False)

    @classmethod
    def of(cls, image: np.ndarray, previous: np.ndarray | None) -> ViewStats:
        h, w = image.shape[:2]
        small = cv2.resize(image, (_THUMB_W, max(8, round(h * _THUMB_W / w))), interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        grey_f = grey.astype(np.float32)
        change = float(np.abs(grey_f - previous).mean()) if previous is not None and previous.shape == grey.shape else -1.0
        return cls(float(grey_f.mean()), float(grey_f.std()), float(np.abs(cv2.Laplacian(grey_f, cv2.CV_32F)).mean()),
                   float((grey >= 250).mean()), change, grey_f)


@dataclass(frozen=True)
class ViewLimits:
    """Thresholds; the defaults were set on the dev clips with synthetic faults (tests/unit/counter)."""

    hold_s: float = 3.0
    warmup_s: float = 5.0  # reference learned over this much healthy video
    frozen_change: float = 0.001  # grey levels: a live picture is never repeated this exactly (static scenes: >= 0.004)
    covered_contrast: float = 12.0
    covered_sharpness_frac: float = 0.06
    defocus_sharpness_frac: float = 0.45
    dark_brightness: float = 30.0
    glare_saturated: float = 0.25
    moved_shift_frac: float = 0.03  # of the thumbnail width
    moved_response: float = 0.2  # phase correlation peak needed to trust a shift


@dataclass
class _Hold:
    since_us: int | None = None
    clear_since_us: int | None = None
    active: bool = False

    def step(self, present: bool, time_us: int, hold_us: int) -> None:
        if present:
            self.clear_since_us = None
            self.since_us = time_us if self.since_us is None else self.since_us
            self.active = self.active or time_us - self.since_us >= hold_us
        else:
            self.since_us = None
            self.clear_since_us = time_us if self.clear_since_us is None else self.clear_since_us
            self.active = self.active and time_us - self.clear_since_us < hold_us


@dataclass
class ViewCheck:
    """One camera's self-diagnosis; feed every analysed frame, read `faults`."""

    limits: ViewLimits = field(default_factory=ViewLimits)
    _previous: np.ndarray | None = None
    _reference: np.ndarray | None = None  # healthy thumbnail (running mean while healthy)
    _sharpness: float | None = None
    _healthy_us: int = 0
    _last_us: int | None = None
    _holds: dict[str, _Hold] = field(default_factory=lambda: {f: _Hold() for f in FAULTS})

    @property
    def faults(self) -> list[str]:
        return [f for f in FAULTS if self._holds[f].active]

    @property
    def learned(self) -> bool:
        return self._healthy_us >= self.limits.warmup_s * 1e6

    def update(self, image: np.ndarray, time_us: int) -> list[str]:
        stats = ViewStats.of(image, self._previous)
        self._previous = stats.thumb
        present = self._symptoms(stats)
        hold_us = int(self.limits.hold_s * 1e6)
        for fault in FAULTS:
            self._holds[fault].step(fault in present, time_us, hold_us)
        self._learn(stats, time_us, healthy=not present and not self.faults)
        self._last_us = time_us
        return self.faults

    def _symptoms(self, s: ViewStats) -> set[str]:
        lim, out = self.limits, set()
        if 0 <= s.change <= lim.frozen_change:
            out.add("frozen")
        if s.brightness < lim.dark_brightness:
            out.add("dark")
        if s.saturated > lim.glare_saturated:
            out.add("glare")
        flat = s.contrast < lim.covered_contrast
        if self._sharpness:
            ratio = s.sharpness / self._sharpness
            flat = flat or ratio < lim.covered_sharpness_frac
            # a saturated half of the view has no edges either: glare, not focus
            if not flat and ratio < lim.defocus_sharpness_frac and "glare" not in out:
                out.add("defocus")
        if flat and "dark" not in out:
            out.add("covered")
        if self.learned and not out and self._moved(s.thumb):
            out.add("moved")
        return out

    def _moved(self, thumb: np.ndarray) -> bool:
        ref = self._reference
        if ref is None or ref.shape != thumb.shape:
            return False
        window = cv2.createHanningWindow(thumb.shape[::-1], cv2.CV_32F)
        # phaseCorrelate windows its inputs in place: hand it copies
        (dx, dy), response = cv2.phaseCorrelate(ref.copy(), thumb.copy(), window)
        shift = max(abs(dx), abs(dy)) / thumb.shape[1]
        return response >= self.limits.moved_response and shift >= self.limits.moved_shift_frac

    def _learn(self, s: ViewStats, time_us: int, healthy: bool) -> None:
        if not healthy:
            return
        step = time_us - self._last_us if self._last_us is not None else 0
        self._healthy_us += max(0, min(step, 1_000_000))
        # Fast while warming up, then slow: light changes over the day, a sudden change is a fault.
        rate = 0.1 if not self.learned else 0.002
        self._sharpness = s.sharpness if self._sharpness is None else (1 - rate) * self._sharpness + rate * s.sharpness
        if self._reference is None or self._reference.shape != s.thumb.shape:
            self._reference = s.thumb.copy()
        else:
            cv2.accumulateWeighted(s.thumb, self._reference, rate)
