"""The api's clock: the wall clock in microseconds (tests pass their own) and the local time zone."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from roadcam.common.timeutil import now_us

wall_clock_us = now_us  # the shared wall clock; tests pass their own


@dataclass(frozen=True)
class ApiClock:
    now_us: Callable[[], int]
    tz: ZoneInfo  # for bins, CSV and every datetime the api shows
