"""Open what services share, once: Redis, the claim-check blob store, bus producer and consumers.

Each adapter is entered on one `AsyncExitStack`, so a service's `bootstrap()` is a short list of
what it adds and everything closes in reverse order, also when a later step fails.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager

import redis.asyncio as aioredis

from roadcam.common.blobs import BlobStore, RedisBlobStore
from roadcam.common.bus import BusConsumer, BusProducer, wait_for_topics
from roadcam.common.dependencies import current_dependencies, tcp_probe
from roadcam.common.settings import ConsumerSettings, ServiceSettings


class Wiring:
    """Shared adapters of one service process, closed with the stack that opened them."""

    def __init__(self, settings: ServiceSettings, stack: AsyncExitStack) -> None:
        self.settings = settings
        self.stack = stack
        self._redis: aioredis.Redis | None = None
        # Readiness follows every adapter opened here (None outside `runner.serve`, e.g. unit tests).
        self.dependencies = current_dependencies()

    def probe(self, name: str, probe) -> None:
        """Make /readyz depend on `probe` (an async callable that raises when `name` is unusable)."""
        if self.dependencies is not None:
            self.dependencies.add(name, probe)

    @property
    def service(self) -> str:
        return self.settings.service_name()

    async def topics(self, names: Iterable[str]) -> None:
        """Wait until the brokers answer and the topics exist (pods start in any order)."""
        await wait_for_topics(self.settings.kafka, self.settings.kafka_sasl_password, list(names))
        self.probe("kafka", tcp_probe(self.settings.kafka.bootstrap_servers))

    async def redis(self) -> aioredis.Redis:
        if self._redis is None:
            self._redis = aioredis.from_url(self.settings.redis_url.get_secret_value())
            self.stack.push_async_callback(self._redis.aclose)
            self.probe("redis", self._redis.ping)
        return self._redis

    async def blobs(self) -> BlobStore | None:
        """The claim-check store when video bytes travel through Redis, else None (inline)."""
        if self.settings.payload.mode != "redis":
            return None
        return RedisBlobStore(await self.redis(), self.settings.payload.ttl_seconds)

    async def producer(self) -> BusProducer:
        producer = BusProducer(self.settings.kafka, self.settings.kafka_sasl_password,
                               client_id=f"roadcam-{self.service}-{self.settings.instance}")
        await producer.start()
        self.stack.push_async_callback(producer.stop)
        return producer

    def consumer(self, topics: Iterable[str], *, group_suffix: str = "", from_beginning: bool = False) -> BusConsumer:
        """A consumer of the service's group, not started: call `start_consumer` after wiring hooks."""
        settings = self.settings
        if not isinstance(settings, ConsumerSettings):
            raise TypeError(f"{self.service} has no consumer settings")
        return BusConsumer(settings.kafka, settings.kafka_sasl_password, list(topics), settings.group_id + group_suffix,
                           from_beginning=from_beginning, session_timeout_ms=settings.session_timeout_ms)

    async def start(self, client) -> None:
        """Start a bus client (anything with start/stop) and stop it when the stack closes."""
        await client.start()
        self.stack.push_async_callback(client.stop)


@asynccontextmanager
async def wiring(settings: ServiceSettings) -> AsyncIterator[Wiring]:
    async with AsyncExitStack() as stack:
        yield Wiring(settings, stack)
