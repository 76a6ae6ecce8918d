"""Count bins (T2): 5/15/60-minute counts per camera, line, direction and class. Pure.

The clock is the cameras' capture time, not the wall clock, so a replayed or delayed stream
lands in the right bins. A bin is final once capture time has passed its end by `grace_s`
(late crossings settle a few seconds after they happen); open bins are re-published
periodically so dashboards see them grow.
"""
from __future__ import annotations

from dataclasses import dataclass, field

BinKey = tuple[str, str, int, str, int, int]  # camera, line, direction, class, bin_start_us, bin_seconds


@dataclass(frozen=True)
class BinCount:
    camera_id: str
    line_id: str
    direction: int
    object_class: str
    bin_start_us: int
    bin_seconds: int
    count: int
    final: bool


def bin_start(time_us: int, seconds: int) -> int:
    size = seconds * 1_000_000
    return time_us - time_us % size


@dataclass
class BinAggregator:
    bin_seconds: tuple[int, ...] = (300, 900, 3600)
    grace_s: float = 10.0
    _counts: dict[BinKey, int] = field(default_factory=dict)
    _now_us: dict[str, int] = field(default_factory=dict)  # latest capture time per camera

    def add(self, camera_id: str, line_id: str, direction: int, object_class: str, time_us: int) -> None:
        for seconds in self.bin_seconds:
            key = (camera_id, line_id, direction, object_class, bin_start(time_us, seconds), seconds)
            self._counts[key] = self._counts.get(key, 0) + 1

    def advance(self, camera_id: str, time_us: int) -> None:
        """The camera's stream has reached `time_us` (even with nothing counted)."""
        self._now_us[camera_id] = max(time_us, self._now_us.get(camera_id, 0))

    @property
    def clock(self) -> dict[str, int]:
        """Latest capture time per camera."""
        return dict(self._now_us)

    def close_due(self) -> list[BinCount]:
        """Bins whose end (plus grace) the camera has passed: final, and forgotten here."""
        done = []
        for key, count in list(self._counts.items()):
            camera_id, _, _, _, start, seconds = key
            now = self._now_us.get(camera_id, 0)
            if now >= start + seconds * 1_000_000 + self.grace_s * 1e6:
                done.append(BinCount(*key, count=count, final=True))
                del self._counts[key]
        return done

    def open_bins(self) -> list[BinCount]:
        return [BinCount(*key, count=count, final=False) for key, count in self._counts.items()]

    def close_all(self) -> list[BinCount]:
        """Shutdown: what has been counted so far, marked not final (the bin was not seen to end)."""
        out = self.open_bins()
        self._counts.clear()
        return out
