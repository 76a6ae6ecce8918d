"""The one CSV writer for everything the api exports (counts, audit, registers).

UTF-8 with an optional BOM so Excel in Japan reads the kanji right, and no live formulas: a text
cell starting with = + - @ tab or CR is what a spreadsheet runs as a formula (CSV injection,
e.g. a sign-in name `=HYPERLINK(...)` reaching the auditor's export), so it gets a leading `'`.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would evaluate, made inert; numbers and other text stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def render_csv(rows: Iterable[dict], columns: tuple[str, ...], bom: bool = True) -> bytes:
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([neutralise(row.get(c, "")) for c in columns] for row in rows)
    return out.getvalue().encode("utf-8")
