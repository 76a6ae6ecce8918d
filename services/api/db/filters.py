"""The filter shared by list queries: optional equality per column, then a half-open time range."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select


def narrowed(q: Select, equal: Iterable[tuple[Any, Any]], time_column: Any,
             since_us: int | None, until_us: int | None) -> Select:
    """Adds `column == value` for each value given, and `since_us <= time < until_us` for each bound given."""
    for column, value in equal:
        if value is not None:
            q = q.where(column == value)
    if since_us is not None:
        q = q.where(time_column >= since_us)
    if until_us is not None:
        q = q.where(time_column < until_us)
    return q
