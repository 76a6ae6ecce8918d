"""Initial schema: accounts, API keys, audit chain, counts, crossings, camera health, segments.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AutoId = sa.BigInteger().with_variant(sa.Integer, "sqlite")
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("departments", sa.Text, nullable=False),
        sa.Column("expires_us", sa.BigInteger, nullable=True),
        sa.Column("viewing_conditions", sa.Text, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("account_id", AutoId, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_api_keys_account_id", "api_keys", ["account_id"])
    _audit()
    _counts()
    _operations()


def _audit() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", AutoId, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(100), nullable=False, unique=True),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("range_start_us", sa.BigInteger, nullable=False),
        sa.Column("range_end_us", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_action_actor_time", "audit_log", ["action", "actor", "time_us"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def _counts() -> None:
    op.create_table(
        "count_bins",
        sa.Column("camera_id", sa.String(64), primary_key=True),
        sa.Column("bin_seconds", sa.Integer, primary_key=True),
        sa.Column("bin_start_us", sa.BigInteger, primary_key=True),
        sa.Column("line_id", sa.String(64), primary_key=True),
        sa.Column("direction", sa.String(8), primary_key=True),
        sa.Column("object_class", sa.String(32), primary_key=True),
        sa.Column("census_class", sa.String(32), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("final", sa.Boolean, nullable=False),
        sqlite_with_rowid=False,  # rows stored in primary-key order: a camera's time range is one scan
    )
    op.create_index("ix_count_bins_size_start", "count_bins", ["bin_seconds", "bin_start_us"])
    op.create_table(
        "crossings",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("object_class", sa.String(32), nullable=False),
        sa.Column("census_class", sa.String(32), nullable=False),
        sa.Column("time_us", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("camera_id", "line_id", "direction", "object_class", "time_us", name="uq_crossing"),
    )
    op.create_index("ix_crossings_time", "crossings", ["time_us"])


def _operations() -> None:
    op.create_table(
        "camera_health",
        sa.Column("camera_id", sa.String(64), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("fps", sa.Float, nullable=False),
        sa.Column("bitrate_bps", sa.Float, nullable=False),
        sa.Column("last_packet_us", sa.BigInteger, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("error_kind", sa.String(16), nullable=False),
        sa.Column("reconnects", sa.Integer, nullable=False),
        sa.Column("reported_us", sa.BigInteger, nullable=False),
        sa.Column("ingest_instance", sa.String(100), nullable=False),
        sa.Column("online_since_us", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "segments",
        sa.Column("object_key", sa.String(500), primary_key=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("start_us", sa.BigInteger, nullable=False),
        sa.Column("end_us", sa.BigInteger, nullable=False),
        sa.Column("plaintext_sha256", sa.String(64), nullable=False),
        sa.Column("prev_chain_hash", sa.String(64), nullable=False),
        sa.Column("chain_hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(100), nullable=False),
        sa.Column("codec", sa.String(32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_segments_camera_start", "segments", ["camera_id", "start_us"])


def downgrade() -> None:
    for table in ("segments", "camera_health", "crossings", "count_bins", "audit_head", "audit_log",
                  "api_keys", "accounts"):
        op.drop_table(table)
