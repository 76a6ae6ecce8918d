"""Pack several frames into one detector input (pure numpy/cv2, no model).

A fixed-size detector (the INT8 TFLite model is 640x640) wastes most of its input on a
320x240 camera or on the letterbox bars of a 16:9 frame. Frames are tiled into a grid when
every frame keeps at least `min_keep` of the scale it would get alone, so one inference
serves up to four frames (from one camera or several) at (nearly) the same detail, or when every
frame is still magnified at least `magnified` times (a 320x240 camera: two frames per input at
1.33x instead of one at 2x; magnifying only interpolates, the camera's own detail is all there).
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from services.counter.detections import Detections

# (rows, cols); three in a row or column fit the wide crops of an analysis region (`region`)
LAYOUTS = ((1, 1), (2, 1), (1, 2), (3, 1), (1, 3), (2, 2))
PAD = 114  # Ultralytics' letterbox grey


def tile_scale(width: int, height: int, canvas: int, rows: int, cols: int) -> float:
    return min(canvas / cols / width, canvas / rows / height)


def best_layout(width: int, height: int, canvas: int, min_keep: float, magnified: float = 1.25,
                floor: float = 0.0) -> tuple[int, int]:
    """The grid with the most cells whose scale is at least `min_keep` x the single-frame scale
    or at least `magnified` (frames still enlarged that much lose none of their own detail), and
    never below `floor` (a crop must not get less detail than its whole frame would)."""
    alone = tile_scale(width, height, canvas, 1, 1)
    ok = [(1, 1)] + [(r, c) for r, c in LAYOUTS
                     if tile_scale(width, height, canvas, r, c) >= floor
                     and (min(tile_scale(width, height, canvas, r, c) / alone, 1.0) >= min_keep
                          or (min_keep <= 1 and tile_scale(width, height, canvas, r, c) >= magnified))]
    return max(ok, key=lambda rc: (rc[0] * rc[1], -abs(rc[0] - rc[1])))


def crop_floor(frame: tuple[int, int], crop: tuple[int, int], canvas: int, min_keep: float) -> float | None:
    """Whether to look at a crop of a frame instead of all of it: when the crop's layout packs more
    frames per input, each at no less scale than the whole frame gets, that scale (the crop's
    layout floor); otherwise None (the whole frame, as before)."""
    rows, cols = best_layout(*frame, canvas, min_keep)
    scale = tile_scale(*frame, canvas, rows, cols)
    crop_rows, crop_cols = best_layout(*crop, canvas, min_keep, floor=scale)
    return scale if crop_rows * crop_cols > rows * cols else None


@dataclass(frozen=True)
class Placement:
    x: float  # offset of the tile in the canvas
    y: float
    scale: float
    width: int  # the frame's own size
    height: int


def compose(frames: list[np.ndarray], canvas: int, rows: int, cols: int) -> tuple[np.ndarray, list[Placement]]:
    """Lay out up to rows*cols frames (same grid cell size) on one square canvas."""
    if len(frames) > rows * cols:
        raise ValueError(f"{len(frames)} frames do not fit a {rows}x{cols} grid")
    image = np.full((canvas, canvas, 3), PAD, np.uint8)
    cell_w, cell_h = canvas // cols, canvas // rows
    placements = []
    for i, frame in enumerate(frames):
        h, w = frame.shape[:2]
        scale = min(cell_w / w, cell_h / h)
        tw, th = max(1, round(w * scale)), max(1, round(h * scale))
        r, c = divmod(i, cols)
        x, y = c * cell_w + (cell_w - tw) // 2, r * cell_h + (cell_h - th) // 2
        # Linear, as Ultralytics' own letterbox: the model was trained on such images (and it is fast).
        image[y:y + th, x:x + tw] = frame if (tw, th) == (w, h) else cv2.resize(frame, (tw, th), interpolation=cv2.INTER_LINEAR)
        placements.append(Placement(x, y, tw / w, w, h))
    return image, placements


def split(dets: Detections, placements: list[Placement]) -> list[Detections]:
    """Canvas detections back to per-frame pixels; a box belongs to the tile holding its centre."""
    out = []
    if not len(dets):
        return [Detections.empty() for _ in placements]
    cx, cy = (dets.xyxy[:, 0] + dets.xyxy[:, 2]) / 2, (dets.xyxy[:, 1] + dets.xyxy[:, 3]) / 2
    for p in placements:
        tw, th = p.width * p.scale, p.height * p.scale
        inside = (cx >= p.x) & (cx < p.x + tw) & (cy >= p.y) & (cy < p.y + th)
        d = dets[inside]
        xyxy = (d.xyxy - np.array([p.x, p.y, p.x, p.y], np.float32)) / p.scale
        xyxy = np.clip(xyxy, 0, [p.width, p.height, p.width, p.height]).astype(np.float32)
        out.append(Detections(xyxy, d.conf, d.cls))
    return out
