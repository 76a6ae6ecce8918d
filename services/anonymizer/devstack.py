"""`roadcam up` hook: point the anonymizer at the models in `roadcam up --models DIR`."""
from __future__ import annotations

from roadcam.common.devhooks import DevSetup, StackInfo

_MODELS = {"YUNET_MODEL": ("face_detection_yunet*.onnx",), "YOLO_MODEL": ("yolov8n*.tflite",)}


def setup(stack: StackInfo) -> DevSetup:
    env = {}
    for field, patterns in _MODELS.items():
        path = stack.model(*patterns)
        if path is not None:
            env[f"ROADCAM_ANONYMIZER_DETECTION__{field}"] = str(path)
    return DevSetup(env=env)  # without them the public view stays paused and /readyz says why
