"""Stopping background tasks for sure.

A single `task.cancel()` is not enough on Python 3.11: when a library awaits
`asyncio.wait_for` (aiokafka, redis) and the inner call finishes in the same loop turn as
the cancel, the cancellation is swallowed and a `while True` loop carries on forever.
So shutdown cancels again until every task has really ended.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)

RECANCEL_INTERVAL_S = 0.5


async def cancel_and_wait(tasks: Iterable[asyncio.Future], grace_s: float = 10.0) -> None:
    """Cancel `tasks` (again, while any ignores it) and wait until all have ended or `grace_s` passed."""
    tasks = list(tasks)
    pending = {task for task in tasks if not task.done()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=RECANCEL_INTERVAL_S)
        if pending and loop.time() >= deadline:
            log.error("%d background tasks ignore cancellation; leaving them behind", len(pending))
            return
    for task in tasks:
        # Mark crashes as seen: the caller has already decided what a crash means.
        if task.done() and not task.cancelled():
            task.exception()
