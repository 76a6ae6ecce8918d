"""Queue lengths and speed bins (T3, issue 10 item 4).

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_samples",
        sa.Column("camera_id", sa.String(64), primary_key=True),
        sa.Column("lane_id", sa.String(64), primary_key=True),
        sa.Column("time_us", sa.BigInteger, primary_key=True),
        sa.Column("length_m", sa.Float, nullable=False),
        sa.Column("vehicles", sa.Integer, nullable=False),
    )
    op.create_table(
        "speed_bins",
        sa.Column("camera_id", sa.String(64), primary_key=True),
        sa.Column("line_id", sa.String(64), primary_key=True),
        sa.Column("object_class", sa.String(32), primary_key=True),
        sa.Column("bin_start_us", sa.BigInteger, primary_key=True),
        sa.Column("bin_seconds", sa.Integer, primary_key=True),
        sa.Column("census_class", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("mean_kmh", sa.Float, nullable=False),
        sa.Column("p85_kmh", sa.Float, nullable=False),
        sa.Column("final", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("speed_bins")
    op.drop_table("queue_samples")
