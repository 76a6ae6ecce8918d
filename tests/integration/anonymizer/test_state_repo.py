"""Playlist state in real Redis: concurrent writers (a hand-over) lose nothing."""
import asyncio

import pytest
import redis.asyncio as aioredis

from services.anonymizer.hls import LivePlaylist
from services.anonymizer.playlist_repo import RedisStateRepo

pytestmark = pytest.mark.slow


async def test_concurrent_replicas_keep_every_segment(redis_server):
    clients = [aioredis.from_url(redis_server.url) for _ in range(2)]
    repos = [RedisStateRepo(c) for c in clients]

    async def writer(repo: RedisStateRepo, owner: str, count: int) -> list[str]:
        names = []
        for _ in range(count):
            name = f"seg-{await repo.reserve('cam'):010d}.ts"

            def change(state, name=name):
                LivePlaylist(state, window=100, target_seconds=2).append(name, 2.0, state.owner not in ("", owner))
                state.owner = owner
            await repo.update("cam", change)
            names.append(name)
            await asyncio.sleep(0)
        return names

    a, b = await asyncio.gather(writer(repos[0], "a", 25), writer(repos[1], "b", 25))
    state = await repos[0].load("cam")
    for c in clients:
        await c.aclose()
    listed = [e.name for e in state.entries]
    assert sorted(listed) == sorted(a + b) and len(set(listed)) == 50  # unique names, none lost
    assert [e.sequence for e in state.entries] == list(range(50))  # media sequence stays consecutive
    assert state.next_sequence == 50
