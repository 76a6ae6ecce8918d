"""Counts as CSV: the counts columns on the shared writer (`services.api.csv_writer`)."""
from __future__ import annotations

from collections.abc import Iterable

from services.api import csv_writer

BOM = csv_writer.BOM
COLUMNS = ("camera_id", "line_id", "direction", "direction_name", "object_class", "census_class",
           "bin_start", "bin_minutes", "count", "final", "quality", "quality_reason", "size_basis")


def render_csv(rows: Iterable[dict], columns: tuple[str, ...] = COLUMNS, bom: bool = False) -> bytes:
    return csv_writer.render_csv(rows, columns, bom)
