"""Audit entries the recorder reports (pure construction) and their delivery on roadcam.audit.v1."""
from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field

from roadcam.common import topics
from roadcam.common.backoff import Backoff
from roadcam.common.bus import BusProducer
from roadcam.common.timeutil import now_us
from services.recorder import messages

log = logging.getLogger(__name__)
ACTOR = "recorder"


@dataclass(frozen=True)
class AuditEntry:
    event_id: str
    time_us: int
    actor: str
    action: str
    camera_id: str
    range_start_us: int
    range_end_us: int
    reason: str
    details: dict[str, str] = field(default_factory=dict)
    method: str = "recorder"


def audit_event(action: str, camera_id: str, start_us: int, end_us: int, reason: str,
                details: dict[str, str], identity: str, actor: str = ACTOR, time_us: int | None = None) -> AuditEntry:
    """`identity` makes the event id deterministic, so a retried action is de-duplicated downstream."""
    event_id = hashlib.sha256(f"{action}|{camera_id}|{identity}".encode()).hexdigest()[:32]
    return AuditEntry(event_id, time_us or now_us(), actor, action, camera_id, start_us, end_us, reason, dict(details))


class AuditPublisher:
    """Sends audit entries; an entry is never dropped: `publish` retries until the bus takes it."""

    def __init__(self, producer: BusProducer, retry_max_s: float = 10.0) -> None:
        self._producer, self._retry_max_s = producer, retry_max_s

    async def publish(self, entry: AuditEntry) -> None:
        backoff = Backoff(initial=0.2, maximum=self._retry_max_s)
        while True:
            try:
                await self._producer.send_and_wait(topics.AUDIT, entry.camera_id or "system", messages.audit_message(entry))
                return
            except Exception as exc:  # noqa: BLE001 - an audit event must not be dropped
                delay = backoff.next_delay()
                log.warning("audit event %s not sent (%s); retry in %.1fs", entry.action, exc, delay)
                await asyncio.sleep(delay)
