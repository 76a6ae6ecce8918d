"""Prometheus metrics of the recorder (served on /metrics by the health endpoint)."""
from prometheus_client import Counter, Gauge

SEGMENTS_STORED = Counter("roadcam_recorder_segments_stored_total", "segments durably stored", ["camera"])
BYTES_STORED = Counter("roadcam_recorder_bytes_stored_total", "encrypted bytes stored", ["camera"])
UPLOAD_FAILURES = Counter("roadcam_recorder_upload_failures_total", "failed S3 attempts (retried)")
LOST_MESSAGES = Counter("roadcam_recorder_unreadable_messages_total", "bus messages whose video was gone or invalid")
ELEMENTARY_SEGMENTS = Counter(
    "roadcam_recorder_elementary_segments_total",
    "segments the muxer rejected, stored as a bare elementary stream instead (kept, not dropped)", ["camera"])
BUFFERED_BYTES = Gauge("roadcam_recorder_buffered_bytes", "encrypted bytes waiting for S3")
SPILLED_BYTES = Gauge("roadcam_recorder_spilled_bytes", "encrypted bytes waiting for S3 on the spool (memory full)")
SWEEP_FAILURES = Counter(
    "roadcam_recorder_sweep_failures_total",
    "retention deletions or key destructions not carried out (camera '' = the whole sweep failed); retried",
    ["camera"])
SWEEP_FAILING = Gauge("roadcam_recorder_sweep_failing_items", "deletions or key destructions that failed in the last sweep")
SWEEP_LAST_RUN = Gauge("roadcam_recorder_sweep_last_run_timestamp_seconds", "when the last retention sweep ended")
SWEEP_LAST_SUCCESS = Gauge(
    "roadcam_recorder_sweep_last_success_timestamp_seconds", "when the last retention sweep without any failure ended")
VERIFY_OK = Gauge(
    "roadcam_recorder_verify_ok",
    "1 when the last scheduled verify of the camera's recent chain found nothing tampered, missing or unreadable",
    ["camera"])
VERIFY_FINDINGS = Gauge("roadcam_recorder_verify_findings", "findings of the last scheduled verify", ["camera", "kind"])
VERIFY_ERRORS = Counter("roadcam_recorder_verify_errors_total", "scheduled verifies that could not run (S3 away)", ["camera"])
VERIFY_LAST_RUN = Gauge(
    "roadcam_recorder_verify_last_run_timestamp_seconds", "when the camera's chain was last verified", ["camera"])
