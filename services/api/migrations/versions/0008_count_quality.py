"""Count quality and view health (issues 10 and 14): each count bin keeps the counter's quality,
its reason (the camera's faults during the bin) and how 小型/大型 was decided; each camera's newest
view health (the counter's self-diagnosis) has a row.

Existing bins were counted before the counter judged its picture: they read as "ok".

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("count_bins", sa.Column("quality", sa.String(16), nullable=False, server_default="ok"))
    op.add_column("count_bins", sa.Column("quality_reason", sa.String(200), nullable=False, server_default=""))
    op.add_column("count_bins", sa.Column("size_basis", sa.String(100), nullable=False, server_default=""))
    op.create_table(
        "view_health",
        sa.Column("camera_id", sa.String(64), primary_key=True),
        sa.Column("faults", sa.String(200), nullable=False),
        sa.Column("since_us", sa.BigInteger, nullable=False),
        sa.Column("reported_us", sa.BigInteger, nullable=False),
        sa.Column("reference_learned", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("view_health")
    with op.batch_alter_table("count_bins") as batch:  # SQLite drops columns by copying the table
        batch.drop_column("size_basis")
        batch.drop_column("quality_reason")
        batch.drop_column("quality")
