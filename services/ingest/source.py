"""Open a camera source with PyAV and read its compressed video packets, never decoding them.

RTSP/HTTP sources are read as fast as they come; file sources are paced to real time (like a
camera) and may loop, with timestamps that keep increasing across loops.
"""
from __future__ import annotations

import errno
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import av
import av.error

from roadcam.common.camconfig.models import SourceConfig
from roadcam.common.demux import stream_info
from roadcam.common.errors import SourceError
from roadcam.common.logs import redact_url
from roadcam.common.media import EncodedPacket
from roadcam.common.timeutil import now_us

log = logging.getLogger(__name__)
_NETWORK_SCHEMES = ("rtsp", "rtsps", "http", "https")
# What cameras send (I1) plus MPEG-4 part 2 from older encoders; FFmpeg would also "open" a text
# file as an `ansi` video stream, which must not reach the bus.
CAMERA_CODECS = ("h264", "hevc", "mpeg4")


def is_network(url: str) -> bool:
    return urlsplit(url).scheme in _NETWORK_SCHEMES


def authenticated_url(source: SourceConfig, secrets_dir: Path) -> str:
    """The URL with credentials from the camera's secret file ('user:password') inserted."""
    if not source.credentials_secret:
        return source.url
    path = secrets_dir / source.credentials_secret
    try:
        user, _, password = path.read_text(encoding="utf-8").strip().partition(":")
    except OSError:
        raise SourceError(f"credentials secret {source.credentials_secret!r} not found in {secrets_dir}", "AUTH") from None
    parts = urlsplit(source.url)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.netloc}"
    return urlunsplit(parts._replace(netloc=netloc))


def classify(exc: Exception, elapsed: float, timeout: float) -> SourceError:
    """Map PyAV/OS errors to a CameraErrorKind name with a message free of credentials."""
    message = redact_url(str(exc))
    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, (av.error.HTTPUnauthorizedError, av.error.HTTPForbiddenError)):
        kind = "AUTH"
    elif isinstance(exc, (av.error.HTTPNotFoundError, FileNotFoundError)):
        kind = "NOT_FOUND"
    elif isinstance(exc, (ConnectionRefusedError, ConnectionResetError)) or getattr(exc, "errno", None) in (
        errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EIO,
    ):
        kind = "UNREACHABLE"  # ffmpeg reports DNS failures as EIO
    elif isinstance(exc, (av.error.ExitError, TimeoutError)) or elapsed >= 0.9 * timeout:
        kind = "TIMEOUT"  # ffmpeg's interrupt on timeout surfaces as invalid data or exit
    elif isinstance(exc, (av.error.InvalidDataError, av.error.EOFError)):
        kind = "BAD_DATA"
    else:
        kind = "INTERNAL"
    return SourceError(message, kind)


class SourceSession:
    """One connection to a camera: `info` after open, then `packets()` until it fails."""

    def __init__(self, url: str, config: SourceConfig, stop: threading.Event) -> None:
        self.session_id = uuid.uuid4().hex[:12]
        self._url, self._config, self._stop = url, config, stop
        self._network = is_network(url)
        started = time.monotonic()
        try:
            options = {"rtsp_transport": config.transport} if url.startswith("rtsp") else {}
            self._container = av.open(
                url, options=options, timeout=(config.open_timeout_s, config.read_timeout_s)
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes a classified SourceError
            raise classify(exc, time.monotonic() - started, config.open_timeout_s) from None
        if not self._container.streams.video:
            self._container.close()
            raise SourceError("the source has no video stream", "NO_VIDEO")
        self._stream = self._container.streams.video[0]
        self.info = stream_info(self._stream)
        if self.info.codec not in CAMERA_CODECS:
            self._container.close()
            raise SourceError(f"video codec {self.info.codec!r} is not one roadcam handles {CAMERA_CODECS}", "NO_VIDEO")

    def close(self) -> None:
        self._container.close()

    def packets(self) -> Iterator[EncodedPacket]:
        """Yield packets with a per-session sequence number; raises SourceError when it ends."""
        seq = 0
        offset = 0  # added to file timestamps after each loop so they keep increasing
        last_dts: int | None = None
        pacer = _Pacer(self.info.time_base, self._stop) if not self._network else None
        while not self._stop.is_set():
            loop_end = offset
            for packet in self._demux():
                if self._stop.is_set():
                    return
                pts, dts = _timestamps(packet, offset, last_dts)
                last_dts = dts
                if pacer is not None:
                    pacer.wait_for(dts)  # decode order is send order
                yield EncodedPacket(
                    seq=seq, pts=pts, dts=dts, keyframe=packet.is_keyframe,
                    capture_time_us=now_us(), duration=packet.duration or 0, data=bytes(packet),
                )
                seq += 1
                loop_end = max(loop_end, pts + (packet.duration or 0))
            if self._network or not self._config.loop:
                raise SourceError("end of stream", "ENDED")
            self._container.seek(0, stream=self._stream)
            offset = loop_end

    def _demux(self) -> Iterator[av.Packet]:
        demux = self._container.demux(self._stream)
        while True:
            started = time.monotonic()
            try:
                packet = next(demux)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001
                raise classify(exc, time.monotonic() - started, self._config.read_timeout_s) from None
            if packet.size:
                yield packet


def _timestamps(packet: av.Packet, offset: int, last_dts: int | None) -> tuple[int, int]:
    pts = packet.pts if packet.pts is not None else packet.dts
    dts = packet.dts if packet.dts is not None else pts
    if pts is None:
        # RTSP's first packet (usually the keyframe) often has no timestamp yet: keep it, placed
        # just after the previous packet.
        fallback = last_dts + 1 if last_dts is not None else 0
        return fallback, fallback
    return pts + offset, dts + offset


class _Pacer:
    """Releases file packets at their presentation time, as a live camera would."""

    def __init__(self, time_base: Fraction, stop: threading.Event) -> None:
        self._tb = float(time_base)
        self._stop = stop
        self._origin: tuple[float, int] | None = None

    def wait_for(self, pts: int) -> None:
        if self._origin is None:
            self._origin = (time.monotonic(), pts)
        due = self._origin[0] + (pts - self._origin[1]) * self._tb
        delay = due - time.monotonic()
        if delay > 0:
            self._stop.wait(min(delay, 5.0))
