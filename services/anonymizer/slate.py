"""The "paused" slate shown instead of video when frames cannot be anonymized (V2)."""
from __future__ import annotations

import cv2
import numpy as np


def paused_slate(width: int, height: int, reason_code: str) -> np.ndarray:
    """A grey card saying the view is paused. Only ASCII: OpenCV fonts have no Japanese glyphs;
    the page shows the Japanese text next to the player."""
    image = np.full((height, width, 3), (60, 60, 60), np.uint8)
    scale = max(0.4, width / 640)
    for i, text in enumerate(("LIVE VIEW PAUSED", reason_code[:40])):
        size = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale * (1.0 if i == 0 else 0.6), 2)[0]
        org = ((width - size[0]) // 2, height // 2 + int(i * 40 * scale))
        cv2.putText(image, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale * (1.0 if i == 0 else 0.6),
                    (230, 230, 230), 2, cv2.LINE_AA)
    return image
