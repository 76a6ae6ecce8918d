"""Count bins and crossing events in the database; idempotent writes, aggregated reads (T2)."""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import (Boolean, Engine, Integer, and_, bindparam, case, delete, exists, func, literal, select,
                        type_coerce)

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
    time_us: int             # whole seconds (truncated on intake)
    bus_partition: int = 0   # with the offset: which bus record this was (replays are recognised)
    bus_offset: int = 0


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
    quality: str = "ok"          # ok | degraded (a lower bound) | unusable: the camera's picture over the bin
    quality_reason: str = ""     # the camera's faults during the bin, e.g. "frozen,dark"
    size_basis: str = ""         # how 小型/大型 was decided, comma-separated if mixed


QUALITY_RANK = {"ok": 0, "degraded": 1, "unusable": 2}

# A bin from the bus and a row of the counts query carry the same fields.
BinIn = CountOut


class CountStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = insert_for(engine)
        self.on_write: list[Callable[[str, int], None]] = []  # (camera, oldest bin start written), e.g. caches

    def upsert_bins(self, bins: Sequence[BinIn]) -> None:
        """A bin's latest count replaces the stored one, so a replay leaves the table as it was."""
        if not bins:
            return
        stmt = self._insert(CountBinRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=[c.name for c in CountBinRow.__table__.primary_key.columns],
            set_={c: stmt.excluded[c] for c in ("count", "final", "quality", "quality_reason", "size_basis")},
            # A late, still-open copy of a bin never overwrites its final count.
            where=CountBinRow.final.is_(False) | stmt.excluded.final.is_(True),
        )
        latest = _latest(bins)
        counted = [_placeholder_key(b) for b in latest if b.final and (b.object_class or b.census_class)]
        with self._engine.begin() as conn:
            conn.execute(stmt, [b._asdict() for b in latest])
            if counted:  # a final count replaces the open "nothing seen yet" row of its line and direction
                conn.execute(DROP_PLACEHOLDER, counted)
            conn.execute(FOLD)  # same transaction: live tallies never count a crossing twice
        oldest: dict[str, int] = {}
        for b in bins:
            oldest[b.camera_id] = min(b.bin_start_us, oldest.get(b.camera_id, b.bin_start_us))
        for listener in self.on_write:
            for camera_id, start_us in oldest.items():
                listener(camera_id, start_us)

    def add_crossings(self, events: Sequence[CrossingIn]) -> None:
        if not events:
            return
        stmt = self._insert(Crossing).on_conflict_do_nothing()
        with self._engine.begin() as conn:
            conn.execute(stmt, [e.__dict__ for e in events])
            conn.execute(FOLD)  # a replayed crossing whose bin is final already is folded at once

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
        if rows and not (source == q.bin_seconds and q.by_object_class):
            return [_summed(r) for r in rows]
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
        """(camera, line, direction, census class, crossings) since a moment: final 5-minute bins
        starting at or after it, plus the crossings not folded into a final bin yet."""
        if not camera_ids:
            return []
        c, b = Crossing, CountBinRow
        recent = (select(c.camera_id, c.line_id, c.direction, c.census_class, func.count().label("n"))
                  .where(c.camera_id.in_(camera_ids), c.time_us >= since_us)
                  .group_by(c.camera_id, c.line_id, c.direction, c.census_class))
        folded = (select(b.camera_id, b.line_id, b.direction, b.census_class, func.sum(b.count).label("n"))
                  .where(b.camera_id.in_(camera_ids), b.bin_seconds == FOLD_SECONDS, b.final.is_(True),
                         b.bin_start_us >= since_us)
                  .group_by(b.camera_id, b.line_id, b.direction, b.census_class))
        totals: dict[tuple[str, str, str, str], int] = {}
        with self._engine.connect() as conn:
            for stmt in (folded, recent):
                for cam, line, direction, census, n in conn.execute(stmt):
                    totals[(cam, line, direction, census)] = totals.get((cam, line, direction, census), 0) + int(n)
        return [(*key, n) for key, n in sorted(totals.items()) if n]


FOLD_SECONDS = 300  # the finest bin the counter publishes; a crossing lives until its bin is final
_WIDTH = FOLD_SECONDS * 1_000_000
# Delete crossings whose 5-minute bin (same camera and line) is final: only the aggregate remains.
FOLD = delete(Crossing).where(exists().where(
    CountBinRow.camera_id == Crossing.camera_id, CountBinRow.line_id == Crossing.line_id,
    CountBinRow.bin_seconds == FOLD_SECONDS, CountBinRow.final.is_(True),
    CountBinRow.bin_start_us == (Crossing.time_us // _WIDTH) * _WIDTH))


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
                       size, t.count, t.final, t.quality, t.quality_reason, t.size_basis)
                .where(and_(*conds)).order_by(t.camera_id, t.bin_start_us, t.line_id, t.direction,
                                              t.object_class, t.census_class))
        return stmt.limit(bindparam("limit"))
    width = bin_seconds * 1_000_000
    start = ((t.bin_start_us // width) * width).label("bin_start_us")
    obj = t.object_class if by_object_class else literal("").label("object_class")
    keys = [t.line_id, t.direction] + ([t.object_class] if by_object_class else []) + [t.census_class]
    total = type_coerce(func.sum(t.count), Integer).label("count")
    final = type_coerce(func.min(case((t.final.is_(True), 1), else_=0)), Boolean).label("final")
    # Summed bins take the worst quality of their parts and every reason and basis (made unique in Python).
    rank = func.max(case(*((t.quality == q, n) for q, n in QUALITY_RANK.items() if n), else_=0))
    quality = case(*((rank == n, q) for q, n in QUALITY_RANK.items() if n), else_="ok").label("quality")
    reasons = func.aggregate_strings(t.quality_reason, ",").label("quality_reason")
    bases = func.aggregate_strings(t.size_basis, ",").label("size_basis")
    return (select(t.camera_id, t.line_id, t.direction, obj, t.census_class, start, size, total, final, quality,
                   reasons, bases)
            .where(and_(*conds)).group_by(t.camera_id, start, *keys).order_by(t.camera_id, start, *keys)
            .limit(bindparam("limit")))


def _unique(joined: str | None) -> str:
    return ",".join(sorted({part for part in (joined or "").split(",") if part}))


def _summed(row) -> CountOut:
    """A summed row with its reasons and bases listed once each, sorted."""
    return CountOut(*row[:10], _unique(row[10]), _unique(row[11]))


def _placeholder_key(b: BinIn) -> dict:
    return {"cam": b.camera_id, "size": b.bin_seconds, "start": b.bin_start_us, "line": b.line_id, "dir": b.direction}


# The row a bin the camera could not see is reported by before anything is counted in it (class "", count 0).
DROP_PLACEHOLDER = delete(CountBinRow).where(
    CountBinRow.camera_id == bindparam("cam"), CountBinRow.bin_seconds == bindparam("size"),
    CountBinRow.bin_start_us == bindparam("start"), CountBinRow.line_id == bindparam("line"),
    CountBinRow.direction == bindparam("dir"), CountBinRow.object_class == "", CountBinRow.census_class == "",
    CountBinRow.count == 0)


def _latest(bins: Sequence[BinIn]) -> list[BinIn]:
    """One row per key (the last one wins), since a single upsert statement may not touch a row twice."""
    latest: dict[tuple, BinIn] = {}
    for b in bins:
        latest[(b.camera_id, b.bin_seconds, b.bin_start_us, b.line_id, b.direction, b.object_class, b.census_class)] = b
    return list(latest.values())
