"""/readyz tells the truth about the bus and Redis: a service whose broker or Redis dies is not ready."""
from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from roadcam.common import topics
from roadcam.common.dependencies import Dependencies, tcp_probe
from roadcam.common.devhooks import StackInfo
from roadcam.common.runner import serve
from roadcam.common.settings import KafkaSettings, ServiceSettings, service_config
from roadcam.common.wiring import wiring
from tests.support.services import wait_for

pytestmark = pytest.mark.slow


class ProbeSettings(ServiceSettings):
    model_config = service_config("probe")


class IdleService:
    def ready(self) -> tuple[bool, dict]:
        return True, {"cameras": {}}

    async def run(self, stop: asyncio.Event) -> None:
        await stop.wait()


@asynccontextmanager
async def bootstrap(settings: ProbeSettings):
    async with wiring(settings) as wire:
        await wire.topics([topics.CAMERA_HEALTH])
        await wire.redis()
        yield IdleService()


async def readyz(port: int) -> dict:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
    body = (await reader.read()).split(b"\r\n\r\n", 1)[1]
    writer.close()
    return json.loads(body)


async def test_readiness_follows_the_broker_and_redis(kafka, redis_server, tmp_path: Path) -> None:
    port = StackInfo.free_port()
    settings = ProbeSettings(kafka=KafkaSettings(bootstrap_servers=kafka.url), redis_url=redis_server.url,
                             health_port=port, health_host="127.0.0.1")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, bootstrap, stop))
    try:
        assert await wait_for(lambda: _ready_is(port, True), 30)
        body = await readyz(port)
        assert body["dependencies"] == {"kafka": "ok", "redis": "ok"}
        kafka.child.stop()
        assert await wait_for(lambda: _ready_is(port, False), 15)
        assert (await readyz(port))["dependencies"]["kafka"].startswith("unreachable")
        redis_server.child.stop()
        assert await wait_for(lambda: _dependency_down(port, "redis"), 15)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def _ready_is(port: int, wanted: bool) -> bool:
    try:
        return (await readyz(port))["ready"] is wanted
    except OSError:
        return False


async def _dependency_down(port: int, name: str) -> bool:
    return (await readyz(port))["dependencies"][name] != "ok"


async def test_a_probe_that_hangs_counts_as_down() -> None:
    dependencies = Dependencies(timeout_s=0.2)

    async def hangs() -> None:
        await asyncio.sleep(10)

    dependencies.add("slow", hangs)
    dependencies.add("nowhere", tcp_probe("127.0.0.1:1"))
    assert dependencies.snapshot() == (False, {"slow": "unchecked", "nowhere": "unchecked"})
    await dependencies.check_once()
    ok, state = dependencies.snapshot()
    assert not ok and state["slow"].startswith("unreachable: TimeoutError")
    assert state["nowhere"].startswith("unreachable: ConnectionError")
