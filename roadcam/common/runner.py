"""The one way every service process runs: logging, signals, health endpoint, clean shutdown."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from roadcam.common.dependencies import Dependencies, reset_dependencies, use_dependencies
from roadcam.common.errors import RoadcamError
from roadcam.common.health import HealthServer
from roadcam.common.logs import setup_logging
from roadcam.common.settings import ServiceSettings
from roadcam.common.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class Service(Protocol):
    def ready(self) -> tuple[bool, dict]: ...

    async def run(self, stop: asyncio.Event) -> None: ...


Bootstrap = Callable[[ServiceSettings], AbstractAsyncContextManager[Service]]


async def serve(settings: ServiceSettings, bootstrap: Bootstrap, stop: asyncio.Event) -> None:
    dependencies = Dependencies()
    token = use_dependencies(dependencies)
    try:
        async with bootstrap(settings) as service:
            await dependencies.check_once()
            await _serve_wired(settings, service, dependencies, stop)
    finally:
        reset_dependencies(token)


async def _serve_wired(settings: ServiceSettings, service: Service, dependencies: Dependencies,
                       stop: asyncio.Event) -> None:
    def readiness() -> tuple[bool, dict]:
        ready, details = service.ready()
        deps_ok, deps = dependencies.snapshot()
        return ready and deps_ok, {**details, "dependencies": deps}

    health = None
    if settings.health_port:
        health = HealthServer(settings.health_host, settings.health_port, readiness)
        await health.start()
    probing = asyncio.create_task(dependencies.run(stop))
    try:
        await service.run(stop)
    finally:
        await cancel_and_wait([probing])
        if health:
            await health.stop()


def run_service(name: str, settings: ServiceSettings, bootstrap: Bootstrap) -> None:
    setup_logging(name, settings.log_level)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await serve(settings, bootstrap, stop)

    try:
        asyncio.run(main())
    except RoadcamError as exc:
        log.error("%s cannot run: %s", name, exc)
        sys.exit(2)
    log.info("%s stopped", name)
