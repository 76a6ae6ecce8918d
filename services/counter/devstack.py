"""`roadcam up` hook: the counter's model, and no object-storage credentials (T5)."""
from __future__ import annotations

import os

from roadcam.common.devhooks import DevSetup, StackInfo


def setup(stack: StackInfo) -> DevSetup:
    env = {}
    # The model is the operator's file; pass it through if set (else /readyz names the problem).
    model = os.environ.get("ROADCAM_COUNTER_MODEL") or stack.model("yolov8n*.tflite", "yolov8n*.pt", "yolov8n*.onnx")
    if model:
        env["ROADCAM_COUNTER_MODEL"] = str(model)
    # T5: the counter must hold no credentials that could read recordings.
    return DevSetup(env=env, unset_prefixes=("ROADCAM_COUNTER_S3",))
