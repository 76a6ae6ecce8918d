"""WeakTrail: weak detections repeated along a steady path start tracks; flicker, trembling,
jumps and parts of tracked objects never do (pure logic, synthetic boxes)."""
from __future__ import annotations

import numpy as np

from services.counter.detections import Detections
from services.counter.persistence import WeakTrail

PERSON, CAR = 0, 2
START = {PERSON: 0.3, CAR: 0.25}
RAISE = 0.35


def dets(*boxes: tuple) -> Detections:
    """Boxes as (x1, y1, x2, y2, conf, cls)."""
    arr = np.array(boxes, np.float32).reshape(-1, 6)
    return Detections(arr[:, :4], arr[:, 4], arr[:, 5])


def cyclist(i: int, conf: float = 0.18, step: float = -4.0) -> tuple:
    """A far cyclist read as a weak person: 8x16 px, riding left by `step` px per frame."""
    x = 230 + i * step
    return (x, 80, x + 8, 96, conf, PERSON)


def confs(trail: WeakTrail, frames: list[Detections], tracked=None) -> list[list[float]]:
    return [[round(float(c), 2) for c in trail.confirm(d, START, RAISE, tracked).conf] for d in frames]


def test_a_weak_detection_on_a_steady_path_is_raised_from_its_third_frame():
    got = confs(WeakTrail(frames=3), [dets(cyclist(i)) for i in range(5)])
    assert got == [[0.18], [0.18], [RAISE], [RAISE], [RAISE]]


def test_raised_at_least_to_its_class_start_confidence():
    trail = WeakTrail(frames=2)
    frames = [dets(cyclist(i, conf=0.2, step=-6)) for i in range(2)]
    got = [round(float(trail.confirm(d, {PERSON: 0.5}, RAISE).conf[0]), 2) for d in frames]
    assert got == [0.2, 0.5]


def test_trembling_in_place_is_never_raised():
    jitter = [0, 1.5, -1, 0.5, -1.5, 1]
    frames = [dets((230 + j, 80, 238 + j, 96, 0.18, PERSON)) for j in jitter]
    assert all(c == [0.18] for c in confs(WeakTrail(), frames))


def test_a_box_jumping_between_two_parked_cars_is_never_raised():
    # One big step, then the box stays: moved far enough, but not steadily.
    xs = [100, 100.5, 140, 140.5, 100, 100.5, 140]
    frames = [dets((x, 200, x + 80, 260, 0.2, CAR)) for x in xs]
    assert all(c == [0.2] for c in confs(WeakTrail(), frames))


def test_a_flickering_detection_starts_again_each_time():
    frames = [dets(cyclist(i)) if i % 2 == 0 else dets() for i in range(8)]
    assert all(c in ([0.18], []) for c in confs(WeakTrail(), frames))


def test_a_class_switch_breaks_the_trail():
    frames = [dets(cyclist(0)), dets(cyclist(1)[:5] + (CAR,)), dets(cyclist(2))]
    assert confs(WeakTrail(), frames)[-1] == [0.18]


def test_a_weak_box_on_a_confident_one_is_part_of_it():
    frames = [dets(cyclist(i), (226 + i * -4, 78, 240 + i * -4, 98, 0.8, PERSON)) for i in range(5)]
    assert all(c[0] == 0.18 for c in confs(WeakTrail(), frames))


def test_a_weak_box_on_a_tracked_object_is_not_raised_but_its_own_track_does_not_stop_it():
    trail = WeakTrail(frames=3)
    other = np.array([[222, 78, 236, 98]], np.float32)  # a pedestrian the tracker follows, over the cyclist
    assert confs(trail, [dets(cyclist(i)) for i in range(4)], other)[-1] == [0.18]
    trail = WeakTrail(frames=3)
    raised = confs(trail, [dets(cyclist(i)) for i in range(3)])[-1]
    own = np.array([cyclist(2)[:4]], np.float32)  # the track the raised box started
    assert raised == [RAISE] and confs(trail, [dets(cyclist(3))], own) == [[RAISE]]


def test_too_weak_and_uncounted_classes_are_left_alone():
    frames = [dets(cyclist(i, conf=0.08), cyclist(i)[:5] + (9,)) for i in range(5)]  # 9: traffic light
    assert all(c == [0.08, 0.18] for c in confs(WeakTrail(), frames))


def test_off_never_raises():
    assert all(c == [0.18] for c in confs(WeakTrail(frames=0), [dets(cyclist(i)) for i in range(5)]))
