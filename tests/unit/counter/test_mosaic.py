"""Packing frames into one detector input and mapping boxes back."""
from __future__ import annotations

import numpy as np
import pytest

from services.counter.detections import Detections
from services.counter.mosaic import best_layout, compose, split


@pytest.mark.parametrize("size, min_keep, layout", [
    ((320, 240), 0.85, (2, 1)),   # 4:3 low-res: two per input, each still magnified 1.33x
    ((352, 288), 0.85, (1, 1)),   # a pair would be magnified only 1.11x: alone at 1.82x
    ((640, 480), 0.85, (1, 1)),   # a pair would shrink it
    ((320, 240), 0.5, (2, 2)),    # four per input at native size
    ((640, 352), 0.85, (2, 1)),
    ((1280, 720), 0.85, (2, 1)),
    ((720, 1280), 0.85, (1, 2)),  # portrait frames go side by side
    ((640, 640), 0.85, (1, 1)),   # a square frame cannot share without shrinking
    ((320, 240), 1.5, (1, 1)),    # > 1: never tile
    ((1280, 432), 0.85, (3, 1)),  # a wide analysis region of a 720p frame: three at its own scale
    ((320, 144), 0.85, (3, 1)),   # ... of a 320x240 frame: three, each magnified 1.48x
    ((432, 1280), 0.85, (1, 3)),
])
def test_best_layout(size, min_keep, layout):
    assert best_layout(*size, 640, min_keep) == layout


def test_boxes_map_back_to_their_frames():
    frames = [np.zeros((240, 320, 3), np.uint8), np.zeros((240, 320, 3), np.uint8)]
    canvas, placements = compose(frames, 640, 2, 1)
    assert canvas.shape == (640, 640, 3)
    scale = placements[0].scale
    # one box in each tile: frame box (10, 20, 50, 60) in frame 0 and (100, 100, 300, 200) in frame 1
    boxes = []
    for p, b in zip(placements, [(10, 20, 50, 60), (100, 100, 300, 200)]):
        boxes.append([p.x + b[0] * scale, p.y + b[1] * scale, p.x + b[2] * scale, p.y + b[3] * scale])
    dets = Detections(np.array(boxes, np.float32), np.array([0.9, 0.8], np.float32), np.array([2, 7], np.float32))
    out = split(dets, placements)
    assert out[0].xyxy.round(3).tolist() == [[10, 20, 50, 60]] and out[0].cls.tolist() == [2]
    assert out[1].xyxy.round(3).tolist() == [[100, 100, 300, 200]] and out[1].cls.tolist() == [7]


def test_pixels_land_in_their_tiles():
    a, b = np.full((240, 320, 3), 10, np.uint8), np.full((240, 320, 3), 200, np.uint8)
    canvas, placements = compose([a, b], 640, 2, 1)
    for p, value in zip(placements, (10, 200)):
        x, y = int(p.x + 5), int(p.y + 5)
        assert canvas[y, x, 0] == value


def test_too_many_frames_rejected():
    with pytest.raises(ValueError):
        compose([np.zeros((10, 10, 3), np.uint8)] * 3, 640, 2, 1)
