"""The api's tables. Times are microseconds since the Unix epoch, like everything on the bus.

Changing a table means adding an Alembic revision in roadcam/api/migrations/versions.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
AutoId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: external (OIDC) identity
    role: Mapped[str] = mapped_column(String(16))
    departments: Mapped[str] = mapped_column(Text, default="[]")  # JSON list; ["*"] = every department
    expires_us: Mapped[int | None] = mapped_column(BigInteger)
    viewing_conditions: Mapped[str] = mapped_column(Text, default="")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_us: Mapped[int] = mapped_column(BigInteger)


class ApiKey(Base):
    __tablename__ = "api_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the secret part (high entropy)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_us: Mapped[int] = mapped_column(BigInteger)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    time_us: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    camera_id: Mapped[str] = mapped_column(String(64), default="")
    range_start_us: Mapped[int] = mapped_column(BigInteger, default=0)
    range_end_us: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON object
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_action_actor_time", "action", "actor", "time_us"),)


class AuditHead(Base):
    """One row: the chain's last hash. Appends lock it so replicas append one at a time."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class CountBinRow(Base):
    __tablename__ = "count_bins"
    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    bin_seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    bin_start_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    line_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8), primary_key=True)
    object_class: Mapped[str] = mapped_column(String(32), primary_key=True)
    census_class: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    final: Mapped[bool] = mapped_column(Boolean)
    # The camera's picture over the bin (counter self-diagnosis): ok | degraded | unusable, and why.
    quality: Mapped[str] = mapped_column(String(16), server_default="ok")
    quality_reason: Mapped[str] = mapped_column(String(200), server_default="")
    size_basis: Mapped[str] = mapped_column(String(100), server_default="")  # how 小型/大型 was decided
    # WITHOUT ROWID (SQLite): rows live in primary-key order, so a camera's time range is one scan.
    __table_args__ = (Index("ix_count_bins_size_start", "bin_seconds", "bin_start_us"), {"sqlite_with_rowid": False})


class Crossing(Base):
    """A crossing inside the live window only: deleted once its 5-minute bin is final (P2, T5)."""

    __tablename__ = "crossings"
    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    line_id: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8))
    object_class: Mapped[str] = mapped_column(String(32))
    census_class: Mapped[str] = mapped_column(String(32))
    time_us: Mapped[int] = mapped_column(BigInteger)  # whole seconds: no trajectory across lines (P2)
    # Where the bus had it: a replay is recognised, and crossings in the same second all count.
    bus_partition: Mapped[int] = mapped_column(Integer, default=0)
    bus_offset: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (
        UniqueConstraint("camera_id", "bus_partition", "bus_offset", "time_us", name="uq_crossing_record"),
        Index("ix_crossings_time", "time_us"),
    )


class CameraHealthRow(Base):
    __tablename__ = "camera_health"
    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    fps: Mapped[float] = mapped_column(Float, default=0.0)
    bitrate_bps: Mapped[float] = mapped_column(Float, default=0.0)
    last_packet_us: Mapped[int] = mapped_column(BigInteger, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    error_kind: Mapped[str] = mapped_column(String(16), default="NONE")
    reconnects: Mapped[int] = mapped_column(Integer, default=0)
    reported_us: Mapped[int] = mapped_column(BigInteger)
    ingest_instance: Mapped[str] = mapped_column(String(100), default="")
    online_since_us: Mapped[int] = mapped_column(BigInteger, default=0)


class ViewHealthRow(Base):
    """A camera's newest view health from the counter: its picture faults and since when."""

    __tablename__ = "view_health"
    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    faults: Mapped[str] = mapped_column(String(200))  # comma-separated, sorted; "" = healthy
    since_us: Mapped[int] = mapped_column(BigInteger)  # the report that began this set of faults
    reported_us: Mapped[int] = mapped_column(BigInteger)  # the newest report
    reference_learned: Mapped[bool] = mapped_column(Boolean)


class Segment(Base):
    __tablename__ = "segments"
    object_key: Mapped[str] = mapped_column(String(500), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    start_us: Mapped[int] = mapped_column(BigInteger)
    end_us: Mapped[int] = mapped_column(BigInteger)
    plaintext_sha256: Mapped[str] = mapped_column(String(64), default="")
    prev_chain_hash: Mapped[str] = mapped_column(String(64), default="")
    chain_hash: Mapped[str] = mapped_column(String(64), default="")
    key_id: Mapped[str] = mapped_column(String(100), default="")
    codec: Mapped[str] = mapped_column(String(32), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (Index("ix_segments_camera_start", "camera_id", "start_us"),)


# The operations package keeps its tables in its own module; importing it here puts them in Base.metadata.
from services.api.operations import tables as _operations_tables  # noqa: E402,F401

# The disclosure package keeps its tables in its own module (issue 11), imported here for Base.metadata.
from services.api.disclosure import tables as _disclosure_tables  # noqa: E402,F401


class QueueSampleRow(Base):
    """A queue length measured on a lane (T3), as the counter reports it."""

    __tablename__ = "queue_samples"
    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    lane_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    time_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    length_m: Mapped[float] = mapped_column(Float)
    vehicles: Mapped[int] = mapped_column(Integer)


class SpeedBinRow(Base):
    """Speeds over a counting line in one bin (T3): how many had an estimate, mean and 85th percentile."""

    __tablename__ = "speed_bins"
    camera_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    line_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    object_class: Mapped[str] = mapped_column(String(32), primary_key=True)
    bin_start_us: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    bin_seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    census_class: Mapped[str] = mapped_column(String(32))
    count: Mapped[int] = mapped_column(Integer)
    mean_kmh: Mapped[float] = mapped_column(Float)
    p85_kmh: Mapped[float] = mapped_column(Float)
    final: Mapped[bool] = mapped_column(Boolean)
