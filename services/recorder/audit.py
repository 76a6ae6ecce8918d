"""Audit entries the recorder reports (pure construction) and their delivery on roadcam.audit.v1."""
from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass, field, replace

from roadcam.common import signing, topics
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


def signed(entry: AuditEntry, key: bytes) -> AuditEntry:
    """The entry as the api accepts it: an id nobody can guess without the key, signed by the recorder."""
    event_id = signing.event_id(key, entry.event_id)  # still deterministic: a retry is de-duplicated
    details = {k: v for k, v in entry.details.items() if k not in (signing.SIGNED_BY, signing.SIGNATURE)}
    payload = signing.audit_payload(event_id, entry.time_us, entry.actor, entry.action, entry.camera_id,
                                    entry.range_start_us, entry.range_end_us, entry.reason, entry.method, details)
    details[signing.SIGNED_BY] = ACTOR
    details[signing.SIGNATURE] = signing.sign(ACTOR, key, payload)
    return replace(entry, event_id=event_id, details=details)


class AuditPublisher:
    """Signs and sends audit entries; an entry is never dropped: `publish` retries until the bus takes it.

    Without a key the entries still go out unsigned (the api refuses and counts them) and the
    recorder's readiness says why, so a misconfiguration is loud rather than silent.
    """

    def __init__(self, producer: BusProducer, key: bytes | None = None, retry_max_s: float = 10.0) -> None:
        self._producer, self._key, self._retry_max_s = producer, key, retry_max_s

    @property
    def signs(self) -> bool:
        return self._key is not None

    async def publish(self, entry: AuditEntry) -> None:
        if self._key is not None:
            entry = signed(entry, self._key)
        backoff = Backoff(initial=0.2, maximum=self._retry_max_s)
        while True:
            try:
                await self._producer.send_and_wait(topics.AUDIT, entry.camera_id or "system", messages.audit_message(entry))
                return
            except Exception as exc:  # noqa: BLE001 - an audit event must not be dropped
                delay = backoff.next_delay()
                log.warning("audit event %s not sent (%s); retry in %.1fs", entry.action, exc, delay)
                await asyncio.sleep(delay)
