"""Schema for isolate switch, alerts, complaints (issue 12).

Revision ID: 0005
Revises: 0004

The revision chain is fixed in advance (0002 api security, 0003 console, 0004 disclosure,
0005 operations) so features built side by side never create two heads; a feature with no
tables yet leaves its step empty.
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

AutoId = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "isolation_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("isolated", sa.Boolean, nullable=False),
        sa.Column("changed_us", sa.BigInteger, nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "leak_alerts",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("alert_key", sa.String(300), nullable=False, unique=True),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("raised_us", sa.BigInteger, nullable=False),
        sa.Column("acknowledged_us", sa.BigInteger, nullable=True),
        sa.Column("acknowledged_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_leak_alerts_open", "leak_alerts", ["acknowledged_us", "raised_us"])
    op.create_table(
        "api_key_clients",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("first_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_api_key_clients_first", "api_key_clients", ["first_us"])
    op.create_table(
        "complaints",
        sa.Column("id", AutoId, primary_key=True, autoincrement=True),
        sa.Column("received_us", sa.BigInteger, nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("contact_name", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("handling", sa.Text, nullable=False),
        sa.Column("handled_by", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_us", sa.BigInteger, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_us", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_complaints_received", "complaints", ["received_us"])


def downgrade() -> None:
    op.drop_index("ix_complaints_received", "complaints")
    op.drop_table("complaints")
    op.drop_index("ix_api_key_clients_first", "api_key_clients")
    op.drop_table("api_key_clients")
    op.drop_index("ix_leak_alerts_open", "leak_alerts")
    op.drop_table("leak_alerts")
    op.drop_table("isolation_state")
