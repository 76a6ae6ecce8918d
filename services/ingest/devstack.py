"""Ingest settings for `roadcam up` (called by roadcam.devstack.stack)."""
from __future__ import annotations


def environment(infra, env: dict[str, str]) -> dict[str, str]:
    # The local broker keeps every message in memory: fewer, larger video messages keep it small
    # (batches still start at keyframes; live latency grows by at most this much).
    return {"ROADCAM_INGEST_BATCH_MAX_MS": "500"}
