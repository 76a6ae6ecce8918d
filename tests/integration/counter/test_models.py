"""The detector adapter with model formats other than the shared TFLite file."""
from __future__ import annotations

import numpy as np
import pytest

from roadcam.common.errors import ModelMissingError
from services.counter.detector import YoloDetector

pytestmark = pytest.mark.slow
COCO = {0: "person", 1: "bicycle", 2: "car", 3: "motorcycle", 5: "bus", 7: "truck"}


def untrained_pt(path, names: dict[int, str]):
    """A YOLOv8n .pt built offline from its YAML (random weights): the loading path, not accuracy."""
    from ultralytics import YOLO

    model = YOLO("yolov8n.yaml")
    model.model.names = names
    model.save(str(path))
    return path


def test_pt_model_loads_and_maps_classes_by_name(tmp_path):
    names = {i: COCO.get(i, f"other{i}") for i in range(80)}
    names[2], names[40] = "wine glass", "car"  # another class order: the mapping follows names
    detector = YoloDetector.load(untrained_pt(tmp_path / "y.pt", names))
    assert detector._to_coco[40] == 2 and 2 not in detector._to_coco
    out = detector.detect([np.zeros((240, 320, 3), np.uint8), np.zeros((240, 320, 3), np.uint8)])
    assert len(out) == 2 and all(d.xyxy.shape[1] == 4 for d in out)


def test_model_without_counted_classes_is_refused(tmp_path):
    path = untrained_pt(tmp_path / "n.pt", {i: f"thing{i}" for i in range(80)})
    with pytest.raises(ModelMissingError, match="none of the counted classes"):
        YoloDetector.load(path)


def test_garbage_model_file_is_a_model_error(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelMissingError, match="cannot be loaded"):
        YoloDetector.load(bad)


def test_onnx_model_loads_and_detects(tmp_path):
    """An .onnx export (of the same offline-built model) goes through the same adapter."""
    from ultralytics import YOLO

    names = {i: COCO.get(i, f"other{i}") for i in range(80)}
    onnx_path = YOLO(str(untrained_pt(tmp_path / "o.pt", names))).export(format="onnx", imgsz=320, simplify=False)
    detector = YoloDetector.load(onnx_path, imgsz=320)
    assert detector._to_coco == {k: k for k in COCO}
    out = detector.detect([np.zeros((240, 320, 3), np.uint8)])
    assert len(out) == 1 and out[0].xyxy.shape[1] == 4
