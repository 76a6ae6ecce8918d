"""Prometheus metrics of the ingest service, labelled by camera."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

from services.ingest.status import HealthSnapshot

CAMERA_UP = Gauge("roadcam_ingest_camera_up", "1 when packets are flowing", ["camera"])
CAMERA_FPS = Gauge("roadcam_ingest_camera_fps", "packets per second, last 5 s", ["camera"])
CAMERA_BITRATE = Gauge("roadcam_ingest_camera_bitrate_bps", "bits per second, last 5 s", ["camera"])
CAMERA_LAST_PACKET = Gauge(
    "roadcam_ingest_camera_last_packet_timestamp_seconds", "wall clock of the last packet", ["camera"]
)
CAMERA_RECONNECTS = Gauge("roadcam_ingest_camera_reconnects", "failed or lost connections", ["camera"])
CAMERA_DROPPED = Gauge("roadcam_ingest_camera_dropped_packets", "packets dropped on overload", ["camera"])
CAMERA_ERROR = Gauge("roadcam_ingest_camera_error", "1 for the kind of the last error", ["camera", "kind"])
BATCHES_SENT = Counter("roadcam_ingest_batches_sent_total", "video batches put on the bus", ["camera"])
SEND_FAILURES = Counter("roadcam_ingest_send_failures_total", "batches the bus refused", ["camera"])
GAP_SECONDS = Counter(
    "roadcam_ingest_gap_seconds_total", "seconds of video not handed to the bus (a recording gap)", ["camera"]
)
BUS_PENDING_BYTES = Gauge("roadcam_ingest_bus_pending_bytes", "bytes sent but not yet acknowledged by the bus")


def export(snap: HealthSnapshot) -> None:
    cam = snap.camera_id
    CAMERA_UP.labels(cam).set(1 if snap.state == "ONLINE" else 0)
    CAMERA_FPS.labels(cam).set(snap.fps)
    CAMERA_BITRATE.labels(cam).set(snap.bitrate_bps)
    CAMERA_LAST_PACKET.labels(cam).set(snap.last_packet_time_us / 1e6)
    CAMERA_RECONNECTS.labels(cam).set(snap.reconnects)
    CAMERA_DROPPED.labels(cam).set(snap.dropped)
    for kind in ("TIMEOUT", "UNREACHABLE", "AUTH", "NOT_FOUND", "NO_VIDEO", "BAD_DATA", "ENDED", "INTERNAL"):
        CAMERA_ERROR.labels(cam, kind).set(1 if snap.error_kind == kind and snap.state != "ONLINE" else 0)
