"""Kafka consumer with explicit per-partition commits: the recorder commits only up to the
oldest bus position whose footage is not yet stored (see OffsetBook)."""
from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from pydantic import SecretStr

from roadcam.common.bus import BusRecord, client_options, rewind_recreated_partitions
from roadcam.common.settings import KafkaSettings


class OffsetBook:
    """Per partition: highest offset seen; commit = min(oldest unstored ref, highest seen + 1)."""

    def __init__(self) -> None:
        self._next: dict[int, int] = {}
        self._committed: dict[int, int] = {}

    def seen(self, partition: int, offset: int) -> None:
        # Not max(): offsets only go back when the topic was re-created (the local stack rolls it).
        self._next[partition] = offset + 1

    def to_commit(self, pending: list[tuple[int, int]]) -> dict[int, int]:
        """Partitions whose safe offset moved since the last commit."""
        safe = dict(self._next)
        for partition, offset in pending:
            if partition in safe:
                safe[partition] = min(safe[partition], offset)
        return {p: o for p, o in safe.items() if self._committed.get(p) != o}

    def committed(self, offsets: dict[int, int]) -> None:
        self._committed.update(offsets)

    def forget(self) -> None:
        self._next.clear()
        self._committed.clear()


RebalanceHook = Callable[[], Awaitable[None]]


class _Listener(ConsumerRebalanceListener):
    def __init__(self, revoked: RebalanceHook, assigned: RebalanceHook) -> None:
        self._revoked, self._assigned = revoked, assigned

    async def on_partitions_revoked(self, revoked) -> None:
        await self._revoked()

    async def on_partitions_assigned(self, assigned) -> None:
        await self._assigned()


class ExplicitConsumer:
    def __init__(self, kafka: KafkaSettings, password: SecretStr | None, topic: str, group_id: str,
                 session_timeout_ms: int) -> None:
        self.topic = topic
        self._hooks: tuple[RebalanceHook, RebalanceHook] | None = None
        self._consumer = AIOKafkaConsumer(
            group_id=group_id, enable_auto_commit=False, auto_offset_reset="earliest",
            session_timeout_ms=session_timeout_ms, heartbeat_interval_ms=max(session_timeout_ms // 5, 100),
            fetch_max_wait_ms=200, max_partition_fetch_bytes=kafka.max_message_bytes,
            fetch_max_bytes=max(kafka.max_message_bytes, 52428800), **client_options(kafka, password),
        )

    def on_rebalance(self, revoked: RebalanceHook, assigned: RebalanceHook) -> None:
        """Hooks awaited before partitions move away and after new ones arrive (call before start)."""
        self._hooks = (revoked, assigned)

    async def start(self) -> None:
        await self._consumer.start()
        if self._hooks:  # registered by the service before start
            self._consumer.subscribe([self.topic], listener=_Listener(*self._hooks))
        else:
            self._consumer.subscribe([self.topic])

    async def stop(self) -> None:
        await self._consumer.stop()

    async def batches(self, timeout_ms: int = 500, max_records: int = 200) -> AsyncIterator[list[BusRecord]]:
        last_check = time.monotonic()
        while True:
            fetched = await self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
            if time.monotonic() - last_check > 2:
                last_check = time.monotonic()
                await rewind_recreated_partitions(self._consumer)
            yield [
                BusRecord(r.topic, r.partition, r.offset, (r.key or b"").decode(), r.value, r.timestamp)
                for part in fetched.values() for r in part
            ]

    async def commit(self, offsets: dict[int, int]) -> None:
        if offsets:
            await self._consumer.commit({TopicPartition(self.topic, p): o for p, o in offsets.items()})
