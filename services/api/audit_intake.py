"""Audit events from the bus are accepted only when signed by the service that owns the action.

A forged `AuditEvent(actor="admin", action="release")` must never become an entry, and an event
id a forger guessed must not pre-empt a real event: ids are stored under the signing service's
name (`recorder:<id>`), so only that service's own, verified events share its id space.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from roadcam.common.signing import SIGNATURE, SIGNED_BY, audit_payload, service_key, verify
from services.api import metrics
from services.api.audit_chain import AuditRecord

log = logging.getLogger(__name__)
# Which service may report which action. Nothing else on the bus may write the audit log.
OWNERS: Mapping[str, frozenset[str]] = {
    "recorder": frozenset({"view", "export", "download", "hold", "release", "delete", "key_destroyed",
                           "sweep_failed", "verify"}),
}


@dataclass(frozen=True)
class AuditIntake:
    master: bytes | None = None   # None: no key configured, every bus audit event is refused (fail closed)
    owners: Mapping[str, frozenset[str]] = field(default_factory=lambda: OWNERS)

    def _problem(self, r: AuditRecord) -> str | None:
        service, signature = r.details.get(SIGNED_BY, ""), r.details.get(SIGNATURE, "")
        if self.master is None:
            return "no audit signing key configured"
        if service not in self.owners:
            return f"unknown producer {service!r}"
        payload = audit_payload(r.event_id, r.time_us, r.actor, r.action, r.camera_id, r.range_start_us,
                                r.range_end_us, r.reason, r.method, r.details)
        if not verify(service, service_key(self.master, service), payload, signature):
            return "signature does not verify"
        if r.action not in self.owners[service]:
            return f"{service} does not own action {r.action!r}"
        return None

    def accept(self, records: Iterable[AuditRecord]) -> list[AuditRecord]:
        accepted = []
        for r in records:
            problem = self._problem(r)
            if problem:
                log.warning("refusing audit event %s (%s by %s): %s", r.event_id, r.action, r.actor, problem)
                metrics.BUS_RECORDS.labels("audit", "refused").inc()
                continue
            service = r.details[SIGNED_BY]
            details = {k: v for k, v in r.details.items() if k not in (SIGNED_BY, SIGNATURE)}
            accepted.append(replace(r, event_id=f"{service}:{r.event_id}", details={**details, "signed_by": service}))
        return accepted


def intake_for(secret) -> AuditIntake:
    """From the api setting `audit_signing_key` (a SecretStr, or None when not configured)."""
    return AuditIntake(secret.get_secret_value().encode() if secret is not None else None)
