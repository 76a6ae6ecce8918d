"""Queue length and speed from a ground-plane calibration, on synthetic tracks (T3)."""
from __future__ import annotations

import numpy as np
import pytest

from services.counter.ground_plane import GroundTracks, Homography, QueueLane, SpeedBins, inside, queue_lengths

# A camera looking down a road: image trapezoid <-> 10 m x 50 m rectangle of road.
IMAGE = [(100, 400), (540, 400), (380, 100), (260, 100)]
GROUND = [(0, 0), (10, 0), (10, 50), (0, 50)]


@pytest.fixture
def h() -> Homography:
    return Homography.from_pairs(IMAGE, GROUND)


def test_homography_maps_the_calibration_points(h):
    assert np.allclose(h.to_ground(np.array(IMAGE)), GROUND, atol=1e-6)


def test_homography_scales_with_the_frame(h):
    half = h.scaled(0.5, 0.5)  # the camera now sends half the resolution
    assert np.allclose(half.to_ground(np.array(IMAGE) * 0.5), GROUND, atol=1e-6)


def test_degenerate_calibration_rejected():
    with pytest.raises(ValueError):
        Homography.from_pairs([(0, 0), (1, 1), (2, 2), (3, 3)], GROUND)


def image_point(h: Homography, x_m: float, y_m: float) -> tuple[float, float]:
    inv = Homography(np.linalg.inv(h.matrix))
    return tuple(inv.to_ground(np.array([[x_m, y_m]]))[0])


@pytest.mark.parametrize("kmh, fps", [(50, 10), (100, 10), (30, 5), (8, 10)])
def test_speed_of_a_synthetic_track(h, kmh, fps):
    tracks = GroundTracks(h, window_s=1.0)
    speed = None
    for i in range(int(2 * fps)):
        t = int(i / fps * 1e6)
        y = 5 + kmh / 3.6 * i / fps  # moving away along the road
        tracks.update({7: image_point(h, 5, y)}, t)
        speed = tracks.speed_kmh(7)
    assert speed == pytest.approx(kmh, rel=0.01)


def test_no_speed_before_a_window_has_passed(h):
    tracks = GroundTracks(h, window_s=1.0)
    tracks.update({1: image_point(h, 5, 5)}, 0)
    tracks.update({1: image_point(h, 5, 6)}, 500_000)
    assert tracks.speed_kmh(1) is None and tracks.speed_kmh(99) is None


def test_tracks_are_forgotten(h):
    tracks = GroundTracks(h, keep_s=3)
    tracks.update({1: image_point(h, 5, 5)}, 0)
    tracks.update({2: image_point(h, 5, 5)}, 4_000_000)
    assert tracks.position(1) is None and tracks.position(2) is not None


LANE = QueueLane(id="lane-1", polygon=IMAGE, head=image_point(Homography.from_pairs(IMAGE, GROUND), 5, 0))


@pytest.mark.parametrize("vehicles, length, count", [
    ([(5, 3, 0), (5, 10, 0), (5, 17, 2)], 17.0, 3),         # a queue of three stopped cars
    ([(5, 3, 0), (5, 10, 0), (5, 40, 0)], 10.0, 2),         # the third is far behind: not in the queue
    ([(5, 3, 60), (5, 10, 50)], 0.0, 0),                    # moving traffic is no queue
    ([(5, 3, 0), (5, 10, None)], 3.0, 1),                   # no speed yet: not counted as queued
    ([], 0.0, 0),
])
def test_queue_length(h, vehicles, length, count):
    points = [(image_point(h, x, y), v) for x, y, v in vehicles]
    [sample] = queue_lengths([LANE], h, points)
    assert (sample.lane_id, sample.length_m, sample.vehicles) == ("lane-1", pytest.approx(length, abs=0.1), count)


def test_vehicles_outside_the_lane_do_not_queue(h):
    narrow = QueueLane(id="l", polygon=[image_point(h, 0, 0), image_point(h, 3, 0), image_point(h, 3, 50),
                                   image_point(h, 0, 50)], head=image_point(h, 1.5, 0))
    [sample] = queue_lengths([narrow], h, [(image_point(h, 8, 5), 0.0)])
    assert sample.vehicles == 0


def test_point_in_polygon():
    square = [(0, 0), (10, 0), (10, 10), (0, 10)]
    assert inside(square, (5, 5)) and not inside(square, (15, 5))


def test_speed_bins_mean_and_p85():
    bins = SpeedBins((300,))
    for kmh in range(41, 61):  # 41..60
        bins.add("cam", "l", "car", 0, float(kmh))
    assert bins.close_due({"cam": 299_000_000}) == []
    [open_copy] = bins.open_bins()  # published while open, kept until the bin closes
    assert (open_copy.count, open_copy.mean_kmh, open_copy.final) == (20, 50.5, False)
    [b] = bins.close_due({"cam": 311_000_000})
    assert (b.count, b.mean_kmh, b.p85_kmh, b.final) == (20, 50.5, pytest.approx(57.15, abs=0.06), True)
