"""Upload one camera's finished HLS segments, then the live playlist listing them."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import NamedTuple

from prometheus_client import Counter, Histogram

from services.anonymizer.hls import LivePlaylist, PlaylistState
from services.anonymizer.playlist_repo import StateRepo
from services.anonymizer.segment_sink import ObjectSink, hls_prefix
from services.anonymizer.settings import HlsSettings

LATENCY = Histogram("roadcam_anonymizer_segment_latency_seconds", "first frame captured -> listed in the playlist",
                    ["camera"], buckets=(1, 2, 3, 4, 5, 6, 8, 10, 20))
SEGMENTS = Counter("roadcam_anonymizer_segments_total", "HLS segments written", ["camera"])


class PublicSegment(NamedTuple):
    data: bytes
    duration: float
    first_capture_s: float | None = None  # None: the segment starts with a slate


class SegmentPublisher:
    def __init__(self, camera_id: str, hls: HlsSettings, sink: ObjectSink, repo: StateRepo, instance: str,
                 clock: Callable[[], float]) -> None:
        self._camera_id, self._hls, self._sink, self._repo = camera_id, hls, sink, repo
        self._instance, self._clock = instance, clock
        self._lock = asyncio.Lock()  # one playlist update at a time
        self._next_is_discontinuity = True  # our first segment starts a new timeline
        self.segments_written = 0
        self.latencies_s: list[float] = []  # capture -> playlist lists the segment (last 100)

    async def publish(self, segment: PublicSegment) -> None:
        """Upload a segment, then the playlist that lists it (state from/to the repo)."""
        async with self._lock:
            await self._publish(PublicSegment(*segment))

    async def _publish(self, segment: PublicSegment) -> None:
        prefix = hls_prefix(self._camera_id)
        # Names come from an atomic counter, so two replicas never overwrite each other's segment.
        name = f"seg-{await self._repo.reserve(self._camera_id):010d}.ts"
        await self._sink.put(prefix + name, segment.data, "video/mp2t", "public, max-age=60")
        playlist = await self._repo.update(self._camera_id, lambda state: self._append(state, name, segment.duration))
        self._next_is_discontinuity = False
        await self._sink.put(prefix + "index.m3u8", playlist.render().encode(),
                             "application/vnd.apple.mpegurl", "no-cache")
        for old in playlist.removed:
            await self._sink.delete(prefix + old)
        self._count(segment.first_capture_s)

    def _append(self, state: PlaylistState, name: str, duration: float) -> LivePlaylist:
        """Add our segment to the shared state (run inside the repo's optimistic transaction)."""
        discontinuity = self._next_is_discontinuity or (bool(state.owner) and state.owner != self._instance)
        playlist = LivePlaylist(state, self._hls.window_segments, self._hls.segment_seconds)
        playlist.append(name, duration, discontinuity)  # another writer last = a new timeline
        state.owner = self._instance
        return playlist

    def _count(self, first_capture_s: float | None) -> None:
        self.segments_written += 1
        SEGMENTS.labels(self._camera_id).inc()
        if first_capture_s is not None:
            latency = self._clock() - first_capture_s
            LATENCY.labels(self._camera_id).observe(latency)
            self.latencies_s = [*self.latencies_s[-99:], latency]
