"""Kafka adapters on aiokafka. Bytes in and out: (de)serialization is the caller's edge.

Consumers commit offsets only after the caller has handled the records (at-least-once), so a
crash re-delivers rather than loses; handlers must therefore be idempotent.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, IllegalGenerationError, RebalanceInProgressError, UnknownMemberIdError
from aiokafka.helpers import create_ssl_context
from pydantic import SecretStr

from roadcam.common import topics as topic_names
from roadcam.common.backoff import Backoff
from roadcam.common.errors import BusError
from roadcam.common.settings import KafkaSettings

log = logging.getLogger(__name__)
TOPIC_ALREADY_EXISTS = 36


@dataclass(frozen=True)
class BusRecord:
    topic: str
    partition: int
    offset: int
    key: str
    value: bytes
    timestamp_ms: int


def client_options(kafka: KafkaSettings, password: SecretStr | None) -> dict:
    opts: dict = {
        "bootstrap_servers": kafka.bootstrap_servers,
        "security_protocol": kafka.security_protocol,
    }
    if kafka.security_protocol in ("SSL", "SASL_SSL"):
        opts["ssl_context"] = create_ssl_context(
            cafile=str(kafka.ssl_cafile) if kafka.ssl_cafile else None,
            certfile=str(kafka.ssl_certfile) if kafka.ssl_certfile else None,
            keyfile=str(kafka.ssl_keyfile) if kafka.ssl_keyfile else None,
        )
    if kafka.sasl_mechanism:
        opts["sasl_mechanism"] = kafka.sasl_mechanism
        opts["sasl_plain_username"] = kafka.sasl_username
        opts["sasl_plain_password"] = password.get_secret_value() if password else None
    return opts


async def roll_topics(kafka: KafkaSettings, password: SecretStr | None, topics: Iterable[str]) -> None:
    """Delete and re-create topics: retention for a broker that has none (the local stack).

    Loses what consumers had not read yet (and what is sent in the instant between), so it is
    only for ephemeral topics such as claim-checked video, whose payloads expire anyway.
    """
    names = list(topics)
    admin = AIOKafkaAdminClient(**client_options(kafka, password))
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()
    await ensure_topics(kafka, password, names)


async def ensure_topics(
    kafka: KafkaSettings, password: SecretStr | None, topics: Iterable[str]
) -> None:
    """Create missing topics with the configured partitions; existing ones are left alone."""
    admin = AIOKafkaAdminClient(**client_options(kafka, password))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(t, kafka.partitions, kafka.replication_factor, topic_configs={
                "max.message.bytes": str(kafka.max_message_bytes), **topic_names.CONFIGS.get(t, {}),
            })
            for t in topics if t not in existing
        ]
        if not wanted:
            return
        response = await admin.create_topics(wanted)
        for topic, code, message in response.topic_errors:
            if code not in (0, TOPIC_ALREADY_EXISTS):
                raise BusError(f"could not create topic {topic}: {message} (code {code})")
            log.info("topic %s ready", topic)
    finally:
        await admin.close()


async def rewind_recreated_partitions(consumer: AIOKafkaConsumer) -> None:
    """A position past the partition's end means the topic was deleted and re-created (the local
    stack rolls its in-memory video topic); Kafka itself never does this. Start over at the new
    beginning instead of waiting for offsets that may take hours to reach. Call every few seconds."""
    for tp in consumer.assignment():
        highwater = consumer.highwater(tp)
        if highwater is not None and await consumer.position(tp) > highwater:
            log.warning("%s[%d] was re-created; reading it from the beginning", tp.topic, tp.partition)
            await consumer.seek_to_beginning(tp)


class BusProducer:
    def __init__(self, kafka: KafkaSettings, password: SecretStr | None, client_id: str) -> None:
        # Idempotent producers are off: the local broker rejects them; acks=all keeps durability.
        self._producer = AIOKafkaProducer(
            client_id=client_id,
            acks="all",
            linger_ms=5,
            max_request_size=kafka.max_message_bytes,
            **client_options(kafka, password),
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def send(self, topic: str, key: str, value: bytes) -> asyncio.Future:
        """Queue a message; returns its delivery future (fails if the bus never acknowledges it).

        Waits only while the producer's buffer for the partition is full (the bus is away)."""
        return await self._producer.send(topic, value=value, key=key.encode())

    async def send_and_wait(self, topic: str, key: str, value: bytes) -> None:
        await self._producer.send_and_wait(topic, value=value, key=key.encode())

    async def flush(self) -> None:
        await self._producer.flush()


