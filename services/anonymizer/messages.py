"""The anonymizer's bus edge (the only module of the anonymizer that imports roadcam.v1; video
chunks use the shared codec in roadcam.common.video_bus)."""
from __future__ import annotations

from roadcam.common.config_feed import ConfigDocument
from roadcam.v1 import config_pb2


def config_document(value: bytes) -> ConfigDocument:
    """A camera's configuration document (roadcam.camera-config.v1) from the api."""
    m = config_pb2.CameraConfigDocument.FromString(value)
    return ConfigDocument(m.camera_id, m.version, m.config_json, m.changed_time_us, m.removed)
