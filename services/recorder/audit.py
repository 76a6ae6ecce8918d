"""AuditEvent construction (pure) and publishing on roadcam.audit.v1 (the adapter edge)."""
from __future__ import annotations

import hashlib

from roadcam.common import topics
from roadcam.common.bus import BusProducer
from roadcam.common.timeutil import now_us
from roadcam.v1 import audit_pb2

ACTOR = "recorder"


def audit_event(action: str, camera_id: str, start_us: int, end_us: int, reason: str,
                details: dict[str, str], identity: str, actor: str = ACTOR, time_us: int | None = None) -> audit_pb2.AuditEvent:
    """`identity` makes the event id deterministic, so a retried action is de-duplicated downstream."""
    event_id = hashlib.sha256(f"{action}|{camera_id}|{identity}".encode()).hexdigest()[:32]
    return audit_pb2.AuditEvent(
        event_id=event_id, time_us=time_us or now_us(), actor=actor, action=action, camera_id=camera_id,
        range_start_us=start_us, range_end_us=end_us, reason=reason, method="recorder", details=details,
    )


class AuditPublisher:
    def __init__(self, producer: BusProducer) -> None:
        self._producer = producer

    async def publish(self, event: audit_pb2.AuditEvent) -> None:
        await self._producer.send_and_wait(topics.AUDIT, event.camera_id or "system", event.SerializeToString())
