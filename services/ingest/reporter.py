"""Publishes camera health to the bus and Redis (the adapter edge for health)."""
from __future__ import annotations

import logging

import redis.asyncio as aioredis

from roadcam.common import topics
from roadcam.common.bus import BusProducer
from roadcam.common.timeutil import now_us
from services.ingest import metrics
from services.ingest.status import HealthSnapshot
from roadcam.v1 import health_pb2

log = logging.getLogger(__name__)


def health_key(camera_id: str) -> str:
    return f"roadcam:camera:{camera_id}:health"


def to_proto(snap: HealthSnapshot, instance: str) -> health_pb2.CameraHealth:
    return health_pb2.CameraHealth(
        camera_id=snap.camera_id,
        state=health_pb2.CameraState.Value(f"CAMERA_STATE_{snap.state}"),
        fps=snap.fps,
        bitrate_bps=snap.bitrate_bps,
        last_packet_time_us=snap.last_packet_time_us,
        last_error=snap.last_error,
        error_kind=health_pb2.CameraErrorKind.Value(f"CAMERA_ERROR_{snap.error_kind}"),
        reconnects=snap.reconnects,
        reported_time_us=now_us(),
        ingest_instance=instance,
        codec=snap.codec,
        width=snap.width,
        height=snap.height,
        online_since_us=snap.online_since_us,
    )


class HealthReporter:
    def __init__(self, producer: BusProducer, redis: aioredis.Redis, instance: str, interval_s: float) -> None:
        self._producer, self._redis = producer, redis
        self._instance = instance
        self._ttl = max(int(interval_s * 3), 3)  # a silent ingest's cameras fall out of Redis

    async def report(self, snap: HealthSnapshot) -> None:
        metrics.export(snap)
        message = to_proto(snap, self._instance)
        await self._producer.send(topics.CAMERA_HEALTH, snap.camera_id, message.SerializeToString())
        fields = {
            "state": snap.state, "fps": snap.fps, "bitrate_bps": snap.bitrate_bps,
            "last_packet_time_us": snap.last_packet_time_us, "last_error": snap.last_error,
            "error_kind": snap.error_kind, "reconnects": snap.reconnects, "dropped": snap.dropped,
            "codec": snap.codec, "width": snap.width, "height": snap.height,
            "ingest_instance": self._instance, "reported_time_us": message.reported_time_us,
        }
        key = health_key(snap.camera_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping=fields)
            pipe.expire(key, self._ttl)
            await pipe.execute()
