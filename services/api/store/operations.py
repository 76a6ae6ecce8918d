"""Camera health and recorded segment records (O1, R-series metadata) in the database."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select

from services.api.db.tables import CameraHealthRow, Segment
from services.api.store.upsert import insert_for


@dataclass(frozen=True)
class HealthIn:
    camera_id: str
    state: str
    fps: float
    bitrate_bps: float
    last_packet_us: int
    last_error: str
    error_kind: str
    reconnects: int
    reported_us: int
    ingest_instance: str
    online_since_us: int


@dataclass(frozen=True)
class SegmentIn:
    object_key: str
    camera_id: str
    start_us: int
    end_us: int
    plaintext_sha256: str
    prev_chain_hash: str
    chain_hash: str
    key_id: str
    codec: str
    size_bytes: int


class OperationsStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = insert_for(engine)

    def upsert_health(self, reports: Sequence[HealthIn]) -> None:
        """Keep each camera's newest report; an older (replayed) report never wins."""
        newest: dict[str, HealthIn] = {}
        for r in reports:
            if r.camera_id not in newest or r.reported_us >= newest[r.camera_id].reported_us:
                newest[r.camera_id] = r
        if not newest:
            return
        stmt = self._insert(CameraHealthRow)
        columns = [c.name for c in CameraHealthRow.__table__.columns if c.name != "camera_id"]
        stmt = stmt.on_conflict_do_update(
            index_elements=["camera_id"], set_={c: stmt.excluded[c] for c in columns},
            where=stmt.excluded.reported_us >= CameraHealthRow.reported_us,
        )
        with self._engine.begin() as conn:
            conn.execute(stmt, [r.__dict__ for r in newest.values()])

    def health(self) -> dict[str, HealthIn]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(CameraHealthRow)).all()
        return {r.camera_id: HealthIn(**r._asdict()) for r in rows}

    def add_segments(self, segments: Sequence[SegmentIn]) -> None:
        if not segments:
            return
        stmt = self._insert(Segment).on_conflict_do_nothing()
        with self._engine.begin() as conn:
            conn.execute(stmt, [s.__dict__ for s in segments])

    def segments(self, camera_ids: Sequence[str], start_us: int, end_us: int, limit: int) -> list[SegmentIn]:
        q = (select(Segment).where(Segment.camera_id.in_(camera_ids), Segment.end_us > start_us,
                                   Segment.start_us < end_us)
             .order_by(Segment.camera_id, Segment.start_us).limit(limit))
        with self._engine.connect() as conn:
            return [SegmentIn(**r._asdict()) for r in conn.execute(q)]
