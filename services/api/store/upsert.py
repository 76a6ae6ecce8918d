"""`INSERT ... ON CONFLICT` for the two supported dialects."""
from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite


def insert_for(engine: Engine):
    """The dialect's insert construct (has on_conflict_do_nothing / on_conflict_do_update)."""
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
