"""The per-camera pipeline after detection (filters, real ByteTrack, lines, votes) on synthetic
detections, and the engine that serves many cameras (with a fake detector)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from roadcam.common.camconfig.models import CameraConfig
from roadcam.common.decoder import DecodedFrame
from services.counter.counting import CountedCrossing, CountingTuning, build_counter
from services.counter.detections import Detections
from services.counter.engine import CountingEngine
from roadcam.common.camconfig.models import Lane

PERSON, BICYCLE, CAR, TRUCK = 0, 1, 2, 7
FPS = 10
STEP_US = 100_000


def frame_dets(boxes) -> Detections:
    arr = np.array(boxes, np.float32).reshape(-1, 6)
    return Detections(arr[:, :4], arr[:, 4], arr[:, 5])


def drive(counter, frames) -> list[CountedCrossing]:
    out = []
    for i, boxes in enumerate(frames):
        out += counter.update(frame_dets(boxes), i * STEP_US)
    return out + counter.flush()


SIZE = (640, 360)


def hline(y=200.0):
    return "l", (0, y), (639, y)


def moving(cls, y0, dy, n, conf=0.8, x=300, w=60, h=40, cls_at=None):
    """n frames of one object moving down by dy px per frame; cls_at: frame -> other class."""
    return [[(x, y0 + i * dy - h, x + w, y0 + i * dy, conf, (cls_at or {}).get(i, cls))] for i in range(n)]


def test_a_car_crossing_counts_once_with_its_direction():
    got = drive(build_counter([hline()], SIZE, FPS, CountingTuning()), moving(CAR, 120, 15, 12))
    assert [(c.line_id, c.direction, c.object_class) for c in got] == [("l", 1, "car")]


def test_a_car_driving_up_is_negative():
    got = drive(build_counter([hline()], SIZE, FPS, CountingTuning()), moving(CAR, 300, -15, 12))
    assert [c.direction for c in got] == [-1]


def test_class_is_voted_over_the_track():
    frames = moving(CAR, 120, 15, 14, cls_at={5: TRUCK, 6: TRUCK})  # misread as a truck at the line
    got = drive(build_counter([hline()], SIZE, FPS, CountingTuning()), frames)
    assert [c.object_class for c in got] == ["car"]


def test_rider_is_a_bicycle_not_a_pedestrian():
    frames = []
    for i in range(14):
        x = 100 + i * 25  # a cyclist crossing a vertical line at x=300, left to right
        frames.append([(x, 100, x + 30, 170, 0.7, PERSON), (x - 5, 140, x + 35, 180, 0.4, BICYCLE)])
    line = ("v", (300, 50), (300, 359))
    got = drive(build_counter([line], SIZE, FPS, CountingTuning()), frames)
    assert [c.object_class for c in got] == ["bicycle"]


def parked_car_glitching_over_the_line(glitch_frames: int) -> list:
    """A parked car whose box jumps across the line for a few frames (merged with a neighbour)."""
    box = (300, 150, 360, 190, 0.8, CAR)
    glitch = (300, 180, 360, 230, 0.8, CAR)  # bottom-centre 30 px past y=200
    return [[glitch if 10 <= i < 10 + glitch_frames else box] for i in range(40)]


@pytest.mark.parametrize("glitch_frames", [1, 3])
def test_an_object_back_on_its_first_side_is_not_counted(glitch_frames):
    got = drive(build_counter([hline()], SIZE, FPS, CountingTuning()), parked_car_glitching_over_the_line(glitch_frames))
    assert got == []


def test_after_a_withdrawn_count_a_real_crossing_still_counts():
    steps_back = moving(CAR, 180, 15, 3) + moving(CAR, 210, -15, 3)  # over the line and back
    later = moving(CAR, 150, 15, 14)  # then across for good
    got = drive(build_counter([hline()], SIZE, FPS, CountingTuning(settle_s=2.0)), steps_back + later)
    assert [c.direction for c in got] == [1]
    assert got[0].time_us >= 8 * STEP_US  # the crossing for good (frame ~9), not the step over and back


def test_a_weak_detection_that_flickers_never_starts_a_count():
    frames = [boxes if i % 2 else [] for i, boxes in enumerate(moving(CAR, 120, 15, 12, conf=0.15))]
    assert drive(build_counter([hline()], SIZE, FPS, CountingTuning()), frames) == []


def test_a_weak_detection_that_persists_and_moves_counts_once():
    frames = moving(CAR, 120, 15, 12, conf=0.15)  # never confident, seen in every frame, steadily on
    got = drive(build_counter([hline()], SIZE, FPS, CountingTuning()), frames)
    assert [(c.direction, c.object_class) for c in got] == [(1, "car")]
    assert drive(build_counter([hline()], SIZE, FPS, CountingTuning(weak_frames=0)), frames) == []


def test_crossing_waits_for_votes_then_settles():
    counter = build_counter([hline()], SIZE, FPS, CountingTuning(settle_s=2.0))
    frames = moving(CAR, 120, 15, 40)  # keeps driving after the crossing
    settled_at = None
    for i, boxes in enumerate(frames):
        if counter.update(frame_dets(boxes), i * STEP_US) and settled_at is None:
            settled_at = i
    assert settled_at is not None and 20 <= settled_at <= 27  # crossed ~frame 6, settled 2 s later


def test_outputs_carry_no_track_id():
    assert {f.name for f in dataclasses.fields(CountedCrossing)} == {
        "line_id", "direction", "object_class", "time_us", "speed_kmh", "large", "size_basis", "witness"}


# --- engine, with a fake detector: frames carry their detections in a side table ---

class FakeDetector:
    def __init__(self, table: dict[int, list]) -> None:
        self.table = table

    def detect(self, images, regions=None):
        self.regions = regions  # the engine hands each frame's analysis region (None: whole frame)
        return [frame_dets(self.table.get(int(img[0, 0, 0]), [])) for img in images]


def camera(frame_size=(640, 360), **extra) -> CameraConfig:
    return CameraConfig.model_validate({
        "id": "cam", "name": "c", "source": {"url": "rtsp://h/x"}, "purposes": ["traffic_survey"],
        "department": "roads", "frame_size": list(frame_size),
        "counting_lines": [{"id": "l", "start": [0, 200], "end": [639, 200], "pos_name": "下り", "neg_name": "上り"}],
        "notice": {"operator": "x", "purpose": "x", "contact": "x"}, **extra})


def frames_for(table_frames, size=(640, 360), scale=1.0):
    table, frames = {}, []
    for i, boxes in enumerate(table_frames):
        table[i] = [(x1 * scale, y1 * scale, x2 * scale, y2 * scale, c, k) for x1, y1, x2, y2, c, k in boxes]
        image = np.full((size[1], size[0], 3), i, np.uint8)
        frames.append(DecodedFrame("cam", image, i * STEP_US, i, i, "s", 0))
    return FakeDetector(table), frames


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_engine_scales_lines_to_the_decoded_resolution(scale):
    detector, frames = frames_for(moving(CAR, 120, 15, 12), (int(640 * scale), int(360 * scale)), scale)
    engine = CountingEngine({"cam": camera()}, detector, CountingTuning(), FPS)
    out = [c for f in frames for c in engine.process([f]).crossings] + engine.flush()
    assert [(c.camera_id, c.crossing.direction, c.crossing.object_class) for c in out] == [("cam", 1, "car")]


def test_engine_ignores_unknown_cameras():
    detector, frames = frames_for(moving(CAR, 120, 15, 12))
    engine = CountingEngine({}, detector, CountingTuning(), FPS)
    assert all(not engine.process([f]).crossings for f in frames) and engine.flush() == []


def test_engine_measures_speed_and_queues_when_calibrated():
    # 1 px = 0.1 m on the road, everywhere
    cal = {"image_points": [[0, 0], [600, 0], [600, 300], [0, 300]],
           "ground_points_m": [[0, 0], [60, 0], [60, 30], [0, 30]]}
    lane = Lane(id="lane-1", polygon=[(0, 250), (639, 250), (639, 359), (0, 359)], head=(330, 359))
    frames = moving(CAR, 120, 15, 20)  # 15 px per 0.1 s = 15 m/s = 54 km/h
    frames = [b + [(300, 290, 360, 330, 0.9, CAR)] for b in frames]  # a stopped car in the lane, 2.9 m from its head
    detector, decoded = frames_for(frames)
    engine = CountingEngine({"cam": camera(calibration=cal)}, detector, CountingTuning(), FPS,
                            lanes={"cam": [lane]}, queue_interval_s=1.0)
    outs = [engine.process([f]) for f in decoded]
    crossings = [c.crossing for o in outs for c in o.crossings] + [c.crossing for c in engine.flush()]
    assert len(crossings) == 1 and crossings[0].speed_kmh == pytest.approx(54, rel=0.02)
    queues = [q for o in outs for q in o.queues]
    assert len(queues) == 2  # at 0 s and 1 s of capture time (1 s interval, 2 s of video)
    assert queues[-1].sample.vehicles == 1 and queues[-1].sample.length_m == pytest.approx(2.9, abs=0.1)


def test_crossings_leave_the_counter_in_whole_seconds() -> None:
    """P2/T5: microsecond times would let crossings of one vehicle over several lines be linked."""
    from roadcam.v1 import counting_pb2
    from services.counter.counting import CountedCrossing
    from services.counter.engine import CameraCrossing
    from services.counter.messages import crossing_event

    raw = crossing_event(CameraCrossing("cam-1", CountedCrossing("l1", 1, "car", 1_700_000_123_456_789)), "小型車", "上り")
    assert counting_pb2.CrossingEvent.FromString(raw).time_us == 1_700_000_123_000_000
