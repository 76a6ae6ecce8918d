"""Detector and motion witness together, and census classes by size: a vehicle only the
background model sees counts (classed by size), one both see counts once, a flicker does not."""
from __future__ import annotations

import numpy as np

from services.counter.census import SizeBasis, SizeLimits, census_class, footprint_m, judge_size
from services.counter.counting import CountingTuning, build_counter
from services.counter.detections import MOTION, PERSON, fuse_motion
from services.counter.ground_plane import GroundTracks, Homography
from tests.unit.counter.test_counting import CAR, SIZE, STEP_US, TRUCK, frame_dets, hline, moving

CENSUS = {"person": "歩行者", "bicycle": "自転車", "motorcycle": "二輪車", "car": "小型車", "bus": "大型車", "truck": "大型車"}


def feed(counter, frames, blobs):
    out = []
    for i, (boxes, blob) in enumerate(zip(frames, blobs)):
        out += counter.update(frame_dets(boxes), i * STEP_US, np.array(blob, np.float32).reshape(-1, 4))
    return out + counter.flush()


def boxes_of(frames):
    return [[b[:4] for b in f] for f in frames]


def test_a_vehicle_only_motion_sees_counts_as_a_motion_car():
    blobs = boxes_of(moving(CAR, 120, 15, 12))
    got = feed(build_counter([hline()], SIZE, 10, CountingTuning()), [[]] * 12, blobs)
    assert [(c.direction, c.object_class, c.witness, c.size_basis) for c in got] == [(1, "car", "motion", "class_only")]


def test_blob_and_detection_of_one_vehicle_count_once_with_the_detector_class():
    frames = moving(TRUCK, 120, 15, 12)
    blobs = [[(b[0] - 3, b[1] + 5, b[2] + 4, b[3] + 2)] for (b,) in frames]  # the same truck, looser box
    for i in (4, 5, 6):  # the detector loses it at the line; the blob carries the track over
        frames[i] = []
    got = feed(build_counter([hline()], SIZE, 10, CountingTuning()), frames, blobs)
    assert [(c.object_class, c.witness) for c in got] == [("truck", "detector")]


def test_a_short_motion_flicker_does_not_count():
    blobs = boxes_of(moving(CAR, 180, 15, 3))  # three frames across the line, then gone
    got = feed(build_counter([hline()], SIZE, 10, CountingTuning()), [[]] * 3 + [[]] * 10, blobs + [[]] * 10)
    assert got == []


def test_a_swaying_branch_over_the_line_does_not_count():
    # Moves 25 px up and down across the line for 3 s, never getting anywhere.
    blobs = [[(300, 170 + (25 if i % 6 < 3 else 0), 340, 195 + (25 if i % 6 < 3 else 0))] for i in range(30)]
    got = feed(build_counter([hline()], SIZE, 10, CountingTuning()), [[]] * 30 + [[]] * 30, blobs + [[]] * 30)
    assert got == []


MIN_CONF = {PERSON: 0.3, CAR: 0.25, TRUCK: 0.3}


def test_blobs_a_detection_explains_are_dropped():
    dets = frame_dets([(100, 100, 160, 140, 0.5, CAR)])
    blobs = np.array([[95, 98, 170, 150], [300, 100, 340, 130]], np.float32)  # the car (+ shadow), another
    fused = fuse_motion(dets, blobs, 0.35, MIN_CONF)
    assert fused.cls.tolist() == [CAR, MOTION] and fused.xyxy[1].tolist() == [300, 100, 340, 130]
    assert fused.conf.tolist()[0] == 0.5


def test_a_weak_detection_that_moves_is_raised_a_strong_one_decides_the_blob():
    dets = frame_dets([(100, 100, 110, 120, 0.15, PERSON),  # a far cyclist the detector barely sees
                       (200, 100, 260, 140, 0.6, TRUCK), (230, 110, 236, 125, 0.12, PERSON)])  # a "person" on a truck
    blobs = np.array([[99, 101, 111, 121], [198, 98, 262, 142]], np.float32)
    fused = fuse_motion(dets, blobs, 0.35, MIN_CONF)
    assert np.allclose(fused.conf, [0.35, 0.6, 0.12]) and len(fused) == 3
    assert fuse_motion(dets, blobs[1:], 0.35, MIN_CONF).conf[0] == np.float32(0.15)  # not moving: stays weak


def test_a_large_blob_is_a_truck_against_the_cars_counted_on_the_line():
    counter = build_counter([hline()], SIZE, 10, CountingTuning())
    cars = [moving(CAR, 120, 15, 12, x=20 + 60 * k) for k in range(6)]
    frames = [[f[i][0] for f in cars] for i in range(12)]
    big = boxes_of(moving(CAR, 120, 15, 12, x=450, w=120, h=70))  # 3.5x a car's area
    got = feed(counter, frames + [[]] * 12, [[]] * 12 + big)
    assert sorted((c.object_class, c.witness, c.size_basis) for c in got) == (
        [("car", "detector", "class_only")] * 5 + [("car", "detector", "image_size")] + [("truck", "motion", "image_size")]
    )
    assert census_class("truck", True, CENSUS) == "大型車"


def test_a_pickup_detected_as_truck_is_small_by_its_size():
    limits = SizeLimits()
    verdict = judge_size("truck", limits, None, 1.3)
    assert (verdict.large, verdict.basis) == (False, SizeBasis.IMAGE_SIZE)
    assert census_class("truck", verdict.large, CENSUS) == "小型車"
    assert judge_size("truck", limits, None, None).basis is SizeBasis.CLASS_ONLY
    assert judge_size("bus", limits, None, 0.5).large  # even a microbus
    assert judge_size("person", limits, None, 3.0) is None


def test_ground_footprint_is_length_along_travel_and_width_across():
    h = Homography(np.diag([0.05, 0.05, 1.0]))  # 5 cm per pixel, straight down
    side = footprint_m(h.to_ground, (100, 50, 220, 90), heading=(1.0, 0.0))  # driving along x: 120 px
    assert side[0] is SizeBasis.GROUND_LENGTH and abs(side[1] - 6.0) < 1e-6
    along = footprint_m(h.to_ground, (100, 50, 140, 150), heading=(0.0, 1.0))  # driving along y: 40 px wide
    assert along[0] is SizeBasis.GROUND_WIDTH and abs(along[1] - 2.0) < 1e-6
    assert judge_size("car", SizeLimits(), side, None).large and not judge_size("car", SizeLimits(), along, None).large
    assert footprint_m(h.to_ground, (0, 0, 10, 10), heading=None) is None


def test_a_calibrated_camera_judges_by_ground_size():
    h = Homography(np.diag([0.05, 0.05, 1.0]))
    counter = build_counter([hline()], SIZE, 10, CountingTuning(), ground=GroundTracks(h))
    wide = moving(TRUCK, 120, 15, 14, w=50)  # 2.5 m wide at 5 cm/px, driving down the image
    got = feed(counter, wide, [[]] * 14)
    assert [(c.object_class, c.large, c.size_basis) for c in got] == [("truck", True, "ground_width")]
