"""Microseconds on the bus <-> aware datetimes in the API (naive input means local time)."""
from __future__ import annotations

from datetime import datetime, tzinfo


def to_dt(us: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(us / 1_000_000, tz)


def to_dt_or_none(us: int | None, tz: tzinfo) -> datetime | None:
    return to_dt(us, tz) if us else None


def to_us(dt: datetime, tz: tzinfo) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return int(dt.timestamp() * 1_000_000)


def local_midnight_us(now_us: int, tz: tzinfo) -> int:
    now = to_dt(now_us, tz)
    return to_us(now.replace(hour=0, minute=0, second=0, microsecond=0), tz)
