"""Counts out of the counter: messages (encoded by `messages`) to the bus, live tallies in Redis.

Live tallies are Redis hashes per camera and capture day:
`roadcam:tally:<camera>:<YYYY-MM-DD>` with fields `<line>:<pos|neg>:<class>`.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from roadcam.common import topics
from services.counter.bins import BinCount
from services.counter.census import census_class
from services.counter.engine import CameraCrossing, CameraQueue, CameraView
from services.counter import messages
from services.counter.ground_plane import SpeedBin

log = logging.getLogger(__name__)
QUEUE_LENGTHS = topics.QUEUE_LENGTHS
SPEED_BINS = topics.SPEED_BINS
VIEW_HEALTH = topics.VIEW_HEALTH
OUTPUT_TOPICS = [topics.CROSSINGS, topics.COUNT_BINS, QUEUE_LENGTHS, SPEED_BINS, VIEW_HEALTH]


class Producer(Protocol):
    async def send(self, topic: str, key: str, value: bytes) -> None: ...

    async def views(self, items: list[CameraView]) -> None:
        for v in items:
            await self._producer.send(VIEW_HEALTH, v.camera_id, messages.view_health(v))

    async def flush(self) -> None: ...


def tally_key(camera_id: str, time_us: int) -> str:
    day = dt.datetime.fromtimestamp(time_us / 1e6, dt.timezone.utc).strftime("%Y-%m-%d")
    return f"roadcam:tally:{camera_id}:{day}"


class CountPublisher:
    def __init__(self, producer: Producer, redis, census: dict[str, str],
                 direction_names: dict[tuple[str, str], tuple[str, str]], tally_ttl_s: int) -> None:
        self._producer, self._redis = producer, redis
        self._census = census
        self._names = direction_names  # (camera, line) -> (pos name, neg name)
        self._ttl = tally_ttl_s

    async def crossings(self, items: list[CameraCrossing]) -> None:
        if not items:
            return
        pipe = self._redis.pipeline(transaction=False)
        for item in items:
            c = item.crossing
            pos, neg = self._names.get((item.camera_id, c.line_id), ("", ""))
            census = census_class(c.object_class, c.large, self._census)
            msg = messages.crossing_event(item, census, pos if c.direction > 0 else neg)
            await self._producer.send(topics.CROSSINGS, item.camera_id, msg)
            key = tally_key(item.camera_id, c.time_us)
            pipe.hincrby(key, f"{c.line_id}:{'pos' if c.direction > 0 else 'neg'}:{c.object_class}", 1)
            pipe.expire(key, self._ttl)
        await pipe.execute()

    async def bins(self, items: list[BinCount]) -> None:
        for b in items:
            await self._producer.send(topics.COUNT_BINS, b.camera_id, messages.count_bin(b, b.census_class or self._census.get(b.object_class, "")))

    async def queues(self, items: list[CameraQueue]) -> None:
        for q in items:
            await self._producer.send(QUEUE_LENGTHS, q.camera_id, messages.queue_length(q))

    async def speeds(self, items: list[SpeedBin]) -> None:
        for s in items:
            await self._producer.send(SPEED_BINS, s.camera_id, messages.speed_bin(s, self._census[s.object_class]))

    async def views(self, items: list[CameraView]) -> None:
        for v in items:
            await self._producer.send(VIEW_HEALTH, v.camera_id, messages.view_health(v))

    async def flush(self) -> None:
        await self._producer.flush()
