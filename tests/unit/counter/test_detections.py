"""Pure filters between the detector and the tracker, and class voting."""
from __future__ import annotations

import numpy as np
import pytest

from services.counter.detections import ClassVotes, Detections, merge_riders, merge_vehicle_duplicates

PERSON, BICYCLE, CAR, MOTORCYCLE, BUS, TRUCK = 0, 1, 2, 3, 5, 7


def dets(*rows) -> Detections:
    arr = np.array(rows, np.float32).reshape(-1, 6)
    return Detections(arr[:, :4], arr[:, 4], arr[:, 5])


def test_rider_becomes_one_two_wheeler_box():
    d = merge_riders(dets([100, 50, 130, 120, 0.8, PERSON], [95, 90, 140, 130, 0.3, BICYCLE]))
    assert len(d) == 1 and int(d.cls[0]) == BICYCLE
    assert d.xyxy[0].tolist() == [95, 50, 140, 130]  # union: bottom is the wheel contact
    assert d.conf[0] == pytest.approx(0.8)


@pytest.mark.parametrize("person, reason", [
    ([100, 60, 130, 150, 0.8, PERSON], "feet below the wheels: walking in front of a parked bicycle"),
    ([300, 50, 330, 120, 0.8, PERSON], "no overlap"),
    ([100, 110, 130, 190, 0.8, PERSON], "person below the bicycle's centre"),
])
def test_pedestrians_next_to_bicycles_stay_pedestrians(person, reason):
    d = merge_riders(dets(person, [95, 90, 140, 130, 0.6, BICYCLE]))
    assert sorted(d.cls.astype(int).tolist()) == [PERSON, BICYCLE], reason


def test_each_two_wheeler_takes_one_rider():
    d = merge_riders(dets([100, 50, 130, 120, 0.8, PERSON], [102, 52, 128, 118, 0.7, PERSON],
                          [95, 90, 140, 130, 0.5, MOTORCYCLE]))
    assert sorted(d.cls.astype(int).tolist()) == [PERSON, MOTORCYCLE]


def test_van_seen_as_car_and_truck_is_one_vehicle():
    d = merge_vehicle_duplicates(dets([10, 10, 110, 80, 0.6, CAR], [12, 8, 112, 82, 0.4, TRUCK],
                                      [200, 10, 300, 80, 0.9, CAR]))
    assert d.cls.astype(int).tolist() == [CAR, CAR] and d.conf.tolist() == pytest.approx([0.6, 0.9])


def test_two_cars_side_by_side_are_kept():
    d = merge_vehicle_duplicates(dets([10, 10, 110, 80, 0.6, CAR], [60, 10, 160, 80, 0.4, TRUCK]))
    assert len(d) == 2


def test_per_class_confidence():
    d = dets([0, 0, 1, 1, 0.2, PERSON], [0, 0, 1, 1, 0.2, CAR], [0, 0, 1, 1, 0.9, 9])
    assert d.above({PERSON: 0.3, CAR: 0.1}).cls.tolist() == [CAR]


@pytest.mark.parametrize("votes, pace, expected", [
    ({CAR: 5.0, TRUCK: 1.0}, 0, CAR),                  # one misread frame does not make a truck
    ({TRUCK: 4.0, CAR: 3.0}, 0, TRUCK),
    ({PERSON: 6.5, BICYCLE: 0.4}, 2.1, BICYCLE),       # weak bicycle evidence + cycling pace
    ({PERSON: 6.5, BICYCLE: 0.4}, 0.6, PERSON),        # the same evidence at walking pace
    ({PERSON: 3.0, BICYCLE: 1.2}, 0.5, BICYCLE),       # a real share of two-wheeler votes
    ({PERSON: 5.0}, 1.6, PERSON),                      # a jogger, no bicycle seen
    ({PERSON: 5.0}, 2.3, BICYCLE),                     # faster than people run: an undetected bicycle
    ({CAR: 5.0, MOTORCYCLE: 0.1}, 3.0, CAR),           # the rider rule never touches cars
])
def test_class_votes(votes, pace, expected):
    v = ClassVotes.new()
    for cls, weight in votes.items():
        v.add(cls, weight)
    assert v.winner(pace) == expected
