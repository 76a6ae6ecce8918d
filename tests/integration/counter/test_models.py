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


def test_pt_model_runs_through_ultralytics_predict(tmp_path):
    detector = YoloDetector.load(untrained_pt(tmp_path / "p.pt", {i: COCO.get(i, f"other{i}") for i in range(80)}))
    assert detector._direct is None  # only a float-I/O LiteRT export is run directly


def test_tflite_runs_directly_with_the_very_boxes_of_ultralytics_predict(shared_data, videos):
    import av

    detector = YoloDetector.load(shared_data / "models" / "yolov8n_int8.tflite")
    assert detector._direct is not None
    frames = []
    for clip in ("crosswalk_peds_bikes_13s.mp4", "autobahn_overpass_10s.mp4", "freeway_overhead_33s.avi"):
        with av.open(str(videos / clip)) as container:
            frames += [f.to_ndarray(format="bgr24") for i, f in zip(range(30), container.decode(video=0)) if i % 6 == 0]
    groups = [frames[i:i + 2] for i in range(0, len(frames), 2)]  # packed two per input, as the service does
    direct = [d for g in groups for d in detector.detect(g)]
    detector._direct = None
    predicted = [d for g in groups for d in detector.detect(g)]
    assert sum(len(d) for d in direct) > 50
    for a, b in zip(direct, predicted):
        assert len(a) == len(b) and (a.cls == b.cls).all()
        np.testing.assert_allclose(a.xyxy, b.xyxy, atol=1e-3)
        np.testing.assert_allclose(a.conf, b.conf, atol=1e-6)
