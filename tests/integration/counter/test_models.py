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


def test_a_region_is_looked_at_three_to_an_input_and_boxes_come_back_in_frame_pixels(shared_data, videos):
    """Autobahn frames (960x540, line at y 300): three region crops share each input, and the
    vehicles around the line are the ones the whole frames show, in frame pixels."""
    import av

    from services.counter.region import Region

    detector = YoloDetector.load(shared_data / "models" / "yolov8n_int8.tflite")
    with av.open(str(videos / "autobahn_overpass_10s.mp4")) as container:
        frames = [f.to_ndarray(format="bgr24") for i, f in zip(range(60), container.decode(video=0)) if i % 5 == 0]
    region = Region.around([((0, 300), (959, 300))], [], (960, 540), 0.3)
    detector.inferences = 0
    cropped = detector.detect(frames, [region] * len(frames))
    assert detector.inferences == 4  # 12 frames, 3 per input (whole frames: 2 per input)
    whole = detector.detect(frames)
    near = lambda d: d[(d.conf > 0.5) & (np.abs(d.xyxy[:, 3] - 300) < 60)]  # noqa: E731 - confident, bottom near the line
    assert sum(len(near(d)) for d in whole) >= 10
    for a, b in zip(cropped, whole):
        for box in near(b).xyxy:  # each confident vehicle at the line is found in the crop, same place
            assert len(a) and np.abs(a.xyxy - box).max(axis=1).min() < 12, box
        assert (a.xyxy[:, 1] >= region.y0 - 1).all() and (a.xyxy[:, 3] <= region.y1 + 1).all()
