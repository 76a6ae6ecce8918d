"""Publishes camera health to the bus and to Redis (hot state for the api)."""
from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis

from roadcam.common import topics
from roadcam.common.bus import BusProducer
from services.ingest import metrics
from services.ingest.messages import camera_health
from services.ingest.status import HealthSnapshot

log = logging.getLogger(__name__)
BUS_TIMEOUT_S = 1.0


def health_key(camera_id: str) -> str:
    return f"roadcam:camera:{camera_id}:health"


class HealthReporter:
    def __init__(self, producer: BusProducer, redis: aioredis.Redis, instance: str, interval_s: float) -> None:
        self._producer, self._redis = producer, redis
        self._instance = instance
        self._ttl = max(int(interval_s * 3), 3)  # a silent ingest's cameras fall out of Redis

    async def report(self, snap: HealthSnapshot) -> None:
        metrics.export(snap)
        message = camera_health(snap, self._instance)
        fields = {
            "state": snap.state, "fps": snap.fps, "bitrate_bps": snap.bitrate_bps,
            "last_packet_time_us": snap.last_packet_time_us, "last_error": snap.last_error,
            "error_kind": snap.error_kind, "reconnects": snap.reconnects, "dropped": snap.dropped,
            "gap_seconds": round(snap.gap_seconds, 3),
            "codec": snap.codec, "width": snap.width, "height": snap.height,
            "ingest_instance": self._instance, "reported_time_us": message.reported_time_us,
        }
        key = health_key(snap.camera_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=fields)
            pipe.expire(key, self._ttl)
            await pipe.execute()
        # After Redis, and bounded: a bus that is away must not silence the health the api reads.
        delivery = await asyncio.wait_for(
            self._producer.send(topics.CAMERA_HEALTH, snap.camera_id, message.SerializeToString()), BUS_TIMEOUT_S
        )
        delivery.add_done_callback(_ignore_outcome)


def _ignore_outcome(delivery: asyncio.Future) -> None:
    """Health is re-sent every interval; a lost report needs no more than retrieving its error."""
    if not delivery.cancelled():
        delivery.exception()
