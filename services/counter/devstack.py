"""Counter environment for `roadcam up` (called by roadcam.devstack.stack)."""
from __future__ import annotations

import os

from roadcam.devstack.models import find_model


def environment(infra, env: dict[str, str]) -> dict[str, str | None]:
    p = "ROADCAM_COUNTER_"
    # T5: the counter must hold no credentials that could read recordings.
    out: dict[str, str | None] = {k: None for k in env if k.startswith(f"{p}S3")}
    # The model is the operator's file; pass it through if set (else /readyz names the problem).
    model = find_model(infra.models_dir, "yolov8n*.tflite", "yolov8n*.pt", "yolov8n*.onnx")
    if os.environ.get(f"{p}MODEL"):
        out[f"{p}MODEL"] = os.environ[f"{p}MODEL"]
    elif model is not None:
        out[f"{p}MODEL"] = str(model)
    return out
