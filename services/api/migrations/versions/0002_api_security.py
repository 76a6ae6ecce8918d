"""Schema for security fixes and crossings folding (issue 12).

Revision ID: 0002
Revises: 0001

The revision chain is fixed in advance (0002 api security, 0003 console, 0004 disclosure,
0005 operations) so features built side by side never create two heads; a feature with no
tables yet leaves its step empty.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


SECOND = 1_000_000


def upgrade() -> None:
    # Crossings keep no trajectory (P2): whole seconds, identified by their bus record, folded into
    # bins once those are final (the api deletes them then; existing rows keep their row id as offset).
    with op.batch_alter_table("crossings") as batch:
        batch.drop_constraint("uq_crossing", type_="unique")
        batch.add_column(sa.Column("bus_partition", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("bus_offset", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(f"UPDATE crossings SET bus_offset = id, time_us = time_us - (time_us % {SECOND})")
    with op.batch_alter_table("crossings") as batch:
        batch.create_unique_constraint("uq_crossing_record", ["camera_id", "bus_partition", "bus_offset", "time_us"])


def downgrade() -> None:
    with op.batch_alter_table("crossings") as batch:
        batch.drop_constraint("uq_crossing_record", type_="unique")
        batch.drop_column("bus_offset")
        batch.drop_column("bus_partition")
        batch.create_unique_constraint("uq_crossing", ["camera_id", "line_id", "direction", "object_class", "time_us"])
