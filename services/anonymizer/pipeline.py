"""One camera's anonymization: detect on the decoded frame, downscale, blur, mosaic the masks.

Pure logic on numpy images with detectors passed in, so the CLI, the service, the benchmark and
the tests all run exactly this. Any failure raises AnonymizationError and yields no image: the
caller then publishes nothing (fail closed, V2).
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from services.anonymizer.motion_gate import MotionGate, covered_cells
from services.anonymizer.redact import apply_mosaic, mosaic_mask, scale_polygons, smear_cells
from roadcam.common.camconfig.models import NEAR_SOURCE, CameraConfig
from roadcam.common.errors import RoadcamError
from roadcam.vision.blur import BOX_MARGIN, blur_boxes
from roadcam.vision.detectors import Box, Detector

log = logging.getLogger(__name__)


class AnonymizationError(RoadcamError):
    """A frame could not be fully anonymized; it must not be published."""


@dataclass
class Scheduled:
    """A detector and how often it runs on video (0 = every frame)."""

    detector: Detector
    interval_s: float = 0.0
    last_run_s: float | None = None

    def due(self, now_s: float) -> bool:
        return self.last_run_s is None or now_s - self.last_run_s >= self.interval_s


@dataclass
class HeldBox:
    box: Box  # normalised 0..1 coordinates of the frame
    seen_s: float
    source: int  # which detector found it
    hold_s: float


def _overlaps(a: Box, b: Box) -> bool:
    return a.x1 < b.x2 and b.x1 < a.x2 and a.y1 < b.y2 and b.y1 < a.y2


@dataclass
class RegionMemory:
    """Keeps regions blurred after their last detection (at least until their detector runs
    again), widening them as they age (`growth_per_s` of their size per second, at most
    `max_growth`) to cover motion. A fresh detection replaces the held boxes it overlaps, so
    only regions the detector lost keep growing."""

    hold_s: float
    growth_per_s: float
    max_growth: float = 1.0
    held: list[HeldBox] = field(default_factory=list)

    def add(self, boxes: list[Box], now_s: float, source: int = 0, interval_s: float = 0.0,
            until_rerun: bool = False) -> None:
        """`until_rerun` (motion gate: detectors run only when something moved): a box is held
        until its detector has looked again and not found it for hold_s, however long that takes."""
        def replaced(h: HeldBox) -> bool:
            stale = until_rerun and now_s - h.seen_s > self.hold_s
            return h.source == source and (stale or any(_overlaps(h.box, b) for b in boxes))

        self.held = [h for h in self.held if not replaced(h)]
        hold = math.inf if until_rerun else max(self.hold_s, interval_s * 1.5)
        self.held += [HeldBox(b, now_s, source, hold) for b in boxes]

    def current(self, now_s: float) -> list[tuple[Box, float]]:
        """(box, extra margin) for every region still held at now_s."""
        self.held = [h for h in self.held if now_s - h.seen_s <= h.hold_s]
        return [(h.box, min(self.max_growth, max(0.0, now_s - h.seen_s) * self.growth_per_s)) for h in self.held]

    def clear(self) -> None:
        self.held.clear()


_LOOKERS = ("face", "person")  # what can appear anywhere; their joint run is a "look" for the gate


class FrameAnonymizer:
    """Detect, downscale, blur. With a MotionGate (live video), detectors run when something
    changed that no held detection covers (at most at their interval; all at once on a scene
    change), and changed cells still unknown are smeared until the face and person detectors
    have looked. Without one (stills, the old interval schedule) each detector runs when due."""

    def __init__(
        self, camera: CameraConfig, detectors: list[Scheduled], hold_s: float = 1.5,
        growth_per_s: float = 0.5, detect_max_width: int = 1280, timeout_s: float = 2.0,
        still_width: int | None = None, vehicle_plate_min_px: int = 80,
        gate: MotionGate | None = None, look_idle_s: float = 2.0,
    ) -> None:
        self.camera = camera
        self.view = camera.public_view
        self._detectors = [s for s in detectors if camera.public_view.blur_persons or s.detector.kind != "person"]
        # A region stays blurred at least until its detector runs again (RegionMemory.add).
        self._memory = RegionMemory(hold_s, growth_per_s)
        self._detect_max_width = detect_max_width
        self._timeout_s = timeout_s
        self._mask_cache: tuple[tuple[int, int], np.ndarray | None] | None = None
        self._still_width = still_width  # stills (CLI): this width, their own aspect ratio
        self._vehicle_plate_min_px = vehicle_plate_min_px
        self._gate, self._look_idle_s = gate, look_idle_s
        self._unknown: np.ndarray | None = None  # gate cells to smear in the frame being rendered
        self.runs = {s.detector.kind: 0 for s in self._detectors}  # detector runs (benchmark, tests)

    def reset(self) -> None:
        """After a gap or restart: forget held regions and run every detector on the next frame."""
        self._memory.clear()
        for s in self._detectors:
            s.last_run_s = None
        if self._gate is not None:
            self._gate.reset()

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        if self._still_width:
            return fit_width(width, height, self._still_width)
        return self.view.width, self.view.height

    def anonymize(self, image: np.ndarray, now_s: float) -> np.ndarray:
        """The public frame for `image` (BGR) captured at `now_s` seconds; raises on any failure."""
        if image is None or image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
            raise AnonymizationError("not a colour image")
        self._check_downscale(image.shape[1], image.shape[0])
        started = time.monotonic()
        try:
            self._detect(image, now_s)
            out = self._render(image, now_s)
        except AnonymizationError:
            raise
        except Exception as exc:  # noqa: BLE001 - any detector failure means: do not publish
            raise AnonymizationError(f"{type(exc).__name__}: {exc}") from exc
        took = time.monotonic() - started
        if took > self._timeout_s:
            raise AnonymizationError(f"anonymization took {took:.2f} s, over the {self._timeout_s} s limit")
        return out

    def _check_downscale(self, width: int, height: int) -> None:
        """V1 at run time (the configuration may not know the source size): the public view is a
        real downscale of the live source, or nothing is published."""
        if self._still_width:
            return  # the CLI's explicit --width
        ow, oh = self.output_size(width, height)
        if ow > NEAR_SOURCE * width or oh > NEAR_SOURCE * height:
            raise AnonymizationError(
                f"camera {self.camera.id}: source {width}x{height} is not clearly larger than the public view "
                f"{ow}x{oh}; set public_view to at most {NEAR_SOURCE:.0%} of the source (V1)")

    def _detect(self, image: np.ndarray, now_s: float) -> None:
        h, w = image.shape[:2]
        scale = min(1.0, self._detect_max_width / w)
        work = cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else image
        if self._gate is None:
            for index, s in enumerate(self._detectors):
                if s.due(now_s):
                    self._run(index, s, work, now_s)
            return
        self._gated_detect(image, work, now_s)

    def _gated_detect(self, image: np.ndarray, work: np.ndarray, now_s: float) -> None:
        changed = self._gate.observe(image)
        forced = self._gate.is_scene_change()
        self.runs["scene_change"] = self.runs.get("scene_change", 0) + forced
        unknown = changed & ~self._covered(changed.shape, now_s)
        lookers = [s for s in self._detectors if s.detector.kind in _LOOKERS]
        idle = any(s.last_run_s is None or now_s - s.last_run_s >= self._look_idle_s for s in lookers)
        wanted = bool(unknown.any()) or idle  # nothing new and recently looked at: no detector runs
        look = forced or (wanted and any(s.due(now_s) for s in lookers))
        for index, s in enumerate(self._detectors):
            if forced or (look if s.detector.kind in _LOOKERS else wanted and s.due(now_s)):
                self._run(index, s, work, now_s)
        if look:
            self._gate.looked()
            self._unknown = None
        else:
            self._unknown = changed & ~self._covered(changed.shape, now_s)

    def _covered(self, shape: tuple[int, int], now_s: float) -> np.ndarray:
        held = [(b, BOX_MARGIN.get(b.kind, 0.2) + extra) for b, extra in self._memory.current(now_s)]
        return covered_cells(shape, held)

    def _run(self, index: int, s: Scheduled, work: np.ndarray, now_s: float) -> None:
        wh, ww = work.shape[:2]
        boxes = s.detector.detect(work)
        self._memory.add([b.scaled(1 / ww, 1 / wh) for b in boxes], now_s, index, s.interval_s,
                         until_rerun=self._gate is not None)
        s.last_run_s = now_s
        self.runs[s.detector.kind] = self.runs.get(s.detector.kind, 0) + 1

    def _render(self, image: np.ndarray, now_s: float) -> np.ndarray:
        ow, oh = self.output_size(image.shape[1], image.shape[0])
        out = cv2.resize(image, (ow, oh), interpolation=cv2.INTER_AREA)
        out = apply_mosaic(out, self._mask(image.shape[1], image.shape[0], ow, oh))
        for box, extra in self._memory.current(now_s):
            if box.kind == "vehicle":
                continue  # known, not private: only its plate band is blurred
            if box.kind == "vehicle_plate" and (box.x2 - box.x1) * ow < self._vehicle_plate_min_px:
                continue  # a plate on a vehicle this small is a few unreadable pixels in the output
            blur_boxes(out, [box.scaled(ow, oh)], extra_margin=extra)
        if self._unknown is not None and self._unknown.any():
            smear_cells(out, self._unknown)
        return out

    def _mask(self, src_w: int, src_h: int, ow: int, oh: int) -> np.ndarray | None:
        key = (ow, oh)
        if self._mask_cache is None or self._mask_cache[0] != key:
            # Polygons are in frame_size pixels: the public frame covers the same field of view.
            polys = scale_polygons([m.polygon for m in self.camera.privacy_masks], self.camera.frame_size, ow, oh)
            self._mask_cache = (key, mosaic_mask(ow, oh, polys))
        return self._mask_cache[1]


def fit_width(width: int, height: int, out_width: int) -> tuple[int, int]:
    """Output size for a still image at `out_width`, keeping its aspect ratio (even numbers)."""
    out_h = max(2, round(height * out_width / width / 2) * 2)
    return out_width, out_h
