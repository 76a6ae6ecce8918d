"""The ingest service's bus edge: domain objects to protobuf messages (the only module that imports roadcam.v1).

Video batches use the shared codec in `roadcam.common.video_bus` (four services read them).
"""
from __future__ import annotations

from roadcam.common.timeutil import now_us
from roadcam.common.video_bus import encode_batch
from roadcam.v1 import health_pb2
from services.ingest.status import HealthSnapshot

__all__ = ["camera_health", "encode_batch"]


def camera_health(snap: HealthSnapshot, instance: str) -> health_pb2.CameraHealth:
    """One camera's health report for the camera-health topic."""
    return health_pb2.CameraHealth(
        camera_id=snap.camera_id,
        state=health_pb2.CameraState.Value(f"CAMERA_STATE_{snap.state}"),
        fps=snap.fps,
        bitrate_bps=snap.bitrate_bps,
        last_packet_time_us=snap.last_packet_time_us,
        last_error=snap.last_error,
        error_kind=health_pb2.CameraErrorKind.Value(f"CAMERA_ERROR_{snap.error_kind}"),
        reconnects=snap.reconnects,
        reported_time_us=now_us(),
        ingest_instance=instance,
        codec=snap.codec,
        width=snap.width,
        height=snap.height,
        online_since_us=snap.online_since_us,
    )
