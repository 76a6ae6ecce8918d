"""The local stack's Redis: a killed and restarted server still holds what it acknowledged
(claim-checked video in flight), in a folder only its owner can read."""
from __future__ import annotations

import signal
import stat
from pathlib import Path

import redis

from roadcam.devstack.processes import respawn, wait_ready
from roadcam.devstack.servers import start_redis


def test_a_killed_redis_restarts_with_what_it_acknowledged(tmp_path: Path) -> None:
    server = start_redis(tmp_path / "logs", maxmemory_mb=64)
    try:
        [data_dir] = (tmp_path).glob("redis-*")
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700  # raw video: owner only
        client = redis.Redis.from_url(server.url)
        client.set("roadcam:video:cam:s:1", b"\x00" * 100_000, ex=60)
        server.child.process.send_signal(signal.SIGKILL)
        server.child.process.wait(10)
        respawn(server.child)
        wait_ready(server.child, 30)
        client = redis.Redis.from_url(server.url)
        assert client.get("roadcam:video:cam:s:1") == b"\x00" * 100_000
        assert 0 < client.ttl("roadcam:video:cam:s:1") <= 60  # the claim-check TTL survives too
    finally:
        server.child.stop()
