"""Topic names. They carry the contract version (see proto/README.md)."""
from __future__ import annotations

VIDEO = "roadcam.video.v1"
CAMERA_HEALTH = "roadcam.camera-health.v1"
CROSSINGS = "roadcam.crossings.v1"
COUNT_BINS = "roadcam.count-bins.v1"
SEGMENTS = "roadcam.segments.v1"
AUDIT = "roadcam.audit.v1"
COMMANDS = "roadcam.commands.v1"

ALL = (VIDEO, CAMERA_HEALTH, CROSSINGS, COUNT_BINS, SEGMENTS, AUDIT, COMMANDS)
