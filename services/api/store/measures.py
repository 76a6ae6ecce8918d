"""Queue lengths and speed bins (T3) in the database: idempotent writes, filtered reads."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Engine, select

from services.api.db.tables import QueueSampleRow, SpeedBinRow
from services.api.store.upsert import insert_for


class QueueIn(NamedTuple):
    camera_id: str
    lane_id: str
    time_us: int
    length_m: float
    vehicles: int


class SpeedIn(NamedTuple):
    camera_id: str
    line_id: str
    object_class: str
    census_class: str
    bin_start_us: int
    bin_seconds: int
    count: int
    mean_kmh: float
    p85_kmh: float
    final: bool


@dataclass(frozen=True)
class MeasureQuery:
    camera_ids: tuple[str, ...]     # already limited to what the caller may see
    start_us: int
    end_us: int
    place: str | None = None        # lane (queues) or line (speeds)
    census_class: str | None = None
    bin_seconds: int | None = None
    max_rows: int = 100_000


class MeasureStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = insert_for(engine)

    def add_queues(self, samples: Sequence[QueueIn]) -> None:
        if samples:
            with self._engine.begin() as conn:
                conn.execute(self._insert(QueueSampleRow).on_conflict_do_nothing(), [s._asdict() for s in samples])

    def upsert_speeds(self, bins: Sequence[SpeedIn]) -> None:
        """The latest copy of a bin wins, except that an open copy never overwrites a final one."""
        if not bins:
            return
        latest: dict[tuple, SpeedIn] = {}
        for b in bins:  # one row per key; within a batch too, an open copy never replaces a final one
            key = (b.camera_id, b.line_id, b.object_class, b.bin_start_us, b.bin_seconds)
            if key not in latest or b.final or not latest[key].final:
                latest[key] = b
        stmt = self._insert(SpeedBinRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=[c.name for c in SpeedBinRow.__table__.primary_key.columns],
            set_={c: stmt.excluded[c] for c in ("census_class", "count", "mean_kmh", "p85_kmh", "final")},
            where=SpeedBinRow.final.is_(False) | stmt.excluded.final.is_(True))
        with self._engine.begin() as conn:
            conn.execute(stmt, [b._asdict() for b in latest.values()])

    def queues(self, q: MeasureQuery) -> list[QueueIn]:
        t = QueueSampleRow
        stmt = select(t.camera_id, t.lane_id, t.time_us, t.length_m, t.vehicles).where(
            t.camera_id.in_(q.camera_ids), t.time_us >= q.start_us, t.time_us < q.end_us)
        if q.place is not None:
            stmt = stmt.where(t.lane_id == q.place)
        stmt = stmt.order_by(t.camera_id, t.time_us, t.lane_id).limit(q.max_rows + 1)
        with self._engine.connect() as conn:
            return [QueueIn(*r) for r in conn.execute(stmt)]

    def speeds(self, q: MeasureQuery) -> list[SpeedIn]:
        t = SpeedBinRow
        stmt = select(t.camera_id, t.line_id, t.object_class, t.census_class, t.bin_start_us, t.bin_seconds,
                      t.count, t.mean_kmh, t.p85_kmh, t.final).where(
            t.camera_id.in_(q.camera_ids), t.bin_start_us >= q.start_us, t.bin_start_us < q.end_us)
        for column, value in ((t.line_id, q.place), (t.census_class, q.census_class), (t.bin_seconds, q.bin_seconds)):
            if value is not None:
                stmt = stmt.where(column == value)
        stmt = stmt.order_by(t.camera_id, t.bin_start_us, t.line_id, t.object_class).limit(q.max_rows + 1)
        with self._engine.connect() as conn:
            return [SpeedIn(*r) for r in conn.execute(stmt)]
