"""Decoded bus records -> database. A database failure propagates, so the batch is not committed
and is delivered again; every write is idempotent, so a re-delivered batch changes nothing."""
from __future__ import annotations

from dataclasses import dataclass

from roadcam.common import topics
from services.api import metrics
from services.api.audit_intake import AuditIntake
from services.api.disclosure.confirmations import confirmations
from services.api.disclosure.store_holds import HoldStore
from services.api.store.audit import AuditLog
from services.api.store.counts import CountStore
from services.api.store.measures import MeasureStore
from services.api.store.operations import OperationsStore
from services.api.store.view_health import ViewHealthStore


@dataclass(frozen=True)
class BusSink:
    counts: CountStore
    operations: OperationsStore
    audit: AuditLog
    intake: AuditIntake = AuditIntake()  # no key: refuses every bus audit event (fail closed)
    holds: HoldStore | None = None  # the recorder's hold confirmations (issue 11)
    measures: MeasureStore | None = None  # queue lengths and speeds (T3)
    view_health: ViewHealthStore | None = None  # the counter's diagnosis of each camera's picture

    def store(self, grouped: dict[str, list]) -> None:
        """Write one decoded batch (see `services.api.messages.decode`)."""
        # Only audit events signed by the service that owns the action go any further.
        grouped = {**grouped, topics.AUDIT: self.intake.accept(grouped.get(topics.AUDIT, []))}
        self.counts.add_crossings(grouped.get(topics.CROSSINGS, []))
        self.counts.upsert_bins(grouped.get(topics.COUNT_BINS, []))
        self.operations.upsert_health(grouped.get(topics.CAMERA_HEALTH, []))
        self.operations.add_segments(grouped.get(topics.SEGMENTS, []))
        if self.measures is not None:
            self.measures.add_queues(grouped.get(topics.QUEUE_LENGTHS, []))
            self.measures.upsert_speeds(grouped.get(topics.SPEED_BINS, []))
        if self.view_health is not None:
            self.view_health.upsert(grouped.get(topics.VIEW_HEALTH, []))
        added = self.audit.append_many(grouped.get(topics.AUDIT, []))
        metrics.AUDIT_APPENDED.labels("bus").inc(len(added))
        if self.holds is not None:
            self.holds.confirm(confirmations(grouped.get(topics.AUDIT, [])))
        for topic, items in grouped.items():
            metrics.BUS_RECORDS.labels(topic, "stored").inc(len(items))
