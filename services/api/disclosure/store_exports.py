"""Export packages with their one-time links, and the viewing log (画像閲覧等記録書)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, insert, select, update

from services.api.disclosure.records import ExportRecord, Viewing
from services.api.disclosure.tables import ExportRow, ViewingRow

EXPORT_FIELDS = [f for f in ExportRecord.__dataclass_fields__]
VIEWING_TEXT = [f for f in Viewing.__dataclass_fields__ if f != "cameras"]


def _export(row) -> ExportRecord:
    return ExportRecord(**{name: getattr(row, name) for name in EXPORT_FIELDS})


class ExportStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def _within(self, conn: Connection | None) -> Iterator[Connection]:
        """The caller's transaction (a change audited with it), else one of our own."""
        if conn is not None:
            yield conn
            return
        with self._engine.begin() as own:
            yield own

    def add(self, export: ExportRecord, token_hash: str, conn: Connection | None = None) -> None:
        with self._within(conn) as conn:
            conn.execute(insert(ExportRow).values(token_hash=token_hash,
                                                  **{n: getattr(export, n) for n in EXPORT_FIELDS}))

    def by_token(self, token_hash: str) -> ExportRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(ExportRow).where(ExportRow.token_hash == token_hash)).first()
        return _export(row) if row else None

    def claim(self, export_id: str, now_us: int, client: str, conn: Connection | None = None) -> bool:
        """Use the link once: True for the one caller who marks it downloaded, False for any later one."""
        with self._within(conn) as conn:
            done = conn.execute(update(ExportRow).where(ExportRow.id == export_id, ExportRow.downloaded_us == 0,
                                                        ExportRow.expires_us > now_us)
                                .values(downloaded_us=now_us, downloaded_from=client[:100]))
        return done.rowcount == 1

    def of_request(self, request_id: int) -> list[ExportRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(ExportRow).where(ExportRow.request_id == request_id)
                                .order_by(ExportRow.created_us)).all()
        return [_export(r) for r in rows]

    def add_viewing(self, viewing: Viewing, conn: Connection | None = None) -> None:
        with self._within(conn) as conn:
            conn.execute(insert(ViewingRow).values(cameras=json.dumps(list(viewing.cameras), ensure_ascii=False),
                                                   **{n: getattr(viewing, n) for n in VIEWING_TEXT}))

    def viewings(self, since_us: int = 0, until_us: int = 2**62) -> list[Viewing]:
        q = (select(ViewingRow).where(ViewingRow.time_us >= since_us, ViewingRow.time_us < until_us)
             .order_by(ViewingRow.time_us))
        with self._engine.connect() as conn:
            rows = conn.execute(q).all()
        return [Viewing(cameras=tuple(json.loads(r.cameras)), **{n: getattr(r, n) for n in VIEWING_TEXT}) for r in rows]
