"""A generated sample camera for when no footage is at hand: moving shapes and a clock, H.264."""
from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np


def write_test_pattern(path: Path, seconds: int = 20, width: int = 640, height: int = 360, fps: int = 10) -> Path:
    """Encode a looping-friendly clip (keyframe every second). Contains no real people or plates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"g": str(fps), "preset": "veryfast", "tune": "zerolatency"}
        for i in range(seconds * fps):
            frame = av.VideoFrame.from_ndarray(_draw(i, fps, width, height), format="bgr24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def _draw(i: int, fps: int, width: int, height: int) -> np.ndarray:
    image = np.full((height, width, 3), 70, np.uint8)
    cv2.rectangle(image, (0, height // 2 - 40), (width, height // 2 + 40), (50, 50, 50), -1)
    x = (i * 8) % (width + 120) - 60  # a "vehicle" crossing left to right
    cv2.rectangle(image, (x, height // 2 - 25), (x + 60, height // 2 + 15), (40, 120, 220), -1)
    y = height - (i * 4) % height  # a "pedestrian" walking up
    cv2.circle(image, (width // 4, y), 10, (200, 200, 200), -1)
    cv2.putText(image, f"roadcam test pattern  t={i / fps:6.1f}s", (10, 24),
                cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1, cv2.LINE_AA)
    return image
