"""Run a real service in-process (its own bootstrap, real adapters) and wait for conditions."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


@asynccontextmanager
async def running_service(bootstrap, settings) -> AsyncIterator:
    """Start `service.run(stop)` from `bootstrap(settings)`; stop it and wait on exit."""
    stop = asyncio.Event()
    async with bootstrap(settings) as service:
        task = asyncio.create_task(service.run(stop))
        try:
            yield service
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)


async def wait_for(predicate, timeout: float, interval: float = 0.2):
    """Poll an async predicate until it returns something truthy (returned) or time runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await predicate()
        if value or loop.time() > deadline:
            return value
        await asyncio.sleep(interval)
