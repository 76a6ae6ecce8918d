"""One thread per camera: connect, pass packets on, and reconnect with backoff on any failure.

A camera's blocking I/O (connect, DNS, reads) stays in its own thread, so one bad camera can
never stall another or the event loop.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from roadcam.common.backoff import Backoff
from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.errors import SourceError
from roadcam.common.media import EncodedPacket, StreamInfo
from services.ingest.source import SourceSession, authenticated_url
from services.ingest.status import CameraStatus

log = logging.getLogger(__name__)

# (camera_id, session_id, generation, stream, packet) -> None; must not block.
PacketSink = Callable[[str, str, int, StreamInfo, EncodedPacket], None]


class CameraWorker:
    def __init__(
        self, camera: CameraConfig, sink: PacketSink, secrets_dir: Path, backoff: Backoff | None = None
    ) -> None:
        self.camera = camera
        self.status = CameraStatus(camera.id)
        self._sink = sink
        self._secrets_dir = secrets_dir
        self._backoff = backoff or Backoff()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"camera-{camera.id}", daemon=True)
        self._generation = 0
        self._last_info: StreamInfo | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._stream_once()
            except SourceError as exc:
                self.status.failed(str(exc), exc.kind)
                delay = self._backoff.next_delay()
                log.warning("camera %s: %s (%s); retry in %.1fs", self.camera.id, exc, exc.kind, delay)
                self._stop.wait(delay)
            except Exception as exc:  # noqa: BLE001 - a bug must not kill the camera for good
                log.exception("camera %s: unexpected failure", self.camera.id)
                self.status.failed(f"internal error: {exc}", "INTERNAL")
                self._stop.wait(self._backoff.next_delay())
        self.status.stopped()

    def _stream_once(self) -> None:
        url = authenticated_url(self.camera.source, self._secrets_dir)
        session = SourceSession(url, self.camera.source, self._stop)
        try:
            if session.info != self._last_info:
                if self._last_info is not None:
                    self._generation += 1
                    log.info("camera %s: stream parameters changed (generation %d)", self.camera.id, self._generation)
                self._last_info = session.info
            self.status.online(session.info)
            log.info("camera %s online: %s %dx%d", self.camera.id, session.info.codec, session.info.width, session.info.height)
            for packet in session.packets():
                self._backoff.reset()  # only real data proves the camera healthy again
                self.status.packet(len(packet.data), packet.capture_time_us)
                self._sink(self.camera.id, session.session_id, self._generation, session.info, packet)
        finally:
            session.close()
