"""Structured operator viewing conditions (Odawara 7.3②, issue 11): the free text becomes the note.

The column stays text and now holds the conditions as JSON; reading still accepts old free text.

Revision ID: 0007
Revises: 0006
"""
import json

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("viewing_conditions", sa.Text))


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def upgrade() -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.select(accounts.c.id, accounts.c.viewing_conditions)).all():
        text = (row.viewing_conditions or "").strip()
        value = "" if not text else text if _is_object(text) else json.dumps({"note": text[:2000]}, ensure_ascii=False)
        if value != row.viewing_conditions:
            conn.execute(accounts.update().where(accounts.c.id == row.id).values(viewing_conditions=value))


def downgrade() -> None:
    conn = op.get_bind()
    for row in conn.execute(sa.select(accounts.c.id, accounts.c.viewing_conditions)).all():
        text = row.viewing_conditions or ""
        if _is_object(text):
            conn.execute(accounts.update().where(accounts.c.id == row.id)
                         .values(viewing_conditions=json.loads(text).get("note", text)))
