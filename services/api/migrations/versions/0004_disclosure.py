"""Schema for provision requests, holds, viewing log, exports (issue 11).

Revision ID: 0004
Revises: 0003

The revision chain is fixed in advance (0002 api security, 0003 console, 0004 disclosure,
0005 operations) so features built side by side never create two heads; a feature with no
tables yet leaves its step empty.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
