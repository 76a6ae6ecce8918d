"""Self-disclosure redaction, the pure part: following the marked person and what each frame blurs."""
from __future__ import annotations

import numpy as np
import pytest

from roadcam.vision.detectors import Box
from services.api.disclosure.redacted_clip import render
from services.api.disclosure.redaction import FollowRules, FramePlan, Mark, MarkError, follow, plan

RULES = FollowRules(min_iou=0.3, ambiguity=0.15, max_gap=1, hold=1)


def person(x: float, y: float = 100, w: float = 40, h: float = 100) -> Box:
    return Box(x, y, x + w, y + h, "person", 0.9)


def walking(xs: list[float]) -> list[Box]:
    return [person(x) for x in xs]


def test_the_marked_person_is_followed_both_ways_and_someone_else_is_never_taken() -> None:
    requester, other = walking([100, 105, 110, 115, 120]), walking([300, 298, 296, 294, 292])
    detections = [[r, o] for r, o in zip(requester, other)]
    kept = follow(Mark(2, (108, 98, 152, 202)), detections, RULES)
    assert kept == requester


def test_the_operators_box_stands_when_no_detection_matches_it() -> None:
    detections = [[person(400)], [person(400)]]
    kept = follow(Mark(0, (10, 10, 50, 110)), detections, RULES)
    assert kept[0] == Box(10, 10, 50, 110, "person") and kept[1] is None  # the other person is not taken


def test_lost_after_more_than_max_gap_frames_without_a_match_and_never_reacquired() -> None:
    r = person(100)
    detections = [[r], [], [r], [], [], [r], [r]]
    kept = follow(Mark(0, (100, 100, 140, 200)), detections, RULES)
    assert kept == [r, None, r, None, None, None, None]  # one missing frame is bridged, two end the track


def test_two_people_overlapping_alike_end_the_track() -> None:
    a, b, c = person(100), person(104), person(102)
    detections = [[a], [b, c], [b]]  # frame 1: two candidates about as good as each other
    assert follow(Mark(0, (100, 100, 140, 200)), detections, RULES) == [a, None, None]


def test_frames_without_the_requester_blur_whole_and_others_are_held_around_their_detection() -> None:
    r, o = person(100), person(300)
    face_of_r = Box(110, 102, 126, 120, "face")
    stranger_face = Box(310, 102, 326, 120, "face")
    plate, vehicle = Box(500, 300, 540, 310, "plate"), Box(450, 200, 600, 320, "vehicle")
    detections = [[r, face_of_r, vehicle], [r, face_of_r, o, stranger_face, plate], [r], []]
    kept = [r, r, r, None]
    plans = plan(detections, kept, RULES)
    assert plans[3] == FramePlan(True)
    assert set(plans[1].boxes) == {o, stranger_face, plate}
    assert set(plans[0].boxes) == {o, stranger_face, plate}  # held one frame before ...
    assert set(plans[2].boxes) == {o, stranger_face, plate}  # ... and after; the vehicle itself is not secret


def test_render_destroys_planned_boxes_and_whole_frames_and_keeps_the_rest() -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
    out = render(image.copy(), FramePlan(False, (Box(10, 10, 50, 60, "face"),)))
    assert np.array_equal(out[100:, 100:], image[100:, 100:])
    assert np.abs(np.diff(out[20:50, 25:45].astype(int), axis=1)).mean() < 10  # the noise inside is smoothed away
    whole = render(image.copy(), FramePlan(True))
    assert np.abs(np.diff(whole.astype(int), axis=1)).mean() < 10


@pytest.mark.parametrize("mark, why", [(Mark(5, (0, 0, 10, 10)), "frames 0 to 4"),
                                       (Mark(0, (50, 0, 40, 10)), "not inside"),
                                       (Mark(0, (0, 0, 10, 999)), "not inside")])
def test_a_mark_outside_the_clip_is_refused_clearly(mark: Mark, why: str) -> None:
    with pytest.raises(MarkError, match=why):
        mark.check(5, 160, 120)


def test_large_faces_the_detector_is_unsure_of_are_dropped_small_ones_never() -> None:
    from services.api.disclosure.redaction import plausible

    assert not plausible(Box(0, 0, 200, 240, "face", 0.1), 48, 0.5)  # texture the size of the frame
    assert plausible(Box(0, 0, 60, 60, "face", 0.9), 48, 0.5)
    assert plausible(Box(0, 0, 8, 10, "face", 0.06), 48, 0.5)  # small faces stay at any score
    assert plausible(Box(0, 0, 200, 240, "person", 0.3), 48, 0.5)
