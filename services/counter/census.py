"""Census classes by size (T1). Pure: numpy only.

The Japanese road traffic census (道路交通センサス) splits motor vehicles into 小型車 (passenger
cars, plate classes 3/5/7, small goods vehicles 4/6, kei cars) and 大型車 (buses, plate class 2;
ordinary goods vehicles, plate class 1; special-purpose vehicles 8/9/0). The plate is not read
here (P2), so the split is made by size, in this order of trust:

- `ground_length`: the camera is calibrated and the vehicle's footprint along its direction of
  travel can be measured on the road plane (the bottom edge of its box, projected, where the
  view is oblique enough): 大型 from `large_length_m` (default 5.5 m: 小型 vehicles are at most
  4.7 m long (小型自動車 limit), large passenger cars reach ~5.2 m, class-1 trucks and buses start
  around 5-6 m);
- `ground_width`: calibrated, but the camera looks along the road, so the bottom edge is the
  vehicle's width: 大型 from `large_width_m` (default 2.2 m; 小型 at most 1.7 m, large cars
  ~2.0 m, trucks and buses 2.3-2.5 m);
- `image_size`: not calibrated; the box at the counting line against the median box of the cars
  counted on that line (same place, same perspective): 大型 from `large_area_ratio` times it;
- `class_only`: no reference yet: the detector's class (bus, truck -> 大型; car -> 小型).

A bus is always 大型 (even a microbus has a class-2 plate). Vehicles found by motion only are
classed by size the same way (`counting`).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

Box = tuple[float, float, float, float]
SIZED_CLASSES = ("car", "truck")  # a bus is large whatever its size; two-wheelers are not sized


class SizeBasis(str, Enum):
    GROUND_LENGTH = "ground_length"
    GROUND_WIDTH = "ground_width"
    IMAGE_SIZE = "image_size"
    CLASS_ONLY = "class_only"


@dataclass(frozen=True)
class SizeLimits:
    large_length_m: float = 5.5
    large_width_m: float = 2.2
    large_area_ratio: float = 2.2
    min_references: int = 5  # cars counted on a line before their median is trusted


def footprint_m(to_ground, box: Box, heading: tuple[float, float] | None) -> tuple[SizeBasis, float] | None:
    """The vehicle's measurable extent on the road from its box's bottom edge: its length where
    the edge runs along the travel direction (|cos| >= 0.7), else its width (|cos| <= 0.3).
    `to_ground`: image points (N, 2) -> metres (N, 2); `heading`: ground direction of travel."""
    if heading is None:
        return None
    x1, _, x2, y2 = box
    g = to_ground(np.array([[x1, y2], [x2, y2]], float))
    edge = g[1] - g[0]
    size = float(np.hypot(*edge))
    norm = float(np.hypot(*heading))
    if size <= 0 or norm <= 0:
        return None
    cos = abs(float(edge @ np.asarray(heading)) / (size * norm))
    if cos >= 0.7:
        return SizeBasis.GROUND_LENGTH, size * cos
    if cos <= 0.3:
        return SizeBasis.GROUND_WIDTH, size * (1 - cos * cos) ** 0.5
    return None  # diagonal: neither length nor width alone


@dataclass
class SizeReference:
    """Box areas of detector-confirmed cars where they crossed each line (the perspective there)."""

    keep: int = 200
    _areas: dict[str, deque] = field(default_factory=dict)

    def add_car(self, line_id: str, box: Box) -> None:
        self._areas.setdefault(line_id, deque(maxlen=self.keep)).append(_area(box))

    def ratio(self, line_id: str, box: Box, min_references: int) -> float | None:
        """This box's area over the median car's at this line; None without enough cars."""
        areas = self._areas.get(line_id)
        if not areas or len(areas) < min_references:
            return None
        return _area(box) / max(float(np.median(areas)), 1e-6)


def _area(box: Box) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


@dataclass(frozen=True)
class SizeVerdict:
    large: bool
    basis: SizeBasis
    measure: float | None = None  # metres or area ratio, for the logs


def judge_size(object_class: str, limits: SizeLimits, ground: tuple[SizeBasis, float] | None,
               ratio: float | None) -> SizeVerdict | None:
    """大型 or not for a motor vehicle of `object_class` (None: not a sized class)."""
    if object_class == "bus":
        return SizeVerdict(True, SizeBasis.CLASS_ONLY)
    if object_class not in SIZED_CLASSES:
        return None
    if ground is not None:
        basis, metres = ground
        limit = limits.large_length_m if basis is SizeBasis.GROUND_LENGTH else limits.large_width_m
        return SizeVerdict(metres >= limit, basis, metres)
    if ratio is not None:
        return SizeVerdict(ratio >= limits.large_area_ratio, SizeBasis.IMAGE_SIZE, ratio)
    return SizeVerdict(object_class == "truck", SizeBasis.CLASS_ONLY)


def census_class(object_class: str, large: bool | None, mapping: dict[str, str]) -> str:
    """The census class of a counted object: by size where it was judged (大型 = the label of
    "bus", 小型 = the label of "car" in the configured mapping), else by the mapping."""
    if large is None or not object_class:
        return mapping.get(object_class, "")
    return mapping["bus"] if large else mapping["car"]
