"""Prometheus metrics of the recorder (served on /metrics by the health endpoint)."""
from prometheus_client import Counter, Gauge

SEGMENTS_STORED = Counter("roadcam_recorder_segments_stored_total", "segments durably stored", ["camera"])
BYTES_STORED = Counter("roadcam_recorder_bytes_stored_total", "encrypted bytes stored", ["camera"])
UPLOAD_FAILURES = Counter("roadcam_recorder_upload_failures_total", "failed S3 attempts (retried)")
LOST_MESSAGES = Counter("roadcam_recorder_unreadable_messages_total", "bus messages whose video was gone or invalid")
BUFFERED_BYTES = Gauge("roadcam_recorder_buffered_bytes", "encrypted bytes waiting for S3")
