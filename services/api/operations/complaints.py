"""Complaints and inquiries with their handling (A6; Isesaki 10, Tottori 5(4), Midori 12)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy import Engine, select, update

from services.api.db.filters import narrowed
from services.api.errors import NotFound
from services.api.operations.tables import ComplaintRow


class Category(StrEnum):
    COMPLAINT = "complaint"      # 苦情
    INQUIRY = "inquiry"          # 問い合わせ
    REQUEST = "request"          # 要望
    OTHER = "other"              # その他


class Status(StrEnum):
    OPEN = "open"                # 受付
    IN_PROGRESS = "in_progress"  # 対応中
    CLOSED = "closed"            # 完了


@dataclass(frozen=True)
class Complaint:
    id: int
    received_us: int
    category: Category
    camera_id: str
    contact_name: str
    contact: str
    summary: str
    handling: str
    handled_by: str
    status: Status
    closed_us: int | None
    created_by: str
    updated_us: int


@dataclass(frozen=True)
class ComplaintFilter:
    status: Status | None = None
    category: Category | None = None
    camera_id: str | None = None
    since_us: int | None = None
    until_us: int | None = None
    limit: int = 1000


def _complaint(r) -> Complaint:
    return Complaint(r.id, r.received_us, Category(r.category), r.camera_id, r.contact_name, r.contact, r.summary,
                     r.handling, r.handled_by, Status(r.status), r.closed_us, r.created_by, r.updated_us)


def apply_change(c: Complaint, changes: dict, now_us: int) -> Complaint:
    """Closing stamps the closing date (once); reopening clears it."""
    updated = replace(c, **changes, updated_us=now_us)
    if updated.status is Status.CLOSED and c.status is not Status.CLOSED:
        updated = replace(updated, closed_us=changes.get("closed_us") or now_us)
    elif updated.status is not Status.CLOSED:
        updated = replace(updated, closed_us=None)
    return updated


class Complaints:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, c: Complaint) -> Complaint:
        values = {k: v for k, v in c.__dict__.items() if k != "id"}
        with self._engine.begin() as conn:
            new_id = conn.execute(ComplaintRow.__table__.insert().values(values)).inserted_primary_key[0]
        return replace(c, id=int(new_id))

    def get(self, complaint_id: int) -> Complaint:
        with self._engine.connect() as conn:
            row = conn.execute(select(ComplaintRow).where(ComplaintRow.id == complaint_id)).first()
        if row is None:
            raise NotFound(f"no complaint {complaint_id}")
        return _complaint(row)

    def save(self, c: Complaint) -> Complaint:
        values = {k: v for k, v in c.__dict__.items() if k != "id"}
        with self._engine.begin() as conn:
            conn.execute(update(ComplaintRow).where(ComplaintRow.id == c.id).values(values))
        return c

    def list(self, f: ComplaintFilter) -> list[Complaint]:
        q = select(ComplaintRow).order_by(ComplaintRow.received_us.desc(), ComplaintRow.id.desc()).limit(f.limit)
        q = narrowed(q, ((ComplaintRow.status, f.status), (ComplaintRow.category, f.category),
                         (ComplaintRow.camera_id, f.camera_id)), ComplaintRow.received_us, f.since_us, f.until_us)
        with self._engine.connect() as conn:
            return [_complaint(r) for r in conn.execute(q)]
