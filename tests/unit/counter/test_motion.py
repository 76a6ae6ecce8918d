"""The motion witness (background model) on a real dev clip: it sees moving vehicles after its
warm-up, nothing during it, nothing on a still picture, and neither a sudden change of light nor
a moving shadow becomes a blob."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from services.counter.motion import GreyFrame, MotionWitness
from tests.unit.counter.test_view_check import sampled

VIDEOS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "videos"
FREEWAY = VIDEOS / "freeway_overhead_33s.avi"  # 320x240, four lanes of traffic driving away
pytestmark = pytest.mark.skipif(not FREEWAY.is_file(), reason="dev clips not available")


def blobs_over(frames, witness=None) -> list[tuple[float, np.ndarray]]:
    witness = witness or MotionWitness(10.0)
    return [(t / 1e6, witness.update(f, t)) for t, f in frames]


def test_moving_vehicles_are_seen_after_the_warm_up_only():
    seen = blobs_over(sampled(FREEWAY))
    assert all(len(b) == 0 for s, b in seen if s < 0.3)
    later = [len(b) for s, b in seen if s >= 1.0]
    assert sum(n > 0 for n in later) > 0.8 * len(later)  # busy road: something moves in most frames
    sizes = np.concatenate([b for _, b in seen if len(b)])
    heights = sizes[:, 3] - sizes[:, 1]
    assert 8 <= float(np.median(heights)) <= 60  # vehicle-sized, in frame pixels


def test_a_still_picture_has_no_blobs():
    frames = list(sampled(FREEWAY))
    still = frames[0][1]
    seen = blobs_over([(t, still) for t, _ in frames[:60]])
    assert all(len(b) == 0 for _, b in seen)


def test_a_sudden_change_of_light_is_not_traffic():
    frames = list(sampled(FREEWAY))[:120]
    witness = MotionWitness(10.0)
    blobs_over(frames[:40], witness)
    dimmed = [(t, (f * 0.45).astype(np.uint8)) for t, f in frames[40:80]]
    seen = blobs_over(dimmed, witness)
    assert all(len(b) == 0 for _, b in seen[:5])  # the change itself and the relearning after it
    assert sum(len(b) > 0 for _, b in seen[20:]) > 10  # then it follows the traffic again


def test_a_moving_shadow_is_not_a_blob():
    still = list(sampled(FREEWAY))[0][1]
    witness = MotionWitness(10.0)
    blobs_over([(i * 100_000, still) for i in range(40)], witness)
    shadowed = []
    for i in range(40, 70):
        frame = still.copy()
        x = 10 + (i - 40) * 6  # a cloud's (or a truck's) shadow sweeping across the road
        frame[100:160, x:x + 60] = (frame[100:160, x:x + 60] * 0.7).astype(np.uint8)
        shadowed.append((i * 100_000, frame))
    seen = blobs_over(shadowed, witness)
    assert sum(len(b) for _, b in seen) <= 2


@pytest.mark.parametrize("size, shrunk, scale", [((1280, 720), (320, 180), 4.0), ((320, 240), (320, 240), 1.0),
                                                  ((352, 288), (320, 262), 1.1)])
def test_one_grey_copy_serves_the_witness_and_the_view_check(size, shrunk, scale):
    w, h = size
    image = np.zeros((h, w, 3), np.uint8)
    image[:, : w // 2] = (40, 80, 200)  # left half orange-red, right half black
    grey = GreyFrame.of(image)
    assert grey.pixels.shape == shrunk[::-1] and grey.pixels.ndim == 2 and grey.scale == scale
    left = float(grey.pixels[:, : shrunk[0] // 2 - 2].mean())
    assert abs(left - cv2.cvtColor(image[:1, :1], cv2.COLOR_BGR2GRAY)[0, 0]) <= 1
    # an already grey picture no wider than the work width is used as it is
    assert GreyFrame.of(grey.pixels).scale == 1.0
