"""The analysis region: what part of a frame the detector needs to see, and the crop's bookkeeping."""
from __future__ import annotations

import numpy as np
import pytest

from services.counter.detections import Detections
from services.counter.mosaic import crop_floor
from services.counter.region import Region

ACROSS_720P = ((0.0, 450.0), (1279.0, 450.0))


def test_a_line_across_the_road_keeps_the_rows_around_it():
    region = Region.around([ACROSS_720P], [], (1280, 720), 0.3)
    assert region == Region(0, 234, 1280, 666)  # 0.3 x 720 = 216 rows each side, every column
    # two whole frames share an input at 0.444; three crops do, at 0.493: the crop pays
    assert crop_floor((1280, 720), region.size, 640, 0.85) == pytest.approx(0.444, abs=1e-3)


@pytest.mark.parametrize("frame, line, pays", [
    ((960, 540), ((0.0, 300.0), (959.0, 300.0)), True),
    ((320, 240), ((0.0, 120.0), (230.0, 120.0)), True),      # 3 at 1.48x instead of 2 at 1.33x
    ((640, 352), ((440.0, 175.0), (440.0, 352.0)), False),   # the crop would fit one per input
    ((352, 194), ((242.0, 96.0), (242.0, 194.0)), False),    # four crops only at less than 1.65x
])
def test_a_crop_is_used_only_for_more_frames_per_input_at_no_less_detail(frame, line, pays):
    region = Region.around([line], [], frame, 0.3)
    assert (crop_floor(frame, region.size, 640, 0.85) is not None) is pays


def test_lanes_and_calibration_widen_the_region():
    lane = [(600.0, 700.0), (800.0, 700.0), (640.0, 100.0), (560.0, 100.0)]
    region = Region.around([ACROSS_720P], [lane], (1280, 720), 0.3)
    assert (region.y0, region.y1) == (100, 700)


@pytest.mark.parametrize("lines, margin", [
    ([((0.0, 100.0), (1279.0, 600.0))], 0.3),  # a diagonal line: nearly everything
    ([ACROSS_720P], 1.0),                      # the tuning's "always the whole frame"
    ([], 0.3),                                 # nothing to count: the detector's default
])
def test_nearly_the_whole_frame_is_the_whole_frame(lines, margin):
    assert Region.around(lines, [], (1280, 720), margin) is None


def test_the_region_stays_inside_the_frame():
    region = Region.around([((-50.0, 10.0), (100.0, 10.0))], [], (1280, 720), 0.1)
    assert region.x0 == 0 and region.y0 == 0 and region.x1 <= 1280 and region.y1 <= 720


def test_crop_is_a_view_and_boxes_go_back_to_frame_pixels():
    frame = np.zeros((720, 1280, 3), np.uint8)
    region = Region(0, 234, 1280, 666)
    crop = region.crop(frame)
    assert crop.shape == (432, 1280, 3) and np.shares_memory(crop, frame)
    dets = Detections(np.array([[10, 20, 110, 80]], np.float32), np.array([0.9], np.float32), np.array([2.0], np.float32))
    assert region.to_frame(dets).xyxy.tolist() == [[10, 254, 110, 314]]
    assert len(region.to_frame(Detections.empty())) == 0


def test_holds_judges_by_the_box_centre():
    region = Region(0, 234, 1280, 666)
    boxes = np.array([[0, 200, 50, 300], [0, 100, 50, 200], [0, 620, 50, 700]], np.float32)
    assert region.holds(boxes).tolist() == [True, False, True]
