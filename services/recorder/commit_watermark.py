"""Bus offsets are committed only up to the oldest message whose footage is not yet in S3."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from services.recorder.consumer import ExplicitConsumer, OffsetBook
from services.recorder.segmenter import BusRef

log = logging.getLogger(__name__)


class CommitWatermark:
    """`pending()` lists the bus positions of footage still on its way (open, sealing, queued)."""

    def __init__(self, consumer: ExplicitConsumer, pending: Callable[[], list[BusRef]]) -> None:
        self._consumer, self._pending = consumer, pending
        self._offsets = OffsetBook()
        self._lock = asyncio.Lock()

    def seen(self, ref: BusRef) -> None:
        self._offsets.seen(*ref)

    def forget(self) -> None:
        """Partitions were revoked: what we saw of them is the next owner's business."""
        self._offsets.forget()

    async def commit(self) -> None:
        async with self._lock:
            offsets = self._offsets.to_commit(self._pending())
            if not offsets:
                return
            try:
                await self._consumer.commit_offsets(offsets)
                self._offsets.committed(offsets)
            except Exception as exc:  # noqa: BLE001 - a failed commit only means more re-delivery
                log.warning("offset commit failed: %s", exc)
