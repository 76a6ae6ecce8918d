"""When one camera's frames are processed: public frame rate, overload hysteresis, idle slates.

Pure (the clock is passed in): no encoding, no I/O. The channel asks it before spending CPU on a
frame and asks it how many slate frames keep a silent camera's playlist moving.
"""
from __future__ import annotations

from collections.abc import Callable

from roadcam.common.decoder import FrameRateSampler


class Pacing:
    def __init__(self, fps: float, max_lag_s: float, slate_after_s: float, clock: Callable[[], float]) -> None:
        self.fps, self._max_lag_s, self._slate_after_s, self._clock = fps, max_lag_s, slate_after_s, clock
        self._sampler = FrameRateSampler(fps)  # the feed may decode faster for other cameras
        self._catching_up = False
        self.idle = False  # emitting slate because no frames arrive
        self.last_output_s = 0.0

    def keep(self, capture_time_us: int) -> bool:
        """Whether this frame is one of the public frame rate's."""
        return self._sampler.keep(capture_time_us)

    def overload_lag_s(self, capture_time_us: int) -> float | None:
        """How far behind a frame is when it must be dropped for overload, else None."""
        lag = self._clock() - capture_time_us / 1e6
        limit = self._max_lag_s / 2 if self._catching_up else self._max_lag_s
        self._catching_up = lag > limit  # hysteresis: once behind, catch up to half the limit
        return lag if self._catching_up else None

    def frame_output(self) -> None:
        self.last_output_s, self.idle = self._clock(), False

    def silent(self) -> bool:
        """No frame output for slate_after_s (or already idle): time for slates."""
        return self.idle or self._clock() - self.last_output_s >= self._slate_after_s

    def start_idle(self) -> bool:
        """Enter idle; True only on the transition."""
        if self.idle:
            return False
        self.idle = True
        # fill at most the silent slate_after_s, then keep pace with the clock
        self.last_output_s = max(self.last_output_s, self._clock() - self._slate_after_s)
        return True

    def slate_frames_due(self) -> int:
        return min(int((self._clock() - self.last_output_s) * self.fps), int(self.fps * self._slate_after_s) + 1)

    def slates_sent(self, count: int) -> None:
        # after a stall, skip ahead rather than burst (at most slate_after_s behind the clock)
        self.last_output_s = max(self.last_output_s + count / self.fps, self._clock() - self._slate_after_s)
