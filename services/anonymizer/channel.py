"""One camera's public channel: frames in, anonymized HLS out, slate when it cannot be safe.

Fail closed (V2): a frame is encoded only if FrameAnonymizer returned it. Missing models, an
exception, a timeout, a frame older than max_lag_s (overload) or a decoder gap all put the
channel in "paused": slate frames are encoded instead, and `reason` says why (health).
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

import numpy as np
from prometheus_client import Counter, Histogram

from services.anonymizer.hls import LivePlaylist, PlaylistState, SegmentEncoder
from services.anonymizer.pipeline import AnonymizationError, FrameAnonymizer
from services.anonymizer.settings import HlsSettings
from services.anonymizer.slate import paused_slate
from services.anonymizer.store import ObjectSink, StateRepo, hls_prefix
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.decoder import FrameRateSampler

log = logging.getLogger(__name__)
PUBLISHED = Counter("roadcam_anonymizer_frames_published_total", "anonymized frames encoded", ["camera"])
WITHHELD = Counter("roadcam_anonymizer_frames_withheld_total", "frames not published", ["camera", "reason"])
LATENCY = Histogram("roadcam_anonymizer_segment_latency_seconds", "first frame captured -> listed in the playlist",
                    ["camera"], buckets=(1, 2, 3, 4, 5, 6, 8, 10, 20))
SEGMENTS = Counter("roadcam_anonymizer_segments_total", "HLS segments written", ["camera"])


class CameraChannel:
    def __init__(
        self, camera: CameraConfig, anonymizer: FrameAnonymizer | None, model_error: str | None,
        hls: HlsSettings, sink: ObjectSink, repo: StateRepo, instance: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.camera = camera
        self._anonymizer, self._model_error = anonymizer, model_error
        self._hls, self._sink, self._repo, self._instance = hls, sink, repo, instance
        self._clock = clock
        view = camera.public_view
        self._encoder = SegmentEncoder(view.fps, hls.segment_seconds, hls.crf)
        self._slate_cache: dict[str, np.ndarray] = {}
        self.reason: str | None = model_error  # None = live
        self.last_output_s = 0.0
        self._next_is_discontinuity = True  # our first segment starts a new timeline
        self.segments_written = 0
        self._slate_code = "paused"
        self._catching_up = False
        self._idle = False  # emitting slate because no frames arrive
        self._sampler = FrameRateSampler(view.fps)  # the feed may decode faster for other cameras
        self._encode_lock = threading.Lock()  # frames and idle slates come from different threads
        self._publish_lock = asyncio.Lock()  # one playlist update at a time
        self._first_capture_s: float | None = None  # capture time of the open segment's first frame
        self._ready_capture_s: float | None = None  # ... of the finished segment awaiting upload
        self.latencies_s: list[float] = []  # capture -> playlist lists the segment (last 100)

    @property
    def live(self) -> bool:
        return self.reason is None

    def on_gap(self, detail: str) -> None:
        """Decoder gap or restart: held regions are stale; detect everything before publishing."""
        if self._anonymizer is not None:
            self._anonymizer.reset()
        log.info("camera %s: stream gap (%s); full detection on the next frame", self.camera.id, detail)

    def process(self, image: np.ndarray, capture_time_us: int) -> tuple[bytes, float] | None:
        """Worker-thread part: anonymize or slate, then encode. Returns a finished segment."""
        if not self._sampler.keep(capture_time_us):
            return None
        with self._encode_lock:
            return self._process(image, capture_time_us)

    def _process(self, image: np.ndarray, capture_time_us: int) -> tuple[bytes, float] | None:
        lag = self._clock() - capture_time_us / 1e6
        limit = self._hls.max_lag_s / 2 if self._catching_up else self._hls.max_lag_s
        self._catching_up = lag > limit  # hysteresis: once behind, catch up to half the limit
        if self._catching_up:
            # Overload: drop (cheap) until caught up; idle_tick shows the slate if this lasts.
            self._withhold("overload", f"frames {lag:.1f} s behind (overload)")
            if self._anonymizer is not None:
                self._anonymizer.reset()
            return None
        public = self._public_frame(image, capture_time_us)
        self.last_output_s, self._idle = self._clock(), False
        return self._encode(public, capture_time_us / 1e6)

    def _encode(self, public: np.ndarray, capture_s: float | None) -> tuple[bytes, float] | None:
        if self._first_capture_s is None:
            self._first_capture_s = capture_s
        segment = self._encoder.add(public)
        if segment:
            self._ready_capture_s, self._first_capture_s = self._first_capture_s, None
        return segment

    def idle_tick(self) -> list[tuple[bytes, float]]:
        """No frames for a while (camera offline, stalled feed): keep the playlist alive with
        slate frames at the public fps in real time. Returns the segments that completed."""
        with self._encode_lock:
            # Decide under the lock: a frame being anonymized right now (slow under load) makes
            # the camera live again, and a check made before it finished would re-pause it.
            if not self._idle and self._clock() - self.last_output_s < self._hls.slate_after_s:
                return []
            return self._idle_slates()

    def _idle_slates(self) -> list[tuple[bytes, float]]:
        if not self._idle:
            self._withhold("no_frames", "no frames from the camera")
            if self._anonymizer is not None:
                self._anonymizer.reset()
            self._idle = True
            # fill at most the silent slate_after_s, then keep pace with the clock
            self.last_output_s = max(self.last_output_s, self._clock() - self._hls.slate_after_s)
        fps = self.camera.public_view.fps
        due = min(int((self._clock() - self.last_output_s) * fps), int(fps * self._hls.slate_after_s) + 1)
        segments = []
        for _ in range(due):
            segment = self._encode(self._slate(), None)
            if segment:
                segments.append(segment)
        # after a stall, skip ahead rather than burst (at most slate_after_s behind the clock)
        self.last_output_s = max(self.last_output_s + due / fps, self._clock() - self._hls.slate_after_s)
        return segments

    def _public_frame(self, image: np.ndarray, capture_time_us: int) -> np.ndarray:
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

    async def publish(self, segment: tuple[bytes, float]) -> None:
        """Upload a segment, then the playlist that lists it (state from/to Redis)."""
        async with self._publish_lock:
            await self._publish(segment)

    async def _publish(self, segment: tuple[bytes, float]) -> None:
        data, duration = segment
        prefix = hls_prefix(self.camera.id)
        # Names come from an atomic counter, so two replicas never overwrite each other's segment.
        name = f"seg-{await self._repo.reserve(self.camera.id):010d}.ts"
        await self._sink.put(prefix + name, data, "video/mp2t", "public, max-age=60")
        playlist = await self._repo.update(self.camera.id, lambda state: self._append(state, name, duration))
        self._next_is_discontinuity = False
        await self._sink.put(prefix + "index.m3u8", playlist.render().encode(),
                             "application/vnd.apple.mpegurl", "no-cache")
        for old in playlist.removed:
            await self._sink.delete(prefix + old)
        self._count_segment()

    def _append(self, state: PlaylistState, name: str, duration: float) -> LivePlaylist:
        """Add our segment to the shared state (run inside the repo's optimistic transaction)."""
        discontinuity = self._next_is_discontinuity or (bool(state.owner) and state.owner != self._instance)
        playlist = LivePlaylist(state, self._hls.window_segments, self._hls.segment_seconds)
        playlist.append(name, duration, discontinuity)  # another writer last = a new timeline
        state.owner = self._instance
        return playlist

    def _count_segment(self) -> None:
        self.segments_written += 1
        SEGMENTS.labels(self.camera.id).inc()
        if self._ready_capture_s is not None:
            latency = self._clock() - self._ready_capture_s
            LATENCY.labels(self.camera.id).observe(latency)
            self.latencies_s = [*self.latencies_s[-99:], latency]
            self._ready_capture_s = None

    async def run_in_thread(self, image: np.ndarray, capture_time_us: int) -> None:
        segment = await asyncio.to_thread(self.process, image, capture_time_us)
        if segment:
            await self.publish(segment)
