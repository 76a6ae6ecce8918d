"""`roadcam up`: point the anonymizer at the development models when they exist locally."""
from __future__ import annotations

from pathlib import Path

_MODELS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "models"


def environment(infra, env: dict[str, str]) -> dict[str, str]:
    extra = {}
    yunet, yolo = _MODELS / "face_detection_yunet_2026may.onnx", _MODELS / "yolov8n_int8.tflite"
    if yunet.is_file():
        extra["ROADCAM_ANONYMIZER_DETECTION__YUNET_MODEL"] = str(yunet)
    if yolo.is_file():
        extra["ROADCAM_ANONYMIZER_DETECTION__YOLO_MODEL"] = str(yolo)
    return extra  # without them the public view stays paused and /readyz says why
