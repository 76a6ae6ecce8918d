"""Prometheus metrics of the counter (served on /metrics by the health endpoint)."""
from __future__ import annotations

from prometheus_client import Counter

FRAMES_ANALYSED = Counter(
    "roadcam_counter_frames_analysed_total",
    "frames the detector, tracker and view check analysed (after sampling to the target fps)", ["camera"])


def count_analysed(camera_ids: list[str]) -> None:
    """One analysed frame per entry (the engine reports one view per analysed frame)."""
    for camera_id in camera_ids:
        FRAMES_ANALYSED.labels(camera_id).inc()
