"""The counter's adapter edge: counts -> protobuf on the bus, live tallies in Redis.

Only counts, classes, lines, directions and times leave the counter: no track id, no image,
no crop, no box (T5, P2). Live tallies are Redis hashes per camera and capture day:
`roadcam:tally:<camera>:<YYYY-MM-DD>` with fields `<line>:<pos|neg>:<class>`.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from roadcam.common import topics
from services.counter.bins import BinCount
from services.counter.engine import CameraCrossing, CameraQueue
from services.counter.traffic import SpeedBin
from roadcam.v1 import counting_pb2

log = logging.getLogger(__name__)
QUEUE_LENGTHS = topics.QUEUE_LENGTHS
SPEED_BINS = topics.SPEED_BINS
OUTPUT_TOPICS = [topics.CROSSINGS, topics.COUNT_BINS, QUEUE_LENGTHS, SPEED_BINS]
_DIRECTION = {1: counting_pb2.DIRECTION_POS, -1: counting_pb2.DIRECTION_NEG}


class Producer(Protocol):
    async def send(self, topic: str, key: str, value: bytes) -> None: ...

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
            msg = counting_pb2.CrossingEvent(
                camera_id=item.camera_id, line_id=c.line_id, direction=_DIRECTION[c.direction],
                direction_name=pos if c.direction > 0 else neg, object_class=c.object_class,
                census_class=self._census[c.object_class], time_us=c.time_us,
            )
            await self._producer.send(topics.CROSSINGS, item.camera_id, msg.SerializeToString())
            key = tally_key(item.camera_id, c.time_us)
            pipe.hincrby(key, f"{c.line_id}:{'pos' if c.direction > 0 else 'neg'}:{c.object_class}", 1)
            pipe.expire(key, self._ttl)
        await pipe.execute()

    async def bins(self, items: list[BinCount]) -> None:
        for b in items:
            msg = counting_pb2.CountBin(
                camera_id=b.camera_id, line_id=b.line_id, direction=_DIRECTION[b.direction],
                object_class=b.object_class, census_class=self._census[b.object_class],
                bin_start_us=b.bin_start_us, bin_seconds=b.bin_seconds, count=b.count, final=b.final,
            )
            await self._producer.send(topics.COUNT_BINS, b.camera_id, msg.SerializeToString())

    async def queues(self, items: list[CameraQueue]) -> None:
        for q in items:
            msg = counting_pb2.QueueLength(
                camera_id=q.camera_id, lane_id=q.sample.lane_id, time_us=q.time_us,
                length_m=q.sample.length_m, vehicles=q.sample.vehicles,
            )
            await self._producer.send(QUEUE_LENGTHS, q.camera_id, msg.SerializeToString())

    async def speeds(self, items: list[SpeedBin]) -> None:
        for s in items:
            msg = counting_pb2.SpeedBin(
                camera_id=s.camera_id, line_id=s.line_id, object_class=s.object_class,
                census_class=self._census[s.object_class], bin_start_us=s.bin_start_us,
                bin_seconds=s.bin_seconds, count=s.count, mean_kmh=s.mean_kmh, p85_kmh=s.p85_kmh, final=s.final,
            )
            await self._producer.send(SPEED_BINS, s.camera_id, msg.SerializeToString())

    async def flush(self) -> None:
        await self._producer.flush()
