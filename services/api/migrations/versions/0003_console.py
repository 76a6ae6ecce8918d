"""Schema for console configuration documents and queue/speed (issue 10).

Revision ID: 0003
Revises: 0002

The revision chain is fixed in advance (0002 api security, 0003 console, 0004 disclosure,
0005 operations) so features built side by side never create two heads; a feature with no
tables yet leaves its step empty.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "config_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("created_us", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("diff", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("config_versions")
