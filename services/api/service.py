"""The api service: uvicorn serving the app, and the bus consumers feeding the database."""
from __future__ import annotations

import asyncio
import gc
import logging

import anyio.to_thread
import uvicorn
from sqlalchemy.exc import SQLAlchemyError
from fastapi import FastAPI

from services.api.bus_sink import BusSink
from services.api.messages import decode
from services.api.settings import Settings
from services.api.errors import StoreError
from roadcam.common.backoff import Backoff
from roadcam.common.bus import BusConsumer
from roadcam.common.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class BusIngest:
    """Consume the topics the api keeps; commit offsets only after the database has the batch."""

    def __init__(self, sink: BusSink, consumer: BusConsumer, retry_initial_s: float = 0.5) -> None:
        self._sink, self._consumer = sink, consumer
        self._retry_initial_s = retry_initial_s
        self.running = False

    def is_running(self) -> bool:
        return self.running

    async def run(self) -> None:
        self.running = True
        try:
            async for batch in self._consumer.batches(timeout_ms=500):
                if batch:
                    await self._store_until_done(decode(batch))
                    await self._consumer.commit()
        finally:
            self.running = False

    async def _store_until_done(self, grouped: dict) -> None:
        """The database being away is not the messages' fault: keep the batch, retry, commit nothing."""
        backoff = Backoff(initial=self._retry_initial_s, maximum=30.0)
        while True:
            try:
                await asyncio.to_thread(self._sink.store, grouped)
            except (SQLAlchemyError, StoreError) as exc:
                self.running = False  # /readyz reports it while the database is away
                delay = backoff.next_delay()
                log.warning("storing a bus batch failed (%s); retry in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                continue
            self.running = True
            return


class ApiService:
    def __init__(self, settings: Settings, app: FastAPI, ingest: BusIngest | None) -> None:
        self._settings, self._app, self._ingest = settings, app, ingest
        self._server: uvicorn.Server | None = None

    @property
    def port(self) -> int:
        """The bound HTTP port (useful when http_port is 0)."""
        assert self._server is not None and self._server.servers
        return self._server.servers[0].sockets[0].getsockname()[1]

    def ready(self) -> tuple[bool, dict]:
        serving = self._server is not None and self._server.started
        consuming = self._ingest is None or self._ingest.running
        return serving and consuming, {"http": serving, "consumers": consuming}

    async def run(self, stop: asyncio.Event) -> None:
        # Sync handlers run in anyio's pool; many threads only fight over the GIL under load.
        anyio.to_thread.current_default_thread_limiter().total_tokens = self._settings.http_threads
        # Start-up objects (models, config, SQLAlchemy metadata) never die: keep them out of the
        # collector's scans, and collect young objects less often (a counts answer makes ~1000 dicts).
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
        config = uvicorn.Config(self._app, host=self._settings.http_host, port=self._settings.http_port,
                                log_config=None, access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # the runner owns SIGTERM
        tasks = [asyncio.create_task(self._server.serve(), name="http")]
        if self._ingest is not None:
            tasks.append(asyncio.create_task(self._ingest.run(), name="bus"))
        for name, start in getattr(self._app.state, "background", {}).items():  # e.g. the leak scan
            tasks.append(asyncio.create_task(start(), name=name))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
        self._server.should_exit = True
        await cancel_and_wait([*tasks[1:], stopper])
        results = await asyncio.gather(*tasks, return_exceptions=True)
        failed = [r for t, r in zip(tasks, results) if t in done and isinstance(r, BaseException)
                  and not isinstance(r, asyncio.CancelledError)]
        if failed:
            raise failed[0]
