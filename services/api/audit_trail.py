"""Audit entries for what is done through the API (A2): one per request action, chained by AuditLog."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection

from services.api.audit_chain import AuditRecord
from services.api.store.accounts import Principal
from services.api.store.audit import AuditLog


def system_record(actor: str, action: str, reason: str, now_us: int, method: str, **details: str) -> AuditRecord:
    """An entry for something done outside a request (start-up, the command line)."""
    return AuditRecord(event_id=f"api-{uuid.uuid4().hex}", time_us=now_us, actor=actor, action=action,
                       reason=reason, method=method, details=details)


class AuditTrail:
    """Bound to one request: knows the client address and the method/path to record."""

    def __init__(self, log: AuditLog, now_us: Callable[[], int], client: str, method: str) -> None:
        self._log, self._now_us, self.client, self._method = log, now_us, client, method

    def record(self, who: Principal | str, action: str, **fields) -> None:
        self._log.append(self._entry(who, action, fields))

    @contextmanager
    def atomic(self) -> Iterator[AtomicTrail]:
        """A database change and its audit entries in one transaction (see AuditLog.transaction)."""
        with self._log.transaction() as (conn, append):
            yield AtomicTrail(conn, lambda who, action, **fields: append([self._entry(who, action, fields)]))

    def _entry(self, who: Principal | str, action: str, fields: dict) -> AuditRecord:
        actor = who if isinstance(who, str) else who.username
        method = fields.pop("method", self._method)
        details = {"client": self.client, **{k: str(v) for k, v in fields.pop("details", {}).items()}}
        return AuditRecord(event_id=f"api-{uuid.uuid4().hex}", time_us=self._now_us(), actor=actor,
                           action=action, method=method, details=details, **fields)


@dataclass(frozen=True)
class AtomicTrail:
    """Inside `AuditTrail.atomic()`: the transaction's connection, and `record` as on the trail."""

    conn: Connection
    record: Callable[..., None]
