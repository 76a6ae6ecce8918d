import numpy as np
import pytest

from services.anonymizer.pipeline import AnonymizationError, FrameAnonymizer, RegionMemory, Scheduled, fit_width
from roadcam.vision.detectors import Box
from tests.unit.anonymizer.fakes import FixedDetector, camera, detail, noise


def test_output_is_downscaled_to_public_size_and_blurred():
    det = FixedDetector(box=(0.25, 0.25, 0.5, 0.5))
    anon = FrameAnonymizer(camera(), [Scheduled(det)])
    out = anon.anonymize(noise(), 0.0)
    assert out.shape == (360, 640, 3)
    assert detail(out[110:160, 180:300]) < 0.05 * detail(out[250:350, 450:600])


def test_detector_failure_raises_and_returns_nothing():
    det = FixedDetector()
    det.fail = RuntimeError("onnx exploded")
    anon = FrameAnonymizer(camera(), [Scheduled(det)])
    with pytest.raises(AnonymizationError, match="onnx exploded"):
        anon.anonymize(noise(), 0.0)


def test_slow_frame_is_a_timeout():
    det = FixedDetector()
    det.delay_s = 0.05
    anon = FrameAnonymizer(camera(), [Scheduled(det)], timeout_s=0.01)
    with pytest.raises(AnonymizationError, match="limit"):
        anon.anonymize(noise(), 0.0)


def test_bad_image_is_refused():
    anon = FrameAnonymizer(camera(), [Scheduled(FixedDetector())])
    with pytest.raises(AnonymizationError):
        anon.anonymize(np.zeros((10, 10), np.uint8), 0.0)


def test_detectors_run_at_their_interval_and_regions_are_held():
    det = FixedDetector(box=(0.0, 0.0, 0.5, 1.0))
    anon = FrameAnonymizer(camera(), [Scheduled(det, interval_s=1.0)], hold_s=1.5)
    for i in range(10):  # 10 fps for 1 s
        out = anon.anonymize(noise(seed=i), i / 10)
        assert detail(out[:, :300]) < 0.05 * detail(out[:, 340:]), f"frame {i} not blurred"
    assert det.calls == 1
    anon.anonymize(noise(), 1.0)
    assert det.calls == 2


def test_reset_after_gap_forces_detection():
    det = FixedDetector()
    anon = FrameAnonymizer(camera(), [Scheduled(det, interval_s=100.0)])
    anon.anonymize(noise(), 0.0)
    anon.anonymize(noise(), 0.1)
    assert det.calls == 1
    anon.reset()
    anon.anonymize(noise(), 0.2)
    assert det.calls == 2


def test_person_detector_skipped_when_camera_does_not_blur_persons():
    person = FixedDetector(kind="person")
    anon = FrameAnonymizer(camera(public_view={"blur_persons": False}), [Scheduled(person)])
    anon.anonymize(noise(), 0.0)
    assert person.calls == 0


def test_privacy_mask_is_mosaicked_at_output_scale():
    cam = camera(frame_size=[1280, 720], privacy_masks=[{"name": "house", "polygon": [[0, 0], [640, 0], [640, 720], [0, 720]]}])
    anon = FrameAnonymizer(cam, [])
    out = anon.anonymize(noise(), 0.0)
    assert detail(out[:, :300]) < 0.2 * detail(out[:, 340:])


def test_region_memory_expires_and_grows():
    memory = RegionMemory(hold_s=1.0, growth_per_s=0.5, max_growth=0.4)
    memory.add([Box(0, 0, 1, 1, "face")], 0.0)
    assert memory.current(0.5)[0][1] == pytest.approx(0.25)
    assert memory.current(0.9)[0][1] == pytest.approx(0.4)  # capped
    assert memory.current(1.01) == []


def test_region_memory_holds_at_least_until_the_next_run():
    memory = RegionMemory(hold_s=0.0, growth_per_s=0.0)
    memory.add([Box(0, 0, 1, 1, "plate")], 0.0, source=1, interval_s=2.0)
    assert len(memory.current(1.9)) == 1


def test_fresh_detection_replaces_overlapping_held_box_of_same_detector():
    memory = RegionMemory(hold_s=5.0, growth_per_s=0.5)
    memory.add([Box(0.1, 0.1, 0.2, 0.2, "face"), Box(0.7, 0.7, 0.8, 0.8, "face")], 0.0, source=0)
    memory.add([Box(0.0, 0.5, 0.1, 0.6, "person")], 0.5, source=1)
    memory.add([Box(0.12, 0.1, 0.22, 0.2, "face")], 1.0, source=0)
    boxes = memory.current(1.0)
    assert len(boxes) == 3  # the moved face replaced its old box; the lost face is still held
    assert (Box(0.7, 0.7, 0.8, 0.8, "face"), 0.5) in boxes


def test_still_width_keeps_aspect():
    assert fit_width(800, 600, 640) == (640, 480)
    anon = FrameAnonymizer(camera(), [], still_width=640)
    assert anon.anonymize(noise(800, 600), 0).shape == (480, 640, 3)
