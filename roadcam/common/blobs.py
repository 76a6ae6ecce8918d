"""Claim-check store: large payloads in Redis with a TTL, a short key on the bus instead."""
from __future__ import annotations

from typing import Protocol

import redis.asyncio as aioredis

from roadcam.common.errors import BusError


class BlobStore(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes: ...


class RedisBlobStore:
    """Blobs expire after `ttl_seconds`: a consumer lagging longer sees a gap, never stale data."""

    def __init__(self, client: aioredis.Redis, ttl_seconds: int) -> None:
        self._redis = client
        self._ttl = ttl_seconds

    async def put(self, key: str, data: bytes) -> None:
        await self._redis.set(key, data, ex=self._ttl)

    async def get(self, key: str) -> bytes:
        data = await self._redis.get(key)
        if data is None:
            raise BusError(f"payload {key} expired or missing in the blob store")
        return data
