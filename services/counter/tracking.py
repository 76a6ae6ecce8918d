"""Per-camera multi-object tracking: Ultralytics' ByteTrack, tuned for the sampled frame rate.

Track ids live only in this in-memory object (T5): they never leave the counter.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from services.counter.detections import Detections, box_areas, intersections


@dataclass(frozen=True)
class Track:
    track_id: int
    box: tuple[float, float, float, float]
    cls: int  # COCO id of this frame's detection
    conf: float


def buffered_iou(a: np.ndarray, b: np.ndarray, grow: float) -> np.ndarray:
    """IoU of boxes grown by `grow` x their width/height on each side (C-BIoU). At a sampled
    frame rate a small, fast object may not overlap its previous box at all; grown boxes do."""
    def expand(x: np.ndarray) -> np.ndarray:
        w, h = x[:, 2] - x[:, 0], x[:, 3] - x[:, 1]
        return np.stack([x[:, 0] - grow * w, x[:, 1] - grow * h, x[:, 2] + grow * w, x[:, 3] + grow * h], 1)

    a, b = expand(a.reshape(-1, 4)), expand(b.reshape(-1, 4))
    inter = intersections(a, b)
    return inter / np.maximum(box_areas(a)[:, None] + box_areas(b)[None, :] - inter, 1e-9)


def _byte_tracker(args: SimpleNamespace, grow: float):
    from ultralytics.trackers.byte_tracker import BYTETracker

    class SampledByteTracker(BYTETracker):
        """ByteTrack whose association uses buffered IoU instead of score-fused IoU."""

        def get_dists(self, tracks, detections):  # noqa: ANN001 - ultralytics' own types
            if not tracks or not detections:
                return np.zeros((len(tracks), len(detections)), np.float32)
            a = np.array([t.xyxy for t in tracks], np.float32)
            b = np.array([d.xyxy for d in detections], np.float32)
            return 1.0 - buffered_iou(a, b, grow)

    return SampledByteTracker(args)


class ObjectTracker:
    def __init__(self, fps: float, buffer_s: float = 1.5, high: float = 0.25, low: float = 0.1,
                 new: float = 0.3, match: float = 0.85, grow: float = 0.3) -> None:
        # Lost tracks are kept for `buffer_s` of video, whatever the sampling rate.
        args = SimpleNamespace(
            track_high_thresh=high, track_low_thresh=low, new_track_thresh=new,
            track_buffer=max(2, round(buffer_s * fps)), match_thresh=match, fuse_score=False,
        )
        self._tracker = _byte_tracker(args, grow)

    def update(self, dets: Detections) -> list[Track]:
        rows = self._tracker.update(dets)
        tracks = []
        for row in np.asarray(rows).reshape(-1, 8):
            x1, y1, x2, y2, tid, score, cls, _ = row.tolist()
            tracks.append(Track(int(tid), (x1, y1, x2, y2), int(cls), float(score)))
        return tracks
