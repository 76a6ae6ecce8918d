"""The append-only audit log in the database. There is no update or delete path in this code."""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.api import metrics
from services.api.audit_anchor import Anchor, AnchorPolicy, AnchorStore
from services.api.audit_chain import AuditRecord, ChainCheck, ChainedEntry, chain, verify
from services.api.db.filters import narrowed
from services.api.db.tables import AuditEntry, AuditHead

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    camera_id: str | None = None
    since_us: int | None = None
    until_us: int | None = None
    after_seq: int = 0
    limit: int = 1000


def _to_entry(row: AuditEntry) -> ChainedEntry:
    record = AuditRecord(
        row.event_id, row.time_us, row.actor, row.action, row.camera_id, row.range_start_us,
        row.range_end_us, row.reason, row.method, json.loads(row.details),
    )
    return ChainedEntry(row.seq, record, row.prev_hash, row.hash)


class AuditLog:
    def __init__(self, engine: Engine, anchors: AnchorStore | None = None, policy: AnchorPolicy = AnchorPolicy()) -> None:
        self._engine, self._anchors, self._policy = engine, anchors, policy
        self._lock = threading.Lock()  # SQLite: one writer per process; PostgreSQL: the head row lock
        self._last_anchored = 0

    def append(self, record: AuditRecord) -> ChainedEntry | None:
        added = self.append_many([record])
        return added[0] if added else None

    def append_many(self, records: Sequence[AuditRecord]) -> list[ChainedEntry]:
        """Chain and store records; ones whose event_id is already stored are skipped (idempotent)."""
        try:
            with self._lock, self._engine.begin() as conn:
                added = self._append(records, conn)
        except IntegrityError:
            # Another replica stored one of these event ids meanwhile: retry, skipping it now.
            with self._lock, self._engine.begin() as conn:
                added = self._append(records, conn)
        if added:
            self._anchor(added)
        return added

    @contextmanager
    def transaction(self) -> Iterator[tuple[Connection, Callable[[Sequence[AuditRecord]], None]]]:
        """One transaction for a change and the entries that record it: both are stored or neither
        (a crash between two transactions would leave a hold without its entry). Yields the
        connection and an `append(records)`; the new head is anchored after the commit."""
        added: list[ChainedEntry] = []
        with self._lock, self._engine.begin() as conn:
            yield conn, lambda records: added.extend(self._append(records, conn))
        if added:
            self._anchor(added)

    def _anchor(self, added: list[ChainedEntry]) -> None:
        """Write the new head outside the database when the policy says so (after the commit)."""
        head = added[-1]
        if self._anchors is None or not self._policy.due({e.record.action for e in added}, head.seq,
                                                          self._last_anchored):
            return
        try:
            self._anchors.put(Anchor(head.seq, head.hash, head.record.time_us))
            self._last_anchored = head.seq
        except Exception as exc:  # noqa: BLE001 - the entry is stored; the next append anchors again
            metrics.AUDIT_ANCHOR_FAILURES.inc()
            log.error("anchoring the audit head at seq %d failed: %s", head.seq, exc)

    @staticmethod
    def _append(records: Sequence[AuditRecord], conn: Connection) -> list[ChainedEntry]:
        """Chain records after the head inside the caller's transaction (which holds self._lock)."""
        ids = [r.event_id for r in records]
        known = set(conn.scalars(select(AuditEntry.event_id).where(AuditEntry.event_id.in_(ids))))
        head = conn.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()).one()
        seq, prev, added = head.seq, head.hash, []
        for record in records:
            if record.event_id in known:
                continue
            known.add(record.event_id)
            seq += 1
            entry = chain(seq, record, prev)
            added.append(entry)
            prev = entry.hash
        if added:
            conn.execute(insert(AuditEntry), [_row(e) for e in added])
            conn.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
        return added

    def entries(self, flt: AuditFilter) -> list[ChainedEntry]:
        q = select(AuditEntry).where(AuditEntry.seq > flt.after_seq)
        q = narrowed(q, ((AuditEntry.actor, flt.actor), (AuditEntry.action, flt.action),
                         (AuditEntry.camera_id, flt.camera_id)), AuditEntry.time_us, flt.since_us, flt.until_us)
        with self._engine.connect() as conn:
            rows = conn.execute(q.order_by(AuditEntry.seq).limit(flt.limit)).all()
        return [_to_entry(r) for r in rows]

    def iter_all(self, page: int = 2000) -> Iterator[ChainedEntry]:
        after = 0
        while True:
            batch = self.entries(AuditFilter(after_seq=after, limit=page))
            yield from batch
            if len(batch) < page:
                return
            after = batch[-1].seq

    def verify(self) -> ChainCheck:
        """Recompute the chain; the head row and the newest outside anchor catch entries cut off at the end."""
        anchor = self._anchors.latest() if self._anchors is not None else None
        last: list[ChainedEntry] = []
        at_anchor: list[str] = []

        def remember() -> Iterator[ChainedEntry]:
            for entry in self.iter_all():
                last[:] = [entry]
                if anchor is not None and entry.seq == anchor.seq:
                    at_anchor.append(entry.hash)
                yield entry

        check = verify(remember())
        if not check.ok:
            return check
        with self._engine.connect() as conn:
            head = conn.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
        last_seq, last_hash = (last[0].seq, last[0].hash) if last else (0, head.hash if head.seq == 0 else "")
        if head.seq != last_seq or head.hash != last_hash:
            return ChainCheck(False, check.checked, last_seq + 1, "entries after this point were removed")
        if anchor is not None and at_anchor != [anchor.hash]:
            problem = (f"the chain ends before the anchored head (seq {anchor.seq}): entries were removed"
                       if last_seq < anchor.seq else f"entry {anchor.seq} differs from its anchor")
            return ChainCheck(False, check.checked, min(last_seq + 1, anchor.seq), problem)
        return check

    def count_recent(self, action: str, actor: str, since_us: int) -> int:
        q = select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == action, AuditEntry.actor == actor, AuditEntry.time_us >= since_us)
        with self._engine.connect() as conn:
            return int(conn.scalar(q) or 0)


def _row(e: ChainedEntry) -> dict:
    r = e.record
    return {
        "seq": e.seq, "event_id": r.event_id, "time_us": r.time_us, "actor": r.actor, "action": r.action,
        "camera_id": r.camera_id, "range_start_us": r.range_start_us, "range_end_us": r.range_end_us,
        "reason": r.reason, "method": r.method, "details": json.dumps(r.details, sort_keys=True, ensure_ascii=False),
        "prev_hash": e.prev_hash, "hash": e.hash,
    }
