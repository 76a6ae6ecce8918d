"""Counts as CSV for spreadsheets: UTF-8, optional BOM so Excel in Japan reads the kanji right."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"
COLUMNS = ("camera_id", "line_id", "direction", "direction_name", "object_class", "census_class",
           "bin_start", "bin_minutes", "count", "final")


def render_csv(rows: Iterable[dict], columns: tuple[str, ...] = COLUMNS, bom: bool = False) -> bytes:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
