"""`roadcam up` hook for ingest."""
from __future__ import annotations

from roadcam.common.devhooks import DevSetup, StackInfo


def setup(stack: StackInfo) -> DevSetup:
    # The local broker keeps every message in memory: fewer, larger video messages keep it small
    # (batches still start at keyframes; live latency grows by at most this much).
    return DevSetup(env={"ROADCAM_INGEST_BATCH_MAX_MS": "500"})
