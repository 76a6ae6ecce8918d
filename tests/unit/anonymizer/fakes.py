"""Test doubles for the anonymizer's unit tests (pure logic only)."""
from __future__ import annotations

import time

import numpy as np

from roadcam.vision.detectors import Box
from services.anonymizer.hls import PlaylistState
from roadcam.common.camconfig.models import CameraConfig


def camera(**extra) -> CameraConfig:
    raw = {"id": "cam-1", "name": "test", "source": {"url": "/dev/null"}, "purposes": ["road_management"],
           "department": "roads", "notice": {"operator": "Gunma", "purpose": "road", "contact": "027-000"}}
    raw.update(extra)
    return CameraConfig.model_validate(raw)


class FixedDetector:
    """Returns the same normalised box (scaled to the image) every call; can be told to fail."""

    def __init__(self, kind: str = "face", box=(0.0, 0.0, 1.0, 1.0)) -> None:
        self.kind, self.box = kind, box
        self.calls = 0
        self.fail: Exception | None = None
        self.delay_s = 0.0

    def detect(self, image: np.ndarray) -> list[Box]:
        self.calls += 1
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail is not None:
            raise self.fail
        h, w = image.shape[:2]
        x1, y1, x2, y2 = self.box
        return [Box(x1 * w, y1 * h, x2 * w, y2 * h, self.kind, 0.9)]


class MemorySink:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    async def put(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        self.objects[key] = data

    async def delete(self, key: str) -> None:
        self.objects.pop(key, None)


class MemoryRepo:
    def __init__(self) -> None:
        self.states: dict[str, str] = {}
        self.counters: dict[str, int] = {}

    async def reserve(self, camera_id: str) -> int:
        self.counters[camera_id] = self.counters.get(camera_id, 0) + 1
        return self.counters[camera_id]

    async def update(self, camera_id: str, change):
        raw = self.states.get(camera_id)
        state = PlaylistState.model_validate_json(raw) if raw else PlaylistState()
        result = change(state)
        self.states[camera_id] = state.model_dump_json()
        return result


def noise(width: int = 1280, height: int = 720, seed: int = 0) -> np.ndarray:
    """A frame full of fine detail: any of it surviving in the output is easy to measure."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def detail(image: np.ndarray) -> float:
    """High-frequency energy (variance of the Laplacian of the grey image)."""
    import cv2

    return float(cv2.Laplacian(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var())
