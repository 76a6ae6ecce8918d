"""Shared playlist state of each camera in Redis, so replicas continue one playlist."""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from services.anonymizer.hls import PlaylistState
from services.anonymizer.segment_sink import PublishError

T = TypeVar("T")


class StateRepo(Protocol):
    async def reserve(self, camera_id: str) -> int:
        """A segment number never handed out before for this camera (atomic)."""

    async def update(self, camera_id: str, change: Callable[[PlaylistState], T]) -> T:
        """Apply `change` to the stored state atomically (retried on a concurrent write)."""


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
