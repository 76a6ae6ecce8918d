"""Holds the api asked for, the outbox of commands to the recorder, and the recorder's confirmations."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, insert, select, update

from services.api.disclosure.records import HoldCommand, HoldConfirmation, HoldRecord
from services.api.disclosure.tables import HoldOutboxRow, HoldRow

HOLD_FIELDS = [c.name for c in HoldRow.__table__.columns]
COMMAND_FIELDS = ("command_id", "camera_id", "range_start_us", "range_end_us", "release", "requested_by", "reason",
                  "request_id")
RELEASE_SUFFIX = "-release"


def release_command_id(hold_id: str) -> str:
    """A release's command id. The outbox has no column for the hold a release ends: it is read
    back from this id (see `_command`)."""
    return hold_id + RELEASE_SUFFIX


def _hold(row) -> HoldRecord:
    return HoldRecord(**{name: getattr(row, name) for name in HOLD_FIELDS})


def _command(row) -> HoldCommand:
    hold_id = row.command_id.removesuffix(RELEASE_SUFFIX) if row.release else row.command_id
    return HoldCommand(seq=row.seq, hold_id=hold_id, **{n: getattr(row, n) for n in COMMAND_FIELDS})


class HoldStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, hold: HoldRecord, conn) -> None:
        conn.execute(insert(HoldRow).values(**{name: getattr(hold, name) for name in HOLD_FIELDS}))

    def enqueue(self, command: HoldCommand, now_us: int, conn) -> None:
        conn.execute(insert(HoldOutboxRow).values(created_us=now_us, sent_us=0,
                                                  **{n: getattr(command, n) for n in COMMAND_FIELDS}))

    def set_kind(self, command_ids: Sequence[str], kind: str, conn) -> None:
        conn.execute(update(HoldRow).where(HoldRow.command_id.in_(command_ids)).values(kind=kind))

    def mark_released(self, command_id: str, reason: str, now_us: int, conn) -> None:
        conn.execute(update(HoldRow).where(HoldRow.command_id == command_id, HoldRow.released_us == 0)
                     .values(released_us=now_us, release_reason=reason))

    def of_request(self, request_id: int) -> list[HoldRecord]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(HoldRow).where(HoldRow.request_id == request_id)).all()
        return [_hold(r) for r in rows]

    def get(self, command_id: str) -> HoldRecord | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(HoldRow).where(HoldRow.command_id == command_id)).first()
        return _hold(row) if row else None

    def active(self, camera_ids: Sequence[str] | None = None, conn=None) -> list[HoldRecord]:
        q = select(HoldRow).where(HoldRow.released_us == 0).order_by(HoldRow.created_us)
        if camera_ids is not None:
            q = q.where(HoldRow.camera_id.in_(camera_ids))
        if conn is not None:
            return [_hold(r) for r in conn.execute(q)]
        with self._engine.connect() as own:
            return [_hold(r) for r in own.execute(q)]

    def pending_commands(self, limit: int = 100) -> list[HoldCommand]:
        q = select(HoldOutboxRow).where(HoldOutboxRow.sent_us == 0).order_by(HoldOutboxRow.seq).limit(limit)
        with self._engine.connect() as conn:
            return [_command(r) for r in conn.execute(q)]

    def mark_sent(self, seqs: Sequence[int], now_us: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(update(HoldOutboxRow).where(HoldOutboxRow.seq.in_(seqs)).values(sent_us=now_us))

    def confirm(self, confirmations: Sequence[HoldConfirmation]) -> None:
        """Idempotent: a re-delivered confirmation changes nothing."""
        with self._engine.begin() as conn:
            for c in confirmations:
                if c.release:
                    conn.execute(update(HoldRow).where(HoldRow.command_id.in_(c.released), HoldRow.released_us != 0,
                                                       HoldRow.release_confirmed_us == 0)
                                 .values(release_confirmed_us=c.time_us))
                    continue
                conn.execute(update(HoldRow).where(HoldRow.command_id == c.command_id, HoldRow.confirmed_us == 0)
                             .values(confirmed_us=c.time_us, segments=c.segments))
