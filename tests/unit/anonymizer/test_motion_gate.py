"""Motion gate (issue 13): what appears between detector runs is smeared from its first frame;
static scenery stays sharp and costs no detector runs; held regions survive a still scene."""
import cv2
import numpy as np
import yaml
import pytest

from roadcam.vision.detectors import Box
from services.anonymizer.motion_gate import MotionGate, covered_cells
from services.anonymizer.pipeline import AnonymizationError, FrameAnonymizer, Scheduled
from roadcam.common.camconfig import parse_config
from roadcam.common.errors import ConfigError
from tests.unit.anonymizer.fakes import FixedDetector, camera, detail, noise


class NothingFound:
    """A detector that looks and finds nothing (counts its runs)."""

    def __init__(self, kind: str) -> None:
        self.kind, self.calls = kind, 0

    def detect(self, image):
        self.calls += 1
        return []


def scene(seed: int = 0) -> np.ndarray:
    """Smooth static scenery (a gradient) with a little texture."""
    y, x = np.mgrid[0:720, 0:1280]
    base = ((x / 1280 * 120 + y / 720 * 60) + 40).astype(np.uint8)
    return np.dstack([base, base, base]).copy()


def with_patch(image: np.ndarray, x: int, y: int, size: int = 160, seed: int = 1) -> np.ndarray:
    out = image.copy()
    out[y:y + size, x:x + size] = noise(size, size, seed)
    return out


def sharp_patch_detail() -> float:
    """Detail of the patch as a plain downscale publishes it."""
    return detail(cv2.resize(noise(160, 160, 1), (80, 80), interpolation=cv2.INTER_AREA)[5:75, 5:75])


def gated(detectors, **kw) -> FrameAnonymizer:
    return FrameAnonymizer(camera(), [Scheduled(d, interval_s=0.4) for d in detectors], hold_s=0.5,
                           gate=MotionGate(32, 10.0), look_idle_s=kw.pop("look_idle_s", 2.0), **kw)


def test_gate_marks_changed_cells_only():
    gate = MotionGate(32, 10.0)
    assert gate.observe(scene()).all()  # no reference: everything is unknown
    gate.looked()
    assert not gate.observe(scene()).any()
    changed = gate.observe(with_patch(scene(), 640, 320))
    assert changed[8:12, 16:20].all() and not changed[:4, :4].any()
    assert not gate.is_scene_change()


def test_covered_cells_need_the_whole_cell_inside_a_box():
    cells = covered_cells((18, 32), [(Box(0.25, 0.25, 0.5, 0.5, "person"), 0.0)])
    assert cells[5:9, 8:16].all() and cells.sum() == 4 * 8  # row 4 is only half inside


def test_new_object_between_runs_is_smeared_from_its_first_frame():
    faces, persons = NothingFound("face"), NothingFound("person")
    anon = gated([faces, persons])
    anon.anonymize(scene(), 0.0)  # first look: the scene is known
    out = anon.anonymize(with_patch(scene(), 640, 320), 0.1)  # appears before the detectors are due
    assert faces.calls == 1  # not due yet (0.4 s interval) ...
    patch = out[160:240, 320:400]  # ... so the unknown region is smeared instead
    assert detail(patch) < 0.02 * sharp_patch_detail()
    out = anon.anonymize(with_patch(scene(), 640, 320), 0.5)  # due: the detectors look, find nothing
    assert faces.calls == 2 and persons.calls == 2
    assert detail(out[165:235, 325:395]) > 0.5 * sharp_patch_detail()  # looked at: sharp


def test_sanity_without_gate_the_new_object_is_published_sharp():
    """The check above can fail: the plain interval schedule publishes the same frame sharp."""
    faces = NothingFound("face")
    anon = FrameAnonymizer(camera(), [Scheduled(faces, interval_s=0.4)], hold_s=0.5)
    anon.anonymize(scene(), 0.0)
    out = anon.anonymize(with_patch(scene(), 640, 320), 0.1)
    assert detail(out[165:235, 325:395]) > 0.5 * sharp_patch_detail()


def test_static_scene_costs_no_detector_runs_and_stays_sharp():
    faces = NothingFound("face")
    anon = gated([faces], look_idle_s=5.0)
    for i in range(20):  # 2 s of an unchanging scene at 10 fps
        out = anon.anonymize(scene(), i / 10)
    assert faces.calls == 1
    assert np.abs(out.astype(int) - scene()[::2, ::2].astype(int)).max() <= 2  # nothing smeared


def test_held_face_stays_blurred_in_a_still_scene_until_looked_at_again():
    face = FixedDetector(box=(0.25, 0.25, 0.5, 0.5))
    anon = gated([face], look_idle_s=3.0)
    frame = noise()
    for i in range(25):  # 2.5 s: far beyond hold_s, no motion, no new run
        out = anon.anonymize(frame, i / 10)
        assert detail(out[100:170, 170:310]) < 0.05 * detail(out[250:350, 450:600]), f"frame {i} leaked"
    assert face.calls == 1


def test_scene_change_runs_every_detector_at_once():
    faces, plates = NothingFound("face"), NothingFound("plate")
    anon = FrameAnonymizer(camera(), [Scheduled(faces, 0.4), Scheduled(plates, 4.0)], gate=MotionGate())
    anon.anonymize(scene(), 0.0)
    anon.anonymize(noise(seed=5), 0.1)  # a cut: not due by the clock, run anyway
    assert (faces.calls, plates.calls) == (2, 2)


def test_public_view_near_source_size_is_withheld_at_run_time():
    anon = FrameAnonymizer(camera(), [Scheduled(NothingFound("face"))])
    with pytest.raises(AnonymizationError, match="cam-1.*640x360.*V1"):
        anon.anonymize(noise(640, 360), 0.0)


def test_config_publishing_near_source_resolution_is_rejected_naming_the_camera():
    raw = """
version: 1
cameras:
  - id: r17-maebashi-001
    name: x
    source: {url: rtsp://10.0.0.5/s}
    purposes: [road_management]
    department: roads
    notice: {operator: o, purpose: p, contact: c}
    frame_size: [640, 360]
    public_view: {width: 640, height: 360}
"""
    with pytest.raises(ConfigError, match="r17-maebashi-001") as err:
        parse_config(yaml.safe_load(raw))
    assert "near the source" in str(err.value)


def test_public_view_is_capped_and_shrinks_to_fit_the_source():
    assert camera(frame_size=[1920, 1080]).public_view.width == 640
    assert (camera(frame_size=[640, 360]).public_view.width, camera(frame_size=[640, 360]).public_view.height) == (320, 180)
    with pytest.raises(ValueError, match="public_view.width"):
        camera(public_view={"width": 1280, "height": 720})
