"""The isolate switch (O2): one database row every replica reads, cached for a short poll interval.

Why a poll and not a push: the database is the one thing every replica already shares, and a read
of one row every `poll_s` (0.2 s) per replica is cheap; the switch therefore reaches every replica
within `poll_s` plus one request. A replica that cannot read the row for `fail_closed_after_s`
treats the system as isolated (privacy fails closed) until it can again.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from services.api.operations import metrics
from services.api.operations.tables import IsolationRow
from services.api.store.upsert import insert_for

log = logging.getLogger(__name__)
ROW_ID = 1


@dataclass(frozen=True)
class IsolationState:
    isolated: bool
    changed_us: int = 0
    changed_by: str = ""
    reason: str = ""


OPEN = IsolationState(False)


class IsolationStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = insert_for(engine)

    def read(self) -> IsolationState:
        with self._engine.connect() as conn:
            row = conn.execute(select(IsolationRow).where(IsolationRow.id == ROW_ID)).first()
        if row is None:
            return OPEN
        return IsolationState(bool(row.isolated), row.changed_us, row.changed_by, row.reason)

    def write(self, state: IsolationState) -> None:
        values = {"id": ROW_ID, **state.__dict__}
        stmt = self._insert(IsolationRow).values(values)
        stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={k: v for k, v in values.items() if k != "id"})
        with self._engine.begin() as conn:
            conn.execute(stmt)


class IsolationSwitch:
    """This replica's view of the switch: re-read when older than `poll_s` (thread-safe)."""

    def __init__(self, store: IsolationStore, poll_s: float = 0.2, fail_closed_after_s: float = 10.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._store, self.poll_s, self._fail_after = store, poll_s, fail_closed_after_s
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._state, self._read_at, self._ok_at = OPEN, float("-inf"), monotonic()

    def stale(self) -> bool:
        return self._monotonic() - self._read_at >= self.poll_s

    def refresh(self) -> IsolationState:
        with self._lock:
            if not self.stale():
                return self._state
            now = self._monotonic()
            try:
                self._state, self._ok_at = self._store.read(), now
            except SQLAlchemyError as exc:
                log.warning("cannot read the isolate switch (%s)", exc)
            self._read_at = now
            metrics.ISOLATED.set(1 if self.isolated else 0)
            return self._state

    @property
    def state(self) -> IsolationState:
        return self._state

    @property
    def isolated(self) -> bool:
        """Isolated, or unable to tell for too long (fail closed)."""
        return self._state.isolated or self._monotonic() - self._ok_at > self._fail_after

    async def run(self) -> None:
        """Re-read the switch every poll interval, also when no request comes (the gauge stays true)."""
        while True:
            await asyncio.to_thread(self.refresh)
            await asyncio.sleep(self.poll_s * 5)

    def set(self, state: IsolationState) -> None:
        self._store.write(state)
        with self._lock:
            self._state, self._read_at, self._ok_at = state, self._monotonic(), self._monotonic()
        metrics.ISOLATED.set(1 if state.isolated else 0)
