"""Decoded frames of many cameras -> crossings and queue samples. Blocking; the service runs it
in a worker thread. One detector serves all cameras (frames are packed into shared inputs);
each camera has its own tracker and lines, built from its configuration on its first frame and
rebuilt when its resolution changes, with coordinates scaled from the configured frame size.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from roadcam.common.camconfig.models import CameraConfig, Lane
from roadcam.common.decoder import DecodedFrame
from services.counter.counting import CameraCounter, CountedCrossing, CountingTuning, build_counter
from services.counter.detector import YoloDetector
from services.counter.motion import GreyFrame
from services.counter.ground_plane import GroundTracks, Homography, QueueLane, QueueSample, queue_lengths
from services.counter.view_check import ViewCheck

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CameraCrossing:
    camera_id: str
    crossing: CountedCrossing


@dataclass(frozen=True)
class CameraQueue:
    camera_id: str
    time_us: int
    sample: QueueSample


@dataclass(frozen=True)
class CameraView:
    """The camera's self-diagnosis at one analysed frame (see `view_check`)."""

    camera_id: str
    time_us: int
    faults: tuple[str, ...]
    learned: bool
    line_ids: tuple[str, ...]


@dataclass
class EngineOutput:
    crossings: list[CameraCrossing] = field(default_factory=list)
    queues: list[CameraQueue] = field(default_factory=list)
    views: list[CameraView] = field(default_factory=list)  # one per analysed frame
    times: dict[str, int] = field(default_factory=dict)  # latest capture time per camera


@dataclass
class _Camera:
    size: tuple[int, int]
    counter: CameraCounter
    lanes: list[QueueLane]
    homography: Homography | None
    line_ids: tuple[str, ...]
    view: ViewCheck = field(default_factory=ViewCheck)
    next_queue_us: int = 0


class CountingEngine:
    def __init__(self, cameras: dict[str, CameraConfig], detector: YoloDetector, tuning: CountingTuning,
                 fps: float, lanes: dict[str, list[Lane]] | None = None, queue_interval_s: float = 5.0) -> None:
        self._config, self._detector, self._tuning, self._fps = cameras, detector, tuning, fps
        self._lanes = lanes or {}
        self._queue_us = int(queue_interval_s * 1e6)
        self._cameras: dict[str, _Camera] = {}
        self._changes: dict[str, CameraConfig | None] = {}  # live configuration, applied between frames
        self._changes_lock = threading.Lock()

    def reconfigure(self, camera_id: str, config: CameraConfig | None) -> None:
        """A live configuration change (None: stop counting the camera), from any thread; `process`
        applies it before its next frames."""
        with self._changes_lock:
            self._changes[camera_id] = config

    def _apply_changes(self, out: EngineOutput) -> None:
        with self._changes_lock:
            changes, self._changes = self._changes, {}
        for camera_id, config in changes.items():
            out.crossings += self.restart(camera_id)  # settled on the old lines; the next frame builds the new
            if config is None:
                self._config.pop(camera_id, None)
            else:
                self._config[camera_id] = config
            log.info("camera %s: counting lines now %s", camera_id,
                     ", ".join(line.id for line in config.counting_lines) if config else "none")

    def process(self, frames: list[DecodedFrame]) -> EngineOutput:
        out = EngineOutput()
        self._apply_changes(out)
        frames = [f for f in frames if f.camera_id in self._config]
        cams = [self._camera(f, out) for f in frames]  # built first: the detector needs their regions
        for frame, cam, dets in zip(frames, cams, self._detector.detect([f.image for f in frames],
                                                                        [c.counter.region for c in cams])):
            grey = GreyFrame.of(frame.image)  # one shrunk copy for the motion witness and the view check
            for c in cam.counter.observe(grey, dets, frame.capture_time_us):
                out.crossings.append(CameraCrossing(frame.camera_id, c))
            out.times[frame.camera_id] = frame.capture_time_us
            faults = tuple(cam.view.update(grey.pixels, frame.capture_time_us))
            out.views.append(CameraView(frame.camera_id, frame.capture_time_us, faults, cam.view.learned, cam.line_ids))
            if cam.homography is not None and cam.lanes and frame.capture_time_us >= cam.next_queue_us:
                cam.next_queue_us = frame.capture_time_us + self._queue_us
                for q in queue_lengths(cam.lanes, cam.homography, cam.counter.vehicles_now()):
                    out.queues.append(CameraQueue(frame.camera_id, frame.capture_time_us, q))
        return out

    def restart(self, camera_id: str) -> list[CameraCrossing]:
        """The camera's stream broke (gap, restart): settle its crossings and start tracking afresh."""
        cam = self._cameras.pop(camera_id, None)
        return [CameraCrossing(camera_id, c) for c in cam.counter.flush()] if cam else []

    def flush(self) -> list[CameraCrossing]:
        return [c for cid in list(self._cameras) for c in self.restart(cid)]

    def _camera(self, frame: DecodedFrame, out: EngineOutput) -> _Camera:
        h, w = frame.image.shape[:2]
        cam = self._cameras.get(frame.camera_id)
        if cam is not None and cam.size == (w, h):
            return cam
        if cam is not None:
            log.info("camera %s: resolution now %dx%d, counting afresh", frame.camera_id, w, h)
            out.crossings += self.restart(frame.camera_id)
        cam = self._build(self._config[frame.camera_id], w, h)
        self._cameras[frame.camera_id] = cam
        return cam

    def _build(self, config: CameraConfig, w: int, h: int) -> _Camera:
        fw, fh = config.frame_size or (w, h)
        sx, sy = w / fw, h / fh
        lines = [(line.id, (line.start[0] * sx, line.start[1] * sy), (line.end[0] * sx, line.end[1] * sy))
                 for line in config.counting_lines]
        homography = None
        if config.calibration is not None:
            cal = config.calibration
            homography = Homography.from_pairs(list(cal.image_points), list(cal.ground_points_m)).scaled(sx, sy)
        ground = GroundTracks(homography) if homography is not None else None
        lanes = [
            QueueLane(lane.id, [(x * sx, y * sy) for x, y in lane.polygon], (lane.head[0] * sx, lane.head[1] * sy))
            for lane in self._lanes.get(config.id, config.lanes)
        ]
        measured = [lane.polygon for lane in lanes]
        if config.calibration is not None:  # speeds are measured along the whole calibrated stretch
            measured.append([(x * sx, y * sy) for x, y in config.calibration.image_points])
        counter = build_counter(lines, (w, h), self._fps, self._tuning, ground, measured)
        return _Camera((w, h), counter, lanes, homography, tuple(line[0] for line in lines))
