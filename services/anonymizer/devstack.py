"""`roadcam up`: point the anonymizer at the models in `roadcam up --models DIR`."""
from __future__ import annotations

from roadcam.devstack.models import find_model


def environment(infra, env: dict[str, str]) -> dict[str, str]:
    p = "ROADCAM_ANONYMIZER_DETECTION__"
    wanted = {
        f"{p}YUNET_MODEL": ("face_detection_yunet*.onnx",),
        f"{p}YOLO_MODEL": ("yolov8n*.tflite",),
    }
    extra = {}
    for variable, patterns in wanted.items():
        path = find_model(infra.models_dir, *patterns)
        if path is not None:
            extra[variable] = str(path)
    return extra  # without them the public view stays paused and /readyz says why
