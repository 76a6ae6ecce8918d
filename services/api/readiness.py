"""Is this replica ready: the database reachable at the current schema, the bus consumers running."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from services.api.db.engine import head_revision, schema_revision


def always_ready() -> bool:
    return True


@dataclass(frozen=True)
class ReadyState:
    ready: bool
    database: str
    schema_revision: str | None
    consumers: bool


@dataclass(frozen=True)
class Readiness:
    engine: Engine
    consumers_running: Callable[[], bool] = always_ready

    def check(self) -> ReadyState:
        try:
            revision, database = schema_revision(self.engine), "ok"
        except SQLAlchemyError as exc:
            revision, database = None, f"unreachable: {type(exc).__name__}"
        consumers = self.consumers_running()
        if database == "ok" and revision != head_revision():
            database = f"schema at {revision}, expected {head_revision()}"
        return ReadyState(revision == head_revision() and consumers, database, revision, consumers)
