"""Explicit per-partition commits: the recorder commits only up to the oldest bus position whose
footage is not yet stored (see OffsetBook)."""
from __future__ import annotations

from aiokafka import TopicPartition
from pydantic import SecretStr

from roadcam.common.bus import BusConsumer
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


class ExplicitConsumer(BusConsumer):
    """A BusConsumer of one topic that commits chosen per-partition offsets (see OffsetBook)."""

    def __init__(self, kafka: KafkaSettings, password: SecretStr | None, topic: str, group_id: str,
                 session_timeout_ms: int) -> None:
        super().__init__(kafka, password, [topic], group_id, from_beginning=True,
                         session_timeout_ms=session_timeout_ms, fetch_max_wait_ms=200)
        self.topic = topic

    async def commit_offsets(self, offsets: dict[int, int]) -> None:
        if offsets:
            await self._consumer.commit({TopicPartition(self.topic, p): o for p, o in offsets.items()})
