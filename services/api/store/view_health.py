"""Each camera's view health (issue 14): the counter's self-diagnosis of its picture (frozen, covered,
defocus, dark, glare, moved), kept as the newest report per camera with the moment its faults began.

The counter reports at a camera's first analysed frame and on every change, so a camera's row says
what is wrong now and since when. Reads come from a copy refreshed at most every `fresh_s` (and at
once after this process writes), so a counts answer never queries for it.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, case, select

from services.api.db.tables import ViewHealthRow
from services.api.store.upsert import insert_for


@dataclass(frozen=True)
class ViewHealthIn:
    """One report from the bus."""

    camera_id: str
    faults: tuple[str, ...]  # sorted; empty = a healthy picture
    time_us: int             # capture time of the frame judged
    learned: bool            # False while the counter still learns the camera's reference view


@dataclass(frozen=True)
class ViewHealth:
    camera_id: str
    faults: tuple[str, ...]
    since_us: int
    reported_us: int
    learned: bool

    @property
    def ok(self) -> bool:
        return not self.faults


def fold(reports: Sequence[ViewHealthIn]) -> dict[str, ViewHealth]:
    """The newest state per camera; an unchanged set of faults keeps the moment it began."""
    out: dict[str, ViewHealth] = {}
    for r in sorted(reports, key=lambda r: r.time_us):
        before = out.get(r.camera_id)
        since = before.since_us if before is not None and before.faults == r.faults else r.time_us
        out[r.camera_id] = ViewHealth(r.camera_id, r.faults, since, r.time_us, r.learned)
    return out


class ViewHealthStore:
    def __init__(self, engine: Engine, fresh_s: float = 2.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._engine, self._insert = engine, insert_for(engine)
        self._fresh_s, self._monotonic = fresh_s, monotonic
        self._copy: dict[str, ViewHealth] = {}
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def upsert(self, reports: Sequence[ViewHealthIn]) -> None:
        """Idempotent: an older (replayed) report never wins; the same faults keep their start."""
        newest = fold(reports)
        if not newest:
            return
        t = ViewHealthRow
        stmt = self._insert(t)
        stmt = stmt.on_conflict_do_update(
            index_elements=["camera_id"],
            set_={"faults": stmt.excluded.faults, "reported_us": stmt.excluded.reported_us,
                  "reference_learned": stmt.excluded.reference_learned,
                  "since_us": case((t.faults == stmt.excluded.faults, t.since_us), else_=stmt.excluded.since_us)},
            where=stmt.excluded.reported_us >= t.reported_us,
        )
        rows = [{"camera_id": v.camera_id, "faults": ",".join(v.faults), "since_us": v.since_us,
                 "reported_us": v.reported_us, "reference_learned": v.learned} for v in newest.values()]
        with self._engine.begin() as conn:
            conn.execute(stmt, rows)
        with self._lock:
            self._read_at = None  # this process wrote: the next read sees it

    def current(self) -> dict[str, ViewHealth]:
        """Every camera's view health (cameras never reported are absent)."""
        now = self._monotonic()
        with self._lock:
            if self._read_at is not None and now - self._read_at < self._fresh_s:
                return self._copy
        with self._engine.connect() as conn:
            rows = conn.execute(select(ViewHealthRow)).all()
        copy = {r.camera_id: ViewHealth(r.camera_id, tuple(f for f in r.faults.split(",") if f), r.since_us,
                                        r.reported_us, bool(r.reference_learned)) for r in rows}
        with self._lock:
            self._copy, self._read_at = copy, now
        return copy