RebalanceHook = Callable[[], Awaitable[None]]


class _Listener(ConsumerRebalanceListener):
    def __init__(self, revoked: RebalanceHook, assigned: RebalanceHook) -> None:
        self._revoked, self._assigned = revoked, assigned

    async def on_partitions_revoked(self, revoked) -> None:
        await self._revoked()

    async def on_partitions_assigned(self, assigned) -> None:
        await self._assigned()


class BusConsumer:
    """A consumer-group member that hands out batches and commits only when told to."""

    def __init__(
        self,
        kafka: KafkaSettings,
        password: SecretStr | None,
        topics: list[str],
        group_id: str,
        *,
        from_beginning: bool = False,
        session_timeout_ms: int = 10_000,
        fetch_max_wait_ms: int = 100,  # low: video consumers care about latency
    ) -> None:
        self._topics = list(topics)
        self._listener: ConsumerRebalanceListener | None = None
        self._consumer = AIOKafkaConsumer(
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest" if from_beginning else "latest",
            session_timeout_ms=session_timeout_ms,
            fetch_max_wait_ms=fetch_max_wait_ms,
            heartbeat_interval_ms=max(session_timeout_ms // 5, 100),
            max_partition_fetch_bytes=kafka.max_message_bytes,
            fetch_max_bytes=max(kafka.max_message_bytes, 52428800),
            **client_options(kafka, password),
        )

    def on_rebalance(self, revoked: RebalanceHook, assigned: RebalanceHook) -> None:
        """Hooks awaited before partitions move away and after new ones arrive (call before start)."""
        self._listener = _Listener(revoked, assigned)

    async def start(self) -> None:
        await self._consumer.start()
        if self._listener is not None:
            self._consumer.subscribe(self._topics, listener=self._listener)
        else:
            self._consumer.subscribe(self._topics)

    async def stop(self) -> None:
        await self._consumer.stop()

    async def batches(self, timeout_ms: int = 500, max_records: int = 500) -> AsyncIterator[list[BusRecord]]:
        """Yield fetched records in partition order; empty lists on idle so callers can tick."""
        last_check = time.monotonic()
        while True:
            fetched = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
            records = [
                BusRecord(r.topic, r.partition, r.offset, (r.key or b"").decode(), r.value, r.timestamp)
                for part in fetched.values() for r in part
            ]
            if time.monotonic() - last_check > 2:
                last_check = time.monotonic()
                await rewind_recreated_partitions(self._consumer)
            yield records

    async def commit(self) -> None:
        """Commit the positions of everything yielded so far (call after handling it).

        A commit the group refuses because it rebalanced meanwhile (a broker restart, a member
        joining) is not fatal: the new owner re-reads from the last commit (at-least-once)."""
        try:
            await self._consumer.commit()
        except (CommitFailedError, UnknownMemberIdError, RebalanceInProgressError, IllegalGenerationError) as exc:
            log.warning("offset commit refused after a rebalance (%s); the records will be re-delivered",
                        type(exc).__name__)

    def assignment(self) -> set:
        return set(self._consumer.assignment())


async def wait_for_topics(
    kafka: KafkaSettings, password: SecretStr | None, topics: Iterable[str], deadline_s: float = 60.0
) -> None:
    """`ensure_topics`, retried while the brokers come up (pods start in any order)."""
    backoff, started = Backoff(initial=0.5, maximum=5.0), time.monotonic()
    while True:
        try:
            await ensure_topics(kafka, password, list(topics))
            return
        except Exception as exc:  # noqa: BLE001 - aiokafka raises several unrelated types here
            if time.monotonic() - started > deadline_s:
                raise BusError(f"Kafka at {kafka.bootstrap_servers} not usable: {exc}") from exc
            delay = backoff.next_delay()
            log.warning("Kafka not ready (%s); retry in %.1fs", exc, delay)
            await asyncio.sleep(delay)
