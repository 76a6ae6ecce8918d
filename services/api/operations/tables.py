"""Tables of the operations package (migration 0005); imported by services.api.db.tables so the
one metadata (and the migration test) sees them."""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.api.db.tables import AutoId, Base


class IsolationRow(Base):
    """One row (id 1): whether external access is cut (O2). Every replica polls it."""

    __tablename__ = "isolation_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    isolated: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_us: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_by: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class LeakAlertRow(Base):
    """An alert raised by a leak rule; `alert_key` (rule|subject|window) makes replicas raise it once."""

    __tablename__ = "leak_alerts"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    alert_key: Mapped[str] = mapped_column(String(300), unique=True)
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer, default=0)
    raised_us: Mapped[int] = mapped_column(BigInteger)
    acknowledged_us: Mapped[int | None] = mapped_column(BigInteger)
    acknowledged_by: Mapped[str] = mapped_column(String(64), default="")
    __table_args__ = (Index("ix_leak_alerts_open", "acknowledged_us", "raised_us"),)


class ApiKeyClientRow(Base):
    """Where each API key was first used from: a new key used from many addresses is an alert."""

    __tablename__ = "api_key_clients"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_us: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_api_key_clients_first", "first_us"),)


class ComplaintRow(Base):
    """A complaint or inquiry and its handling (A6; Isesaki 10, Tottori 5(4), Midori 12)."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    received_us: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(16))
    camera_id: Mapped[str] = mapped_column(String(64), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text)
    handling: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16))
    closed_us: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_us: Mapped[int] = mapped_column(BigInteger)
    __table_args__ = (Index("ix_complaints_received", "received_us"),)
