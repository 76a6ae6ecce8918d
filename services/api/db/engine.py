"""Engine setup and schema migration (Alembic, run on startup)."""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from services.api.errors import StoreError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine with sane pool settings; SQLite gets WAL and a busy timeout for threaded writers."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)
    except (SQLAlchemyError, ValueError, ImportError) as exc:
        raise StoreError(f"bad database URL: {exc}") from exc


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA mmap_size=268435456")  # read pages in place instead of copying them per query
    cur.execute("PRAGMA cache_size=-32768")  # 32 MiB per connection
    cur.close()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe to run on every start."""
    try:
        command.upgrade(alembic_config(engine), "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"database migration failed: {exc}") from exc
    log.info("database schema at %s", head_revision())


def head_revision() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head() or ""


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at; raises SQLAlchemyError when it is unreachable."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        return MigrationContext.configure(conn).get_current_revision()
