"""Adapters for the HLS output: segments and playlists in S3, playlist state in Redis."""
from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from services.anonymizer.hls import PlaylistState
from roadcam.common.errors import RoadcamError
from roadcam.common.s3 import minio_client

log = logging.getLogger(__name__)
T = TypeVar("T")


class PublishError(RoadcamError):
    """A segment or playlist could not be written to object storage."""


class ObjectSink(Protocol):
    async def put(self, key: str, data: bytes, content_type: str, cache_control: str) -> None: ...

    async def delete(self, key: str) -> None: ...


class StateRepo(Protocol):
    async def reserve(self, camera_id: str) -> int:
        """A segment number never handed out before for this camera (atomic)."""

    async def update(self, camera_id: str, change: Callable[[PlaylistState], T]) -> T:
        """Apply `change` to the stored state atomically (retried on a concurrent write)."""


def hls_prefix(camera_id: str) -> str:
    return f"hls/{camera_id}/"


class S3Sink:
    """A minio client (sync) used from worker threads; creates the public bucket if missing."""

    def __init__(self, client, bucket: str) -> None:
        self._client, self._bucket = client, bucket
        self._checked = False

    async def put(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        def _put() -> None:
            if not self._checked:
                if not self._client.bucket_exists(self._bucket):
                    self._client.make_bucket(self._bucket)
                self._checked = True
            self._client.put_object(self._bucket, key, io.BytesIO(data), len(data), content_type=content_type,
                                    metadata={"Cache-Control": cache_control})
        try:
            await asyncio.to_thread(_put)
        except Exception as exc:  # noqa: BLE001 - minio/urllib3 errors are untyped here
            raise PublishError(f"cannot write s3://{self._bucket}/{key}: {exc}") from exc

    async def delete(self, key: str) -> None:
        try:
            await asyncio.to_thread(self._client.remove_object, self._bucket, key)
        except Exception as exc:  # noqa: BLE001 - a stale old segment is harmless
            log.warning("cannot delete s3://%s/%s: %s", self._bucket, key, exc)


class RedisStateRepo:
    """Playlist state as JSON under roadcam:hls:{camera}, changed with WATCH/MULTI so two
    replicas writing during a hand-over cannot lose each other's entries."""

    def __init__(self, redis) -> None:
        self._redis = redis

    @staticmethod
    def key(camera_id: str) -> str:
        return f"roadcam:hls:{camera_id}"

    async def reserve(self, camera_id: str) -> int:
        return int(await self._redis.incr(self.key(camera_id) + ":names"))

    async def load(self, camera_id: str) -> PlaylistState | None:
        raw = await self._redis.get(self.key(camera_id))
        return PlaylistState.model_validate_json(raw) if raw else None

    async def update(self, camera_id: str, change: Callable[[PlaylistState], T]) -> T:
        from redis.exceptions import WatchError

        key = self.key(camera_id)
        for _ in range(20):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    state = PlaylistState.model_validate_json(raw) if raw else PlaylistState()
                    result = change(state)
                    pipe.multi()
                    pipe.set(key, state.model_dump_json())
                    await pipe.execute()
                    return result
                except WatchError:
                    continue  # another replica wrote in between: redo on its state
        raise PublishError(f"camera {camera_id}: playlist state kept changing under us")


def make_minio(s3, secret_key: str):
    """A minio client for S3Settings (TLS with an optional private CA)."""
    return minio_client(s3, secret_key)
