"""BusIngest: offsets are committed only after the database took the batch, even across outages."""
from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError

from services.api.service import BusIngest
from tests.unit.api import busdata
from tests.unit.api.apikit import T0_US, Api


class ScriptedConsumer:
    """Hands out the given batches, then idles; records commits (a fake for this logic test)."""

    def __init__(self, batches) -> None:
        self._batches, self.commits, self.handed_out = list(batches), 0, 0

    async def batches(self, timeout_ms: int = 500):
        while True:
            if self._batches:
                self.handed_out += 1
                yield self._batches.pop(0)
            else:
                await asyncio.sleep(0.01)
                yield []

    async def commit(self) -> None:
        self.commits += 1


async def test_commit_waits_for_the_database(api: Api) -> None:
    consumer = ScriptedConsumer([[busdata.crossing("bridge-1", T0_US + i) for i in range(3)]])
    real, failures = api.parts.counts.add_crossings, []

    def flaky(events):
        if len(failures) < 2:
            failures.append(1)
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(events)

    api.parts.counts.add_crossings = flaky
    ingest = BusIngest(api.sink(), consumer, retry_initial_s=0.01)
    task = asyncio.create_task(ingest.run())
    async with asyncio.timeout(10):
        while consumer.commits == 0:
            await asyncio.sleep(0.01)
    task.cancel()
    assert len(failures) == 2 and consumer.commits == 1 and consumer.handed_out == 1
    assert sum(n for *_, n in api.parts.counts.live(["bridge-1"], 0)) == 3
