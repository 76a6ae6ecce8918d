"""Prometheus metrics of the api (module-level: one registry per process)."""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter("roadcam_api_requests_total", "HTTP requests", ["endpoint", "status"])
LATENCY = Histogram("roadcam_api_request_seconds", "HTTP request latency", ["endpoint"],
                    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10))
BUS_RECORDS = Counter("roadcam_api_bus_records_total", "bus records stored", ["topic", "outcome"])
AUDIT_APPENDED = Counter("roadcam_api_audit_entries_total", "audit entries appended", ["source"])
CAMERA_ALERT = Gauge("roadcam_api_camera_alert", "1 while a camera has an alert (O1): offline, or view_<fault> for a faulty picture", ["camera", "kind"])
AUDIT_ANCHOR_FAILURES = Counter("roadcam_api_audit_anchor_failures_total", "audit head anchors that could not be written")
