"""Prometheus metrics of the operations package (O1, O2); the k8s alert rules page on them."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

ISOLATED = Gauge("roadcam_api_isolated", "1 while the isolate switch cuts external access (O2), as this replica sees it")
ISOLATE_REFUSED = Counter("roadcam_api_isolate_refused_total", "requests refused by the isolate switch")
LEAK_ALERTS = Counter("roadcam_api_leak_alerts_total", "leak alerts raised (O2)", ["rule"])
LEAK_ALERTS_OPEN = Gauge("roadcam_api_leak_alerts_open", "leak alerts not yet acknowledged (O2)", ["rule"])
LEAK_SCANS = Counter("roadcam_api_leak_scans_total", "leak rule scans over the audit log", ["outcome"])
