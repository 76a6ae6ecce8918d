"""One camera's public channel: frames in, anonymized HLS out, slate when it cannot be safe.

Fail closed (V2): a frame is encoded only if FrameAnonymizer returned it. Missing models, an
exception, a timeout, a frame older than max_lag_s (overload) or a decoder gap all put the
channel in "paused": slate frames are encoded instead, and `reason` says why (health).
Pacing decides which frames are worked on; SegmentPublisher uploads what is encoded here.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

import numpy as np
from prometheus_client import Counter

from services.anonymizer.hls import SegmentEncoder
from services.anonymizer.pacing import Pacing
from services.anonymizer.pipeline import AnonymizationError, FrameAnonymizer
from services.anonymizer.playlist_repo import StateRepo
from services.anonymizer.publisher import PublicSegment, SegmentPublisher
from services.anonymizer.segment_sink import ObjectSink
from services.anonymizer.settings import HlsSettings
from services.anonymizer.slate import paused_slate
from roadcam.common.camconfig.models import CameraConfig

log = logging.getLogger(__name__)
PUBLISHED = Counter("roadcam_anonymizer_frames_published_total", "anonymized frames encoded", ["camera"])
WITHHELD = Counter("roadcam_anonymizer_frames_withheld_total", "frames not published", ["camera", "reason"])


class CameraChannel:
    def __init__(
        self, camera: CameraConfig, anonymizer: FrameAnonymizer | None, model_error: str | None,
        hls: HlsSettings, sink: ObjectSink, repo: StateRepo, instance: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.camera = camera
        self._anonymizer, self._model_error = anonymizer, model_error
        view = camera.public_view
        self.pacing = Pacing(view.fps, hls.max_lag_s, hls.slate_after_s, clock)
        self.publisher = SegmentPublisher(camera.id, hls, sink, repo, instance, clock)
        self._encoder = SegmentEncoder(view.fps, hls.segment_seconds, hls.crf)
        self._slate_cache: dict[str, np.ndarray] = {}
        self.reason: str | None = model_error  # None = live
        self._slate_code = "paused"
        self._encode_lock = threading.Lock()  # frames and idle slates come from different threads
        self._first_capture_s: float | None = None  # capture time of the open segment's first frame
        self._hls, self._clock = hls, clock
        self._held: tuple[str, str] | None = None  # (code, reason) while a configuration change is applied

    @property
    def live(self) -> bool:
        return self.reason is None

    @property
    def pause_code(self) -> str | None:
        """Why the view is paused, as a short code (None: live)."""
        return None if self.live else self._slate_code

    def hold(self, code: str, reason: str) -> None:
        """Slate from now until `install`/`resume` (fail closed while a configuration change is
        applied); the open segment, rendered with the old masks, is dropped unpublished."""
        with self._encode_lock:
            self._held = (code, reason)
            self._withhold(code, reason)
            self._encoder.flush()
            self._first_capture_s = None

    def resume(self) -> None:
        """The held change turned out not to concern the public view."""
        with self._encode_lock:
            self._held = None

    def install(self, camera: CameraConfig, anonymizer: FrameAnonymizer | None, model_error: str | None) -> None:
        """The changed camera entry and its anonymizer (new masks) are in force from the next frame."""
        with self._encode_lock:
            if camera.public_view.fps != self.camera.public_view.fps:
                self.pacing = Pacing(camera.public_view.fps, self._hls.max_lag_s, self._hls.slate_after_s, self._clock)
                self._encoder = SegmentEncoder(camera.public_view.fps, self._hls.segment_seconds, self._hls.crf)
            self.camera, self._anonymizer, self._model_error = camera, anonymizer, model_error
            self._slate_cache.clear()
            self._held = None
            if anonymizer is None:
                self._withhold("model_missing", model_error or "detectors not loaded")

    @property
    def segments_written(self) -> int:
        return self.publisher.segments_written

    @property
    def latencies_s(self) -> list[float]:
        return self.publisher.latencies_s

    def on_gap(self, detail: str) -> None:
        """Decoder gap or restart: held regions are stale; detect everything before publishing."""
        if self._anonymizer is not None:
            self._anonymizer.reset()
        log.info("camera %s: stream gap (%s); full detection on the next frame", self.camera.id, detail)

    def process(self, image: np.ndarray, capture_time_us: int) -> PublicSegment | None:
        """Worker-thread part: anonymize or slate, then encode. Returns a finished segment."""
        if not self.pacing.keep(capture_time_us):
            return None
        with self._encode_lock:
            return self._process(image, capture_time_us)

    def _process(self, image: np.ndarray, capture_time_us: int) -> PublicSegment | None:
        lag = self.pacing.overload_lag_s(capture_time_us)
        if lag is not None:
            # Overload: drop (cheap) until caught up; idle_tick shows the slate if this lasts.
            self._withhold("overload", f"frames {lag:.1f} s behind (overload)")
            if self._anonymizer is not None:
                self._anonymizer.reset()
            return None
        public = self._public_frame(image, capture_time_us)
        self.pacing.frame_output()
        return self._encode(public, capture_time_us / 1e6)

    def _encode(self, public: np.ndarray, capture_s: float | None) -> PublicSegment | None:
        if self._first_capture_s is None:
            self._first_capture_s = capture_s
        segment = self._encoder.add(public)
        if segment is None:
            return None
        first, self._first_capture_s = self._first_capture_s, None
        return PublicSegment(*segment, first)

    def flush(self) -> PublicSegment | None:
        """The open segment, finished early (shutdown, tests)."""
        with self._encode_lock:
            segment = self._encoder.flush()
            first, self._first_capture_s = self._first_capture_s, None
            return PublicSegment(*segment, first) if segment else None

    def idle_tick(self) -> list[PublicSegment]:
        """No frames for a while (camera offline, stalled feed): keep the playlist alive with
        slate frames at the public fps in real time. Returns the segments that completed."""
        with self._encode_lock:
            # Decide under the lock: a frame being anonymized right now (slow under load) makes
            # the camera live again, and a check made before it finished would re-pause it.
            if not self.pacing.silent():
                return []
            return self._idle_slates()

    def _idle_slates(self) -> list[PublicSegment]:
        if self.pacing.start_idle():
            self._withhold("no_frames", "no frames from the camera")
            if self._anonymizer is not None:
                self._anonymizer.reset()
        due = self.pacing.slate_frames_due()
        segments = [s for s in (self._encode(self._slate(), None) for _ in range(due)) if s]
        self.pacing.slates_sent(due)
        return segments

    def _public_frame(self, image: np.ndarray, capture_time_us: int) -> np.ndarray:
        if self._held is not None:
            self._withhold(*self._held)
            return self._slate()
        if self._anonymizer is None:
            self._withhold("model_missing", self._model_error or "detectors not loaded")
            return self._slate()
        try:
            out = self._anonymizer.anonymize(image, capture_time_us / 1e6)
        except AnonymizationError as exc:
            self._withhold("error", f"anonymization failed: {exc}")
            self._anonymizer.reset()
            return self._slate()
        if self.reason is not None:
            log.info("camera %s: live again", self.camera.id)
        self.reason = None
        PUBLISHED.labels(self.camera.id).inc()
        return out

    def _withhold(self, code: str, reason: str) -> None:
        if self._slate_code != code or self.reason is None:
            log.warning("camera %s: public view paused: %s", self.camera.id, reason)
        self.reason = reason
        self._slate_code = code
        WITHHELD.labels(self.camera.id, code).inc()

    def _slate(self) -> np.ndarray:
        code = self._slate_code
        if code not in self._slate_cache:
            v = self.camera.public_view
            self._slate_cache[code] = paused_slate(v.width, v.height, code.replace("_", " ").upper())
        return self._slate_cache[code]

    async def publish(self, segment: PublicSegment) -> None:
        await self.publisher.publish(segment)

    async def run_in_thread(self, image: np.ndarray, capture_time_us: int) -> None:
        segment = await asyncio.to_thread(self.process, image, capture_time_us)
        if segment:
            await self.publish(segment)
