"""Per-camera health, kept by the camera's worker thread and read by the reporter."""
from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, replace

from roadcam.common.media import StreamInfo
from roadcam.common.timeutil import now_us

WINDOW_US = 5_000_000  # fps and bitrate are averaged over the last 5 s


@dataclass(frozen=True)
class HealthSnapshot:
    camera_id: str
    state: str = "CONNECTING"  # CameraState name without prefix
    fps: float = 0.0
    bitrate_bps: float = 0.0
    last_packet_time_us: int = 0
    last_error: str = ""
    error_kind: str = "NONE"
    reconnects: int = 0
    packets: int = 0
    bytes: int = 0
    dropped: int = 0  # packets not handed to the bus (overload or bus away)
    gap_seconds: float = 0.0  # the video time those packets covered
    codec: str = ""
    width: int = 0
    height: int = 0
    online_since_us: int = 0


class CameraStatus:
    """Thread-safe: the worker writes, the reporter reads snapshots."""

    def __init__(self, camera_id: str) -> None:
        self._lock = threading.Lock()
        self._snap = HealthSnapshot(camera_id)
        self._window: deque[tuple[int, int]] = deque()

    def online(self, info: StreamInfo) -> None:
        with self._lock:
            self._snap = replace(
                self._snap, state="ONLINE", codec=info.codec, width=info.width,
                height=info.height, online_since_us=now_us(),
            )

    def packet(self, nbytes: int, at_us: int) -> None:
        with self._lock:
            self._window.append((at_us, nbytes))
            self._snap = replace(
                self._snap, last_packet_time_us=at_us, packets=self._snap.packets + 1,
                bytes=self._snap.bytes + nbytes,
            )

    def lost(self, packets: int, seconds: float) -> None:
        """Packets that never reached the bus: a hole in this camera's video."""
        with self._lock:
            self._snap = replace(
                self._snap, dropped=self._snap.dropped + packets, gap_seconds=self._snap.gap_seconds + seconds
            )

    def failed(self, message: str, kind: str) -> None:
        """A connection attempt or a running connection failed; a retry will follow."""
        with self._lock:
            self._window.clear()
            self._snap = replace(
                self._snap, state="RECONNECTING", last_error=message, error_kind=kind,
                reconnects=self._snap.reconnects + 1, online_since_us=0,
            )

    def stopped(self) -> None:
        with self._lock:
            self._snap = replace(self._snap, state="STOPPED", online_since_us=0)

    def snapshot(self, at_us: int | None = None) -> HealthSnapshot:
        at_us = at_us if at_us is not None else now_us()
        with self._lock:
            while self._window and self._window[0][0] < at_us - WINDOW_US:
                self._window.popleft()
            span_s = WINDOW_US / 1e6
            if self._snap.online_since_us:
                span_s = min(span_s, max((at_us - self._snap.online_since_us) / 1e6, 1.0))
            fps = len(self._window) / span_s
            bitrate = 8 * sum(n for _, n in self._window) / span_s
            return replace(self._snap, fps=round(fps, 2), bitrate_bps=round(bitrate, 1))
