"""Runs the leak rules over the audit log and stores what they raise (O2).

Every replica may scan: an alert's key is unique in the table, so it is raised (and audited) once.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import SQLAlchemyError

from services.api.audit_trail import system_record
from services.api.db.tables import ApiKey, AuditEntry
from services.api.errors import NotFound
from services.api.operations import leak_rules as rules
from services.api.operations import metrics
from services.api.operations.tables import ApiKeyClientRow, LeakAlertRow
from services.api.store.audit import AuditLog
from services.api.store.upsert import insert_for

log = logging.getLogger(__name__)
LOGIN_FAILED = "login_failed"
LEAK_ALERT = "leak_alert"


@dataclass(frozen=True)
class StoredAlert:
    id: int
    rule: str
    subject: str
    message: str
    count: int
    raised_us: int
    acknowledged_us: int | None
    acknowledged_by: str


class LeakWatch:
    def __init__(self, engine: Engine, audit: AuditLog, now_us: Callable[[], int], tz: tzinfo,
                 policy: rules.LeakPolicy | None = None) -> None:
        self._engine, self._audit, self._now_us, self._tz = engine, audit, now_us, tz
        self.policy = policy or rules.LeakPolicy()
        self._insert = insert_for(engine)

    def scan(self) -> list[rules.LeakAlert]:
        """Evaluate every rule now; store and audit the alerts not raised before; return those."""
        now, p = self._now_us(), self.policy
        accesses = self._accesses(now - rules.HOUR_US)
        found = (rules.too_many(p, accesses, now) + rules.outside_hours(p, accesses, self._tz)
                 + rules.signin_burst(p, self._failed_sign_ins(now - p.signin_window_us), now)
                 + rules.key_spread(p, self._new_key_spread(now), now))
        raised = [a for a in found if self._store(a, now)]
        for a in raised:
            metrics.LEAK_ALERTS.labels(a.rule).inc()
            self._audit.append(system_record("system", LEAK_ALERT, a.message, now, "api leak rules",
                                             rule=a.rule, subject=a.subject, count=str(a.count)))
            log.warning("leak alert (%s): %s", a.rule, a.message)
        self._update_open_gauge()
        return raised

    def _accesses(self, since_us: int) -> list[rules.Access]:
        q = (select(AuditEntry.actor, AuditEntry.action, AuditEntry.time_us, AuditEntry.camera_id)
             .where(AuditEntry.action.in_(list(self.policy.per_hour)), AuditEntry.time_us >= since_us))
        with self._engine.connect() as conn:
            return [rules.Access(*r) for r in conn.execute(q)]

    def _failed_sign_ins(self, since_us: int) -> list[rules.FailedSignIn]:
        q = (select(AuditEntry.actor, AuditEntry.time_us, AuditEntry.details)
             .where(AuditEntry.action == LOGIN_FAILED, AuditEntry.time_us >= since_us))
        with self._engine.connect() as conn:
            rows = conn.execute(q).all()
        out = []
        for actor, time_us, details in rows:
            d = json.loads(details or "{}")
            count = int(d.get("failures") or d.get("refused") or 0)
            out.append(rules.FailedSignIn(actor, d.get("client", ""), time_us, count))
        return out

    def _new_key_spread(self, now_us: int) -> dict[str, int]:
        q = (select(ApiKeyClientRow.key_id, func.count(ApiKeyClientRow.address))
             .join(ApiKey, ApiKey.key_id == ApiKeyClientRow.key_id)
             .where(ApiKeyClientRow.first_us >= now_us - rules.HOUR_US,
                    ApiKey.created_us >= now_us - self.policy.key_new_us)
             .group_by(ApiKeyClientRow.key_id))
        with self._engine.connect() as conn:
            return {k: int(n) for k, n in conn.execute(q)}

    def _store(self, alert: rules.LeakAlert, now_us: int) -> bool:
        stmt = self._insert(LeakAlertRow).values(
            alert_key=alert.key, rule=alert.rule, subject=alert.subject, message=alert.message, count=alert.count,
            raised_us=now_us, acknowledged_us=None, acknowledged_by="").on_conflict_do_nothing()
        with self._engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def _update_open_gauge(self) -> None:
        q = (select(LeakAlertRow.rule, func.count()).where(LeakAlertRow.acknowledged_us.is_(None))
             .group_by(LeakAlertRow.rule))
        with self._engine.connect() as conn:
            open_by_rule = dict(conn.execute(q).all())
        for rule in ("volume", "off_hours", "signin_burst", "api_key"):
            metrics.LEAK_ALERTS_OPEN.labels(rule).set(open_by_rule.get(rule, 0))

    def alerts(self, open_only: bool, limit: int = 500) -> list[StoredAlert]:
        q = select(LeakAlertRow).order_by(LeakAlertRow.raised_us.desc(), LeakAlertRow.id.desc()).limit(limit)
        if open_only:
            q = q.where(LeakAlertRow.acknowledged_us.is_(None))
        with self._engine.connect() as conn:
            return [StoredAlert(r.id, r.rule, r.subject, r.message, r.count, r.raised_us, r.acknowledged_us,
                                r.acknowledged_by) for r in conn.execute(q)]

    def acknowledge(self, alert_id: int, by: str) -> None:
        with self._engine.begin() as conn:
            done = conn.execute(update(LeakAlertRow).where(LeakAlertRow.id == alert_id)
                                .values(acknowledged_us=self._now_us(), acknowledged_by=by))
        if done.rowcount == 0:
            raise NotFound(f"no leak alert {alert_id}")
        self._update_open_gauge()

    async def run(self, interval_s: float = 30.0) -> None:
        """Scan forever (the api service runs this beside the HTTP server)."""
        while True:
            try:
                await asyncio.to_thread(self.scan)
                metrics.LEAK_SCANS.labels("ok").inc()
            except SQLAlchemyError as exc:
                metrics.LEAK_SCANS.labels("error").inc()
                log.warning("leak scan failed: %s", exc)
            await asyncio.sleep(interval_s)
