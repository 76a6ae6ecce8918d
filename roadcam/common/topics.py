"""Topic names. They carry the contract version (see proto/README.md)."""
from __future__ import annotations

VIDEO = "roadcam.video.v1"
CAMERA_HEALTH = "roadcam.camera-health.v1"
CROSSINGS = "roadcam.crossings.v1"
COUNT_BINS = "roadcam.count-bins.v1"
SEGMENTS = "roadcam.segments.v1"
AUDIT = "roadcam.audit.v1"
COMMANDS = "roadcam.commands.v1"
QUEUE_LENGTHS = "roadcam.queue-lengths.v1"
SPEED_BINS = "roadcam.speed-bins.v1"
# Compacted, key = camera id (issue 10: live configuration).
CAMERA_CONFIG = "roadcam.camera-config.v1"
VIEW_HEALTH = "roadcam.view-health.v1"  # the counter's camera self-diagnosis (T2)

ALL = (VIDEO, CAMERA_HEALTH, CROSSINGS, COUNT_BINS, QUEUE_LENGTHS, SPEED_BINS, VIEW_HEALTH, SEGMENTS, AUDIT, COMMANDS,
       CAMERA_CONFIG)

# Topic configs roadcam sets when it creates a topic (production Kafka; tansu ignores retention
# and compaction).
# Video is only useful while consumers catch up; audit and commands must outlive any outage.
HOUR_MS = 3_600_000
CONFIGS: dict[str, dict[str, str]] = {
    VIDEO: {"retention.ms": str(1 * HOUR_MS)},
    CAMERA_HEALTH: {"retention.ms": str(24 * HOUR_MS)},
    CROSSINGS: {"retention.ms": str(7 * 24 * HOUR_MS)},
    COUNT_BINS: {"retention.ms": str(7 * 24 * HOUR_MS)},
    QUEUE_LENGTHS: {"retention.ms": str(7 * 24 * HOUR_MS)},
    SPEED_BINS: {"retention.ms": str(7 * 24 * HOUR_MS)},
    VIEW_HEALTH: {"retention.ms": str(24 * HOUR_MS)},
    SEGMENTS: {"retention.ms": str(31 * 24 * HOUR_MS)},
    AUDIT: {"retention.ms": str(31 * 24 * HOUR_MS)},
    COMMANDS: {"retention.ms": str(31 * 24 * HOUR_MS)},
    # Compacted: the newest document of every camera stays; a starting service reads them all.
    CAMERA_CONFIG: {"cleanup.policy": "compact"},
}
