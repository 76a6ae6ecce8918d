"""Alembic environment: the engine comes from services.api.db.engine (config.attributes)."""
from __future__ import annotations

from alembic import context

from services.api.db.tables import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
