"""Count bins and crossing events in the database; idempotent writes, aggregated reads (T2)."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Boolean, Engine, Integer, and_, bindparam, case, func, literal, select, type_coerce

from services.api.db.tables import CountBinRow, Crossing
from services.api.errors import ApiError
from services.api.store.upsert import insert_for

SOURCE_SIZES = (3600, 900, 300)  # bin sizes the counter may publish, largest first


@dataclass(frozen=True)
class CrossingIn:
    camera_id: str
    line_id: str
    direction: str
    object_class: str
    census_class: str
    time_us: int


@dataclass(frozen=True)
class CountQuery:
    camera_ids: tuple[str, ...]        # already limited to what the caller may see
    bin_seconds: int
    start_us: int
    end_us: int
    line_id: str | None = None
    direction: str | None = None
    object_class: str | None = None
    census_class: str | None = None
    final_only: bool = False
    by_object_class: bool = True       # False: add object classes up per census class (open data)
    max_rows: int = 100_000


class CountOut(NamedTuple):
    """The shape of a counts row (the store returns database rows with exactly these fields)."""

    camera_id: str
    line_id: str
    direction: str
    object_class: str
    census_class: str
    bin_start_us: int
    bin_seconds: int
    count: int
    final: bool


# A bin from the bus and a row of the counts query carry the same fields.
BinIn = CountOut


class CountStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = insert_for(engine)

    def upsert_bins(self, bins: Sequence[BinIn]) -> None:
        """A bin's latest count replaces the stored one, so a replay leaves the table as it was."""
        if not bins:
            return
        stmt = self._insert(CountBinRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=[c.name for c in CountBinRow.__table__.primary_key.columns],
            set_={"count": stmt.excluded["count"], "final": stmt.excluded.final},
            # A late, still-open copy of a bin never overwrites its final count.
            where=CountBinRow.final.is_(False) | stmt.excluded.final.is_(True),
        )
        with self._engine.begin() as conn:
            conn.execute(stmt, [b._asdict() for b in _latest(bins)])

    def add_crossings(self, events: Sequence[CrossingIn]) -> None:
        if not events:
            return
        stmt = self._insert(Crossing).on_conflict_do_nothing()
        with self._engine.begin() as conn:
            conn.execute(stmt, [e.__dict__ for e in events])

    def query(self, q: CountQuery) -> Sequence[CountOut]:
        """Counts at q.bin_seconds, summed from the coarsest stored bin size that divides it."""
        if not q.camera_ids:
            return []
        rows: list = []
        with self._engine.connect() as conn:
            for source in SOURCE_SIZES:
                if source <= q.bin_seconds and q.bin_seconds % source == 0:
                    stmt, params = self._aggregate(q, source)
                    rows = conn.execute(stmt, params).all()
                    if rows:
                        break
        if len(rows) > q.max_rows:
            raise ApiError(f"more than {q.max_rows} rows; narrow the time range or add filters", 422)
        return rows  # Row objects with exactly CountOut's fields (hot path: no copying)

    def _aggregate(self, q: CountQuery, source: int):
        """The statement for a query shape (built once, then cached) and its parameters."""
        filters = tuple(f for f, v in zip(FILTERS, (q.line_id, q.direction, q.object_class, q.census_class))
                        if v is not None)
        stmt = _statement(source, q.bin_seconds, filters, q.final_only, q.by_object_class)
        params = {"cams": list(q.camera_ids), "start": q.start_us, "end": q.end_us, "limit": q.max_rows + 1}
        params.update({f: getattr(q, f) for f in filters})
        return stmt, params

    def live(self, camera_ids: Sequence[str], since_us: int) -> list[tuple[str, str, str, str, int]]:
        """(camera, line, direction, census class, crossings) since a moment."""
        if not camera_ids:
            return []
        c = Crossing
        q = (select(c.camera_id, c.line_id, c.direction, c.census_class, func.count())
             .where(c.camera_id.in_(camera_ids), c.time_us >= since_us)
             .group_by(c.camera_id, c.line_id, c.direction, c.census_class)
             .order_by(c.camera_id, c.line_id, c.direction, c.census_class))
        with self._engine.connect() as conn:
            return [(r[0], r[1], r[2], r[3], int(r[4])) for r in conn.execute(q)]


FILTERS = ("line_id", "direction", "object_class", "census_class")


@functools.lru_cache(maxsize=256)
def _statement(source: int, bin_seconds: int, filters: tuple[str, ...], final_only: bool, by_object_class: bool):
    # Building SQL expressions costs more than running a small query; there are few shapes.
    t = CountBinRow
    conds = [t.camera_id.in_(bindparam("cams", expanding=True)), t.bin_seconds == source,
             t.bin_start_us >= bindparam("start"), t.bin_start_us < bindparam("end")]
    conds += [getattr(t, f) == bindparam(f) for f in filters]
    if final_only:
        conds.append(t.final.is_(True))
    size = literal(bin_seconds, Integer).label("bin_seconds")
    if source == bin_seconds and by_object_class:
        # Stored at the requested size: read rows in primary-key order, no grouping or sorting.
        stmt = (select(t.camera_id, t.line_id, t.direction, t.object_class, t.census_class, t.bin_start_us,
                       size, t.count, t.final)
                .where(and_(*conds)).order_by(t.camera_id, t.bin_start_us, t.line_id, t.direction,
                                              t.object_class, t.census_class))
        return stmt.limit(bindparam("limit"))
    width = bin_seconds * 1_000_000
    start = ((t.bin_start_us // width) * width).label("bin_start_us")
    obj = t.object_class if by_object_class else literal("").label("object_class")
    keys = [t.line_id, t.direction] + ([t.object_class] if by_object_class else []) + [t.census_class]
    total = type_coerce(func.sum(t.count), Integer).label("count")
    final = type_coerce(func.min(case((t.final.is_(True), 1), else_=0)), Boolean).label("final")
    return (select(t.camera_id, t.line_id, t.direction, obj, t.census_class, start, size, total, final)
            .where(and_(*conds)).group_by(t.camera_id, start, *keys).order_by(t.camera_id, start, *keys)
            .limit(bindparam("limit")))


def _latest(bins: Sequence[BinIn]) -> list[BinIn]:
    """One row per key (the last one wins), since a single upsert statement may not touch a row twice."""
    latest: dict[tuple, BinIn] = {}
    for b in bins:
        latest[(b.camera_id, b.bin_seconds, b.bin_start_us, b.line_id, b.direction, b.object_class, b.census_class)] = b
    return list(latest.values())
