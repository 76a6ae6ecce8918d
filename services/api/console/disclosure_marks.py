"""The console's mark of the requester for a self-disclosure export: form fields -> marks.

Each camera's fieldset posts `frame-<camera>` (0 = first frame of the clip) and `box-<camera>`
("x1,y1,x2,y2" in the clip's pixels), drawn on a still by mark.js or typed in."""
from __future__ import annotations

from collections.abc import Iterable

from services.api.disclosure.redaction import Mark
from services.api.errors import ApiError


def marks_from_form(form: dict[str, str], cameras: Iterable[str]) -> dict[str, Mark]:
    """The marks the operator gave (a camera left blank has none; the export then says which is missing)."""
    marks = {}
    for camera in cameras:
        box = form.get(f"box-{camera}", "").strip()
        if not box:
            continue
        try:
            values = tuple(float(v) for v in box.split(","))
            frame = int(form.get(f"frame-{camera}", "0") or 0)
        except ValueError:
            values, frame = (), -1
        if len(values) != 4 or frame < 0:
            raise ApiError(f"camera {camera}: the box is four numbers x1,y1,x2,y2 (the clip's pixels) and the "
                           f"frame a whole number from 0, not {box!r}", 422)
        marks[camera] = Mark(frame, values)
    return marks
