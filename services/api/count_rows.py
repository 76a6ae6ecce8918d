"""Count rows and view health as the counts answers (API JSON/CSV, console chart) show them. Pure."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo

from services.api.store.counts import CountOut
from services.api.store.view_health import ViewHealth
from services.api.times import to_dt

DirectionName = Callable[[str, str, str], str]  # (camera, line, direction) -> 上り/下り


def row_dicts(rows: Iterable[CountOut], tz: tzinfo, direction_name: DirectionName) -> list[dict]:
    """JSON/CSV rows. Hot path (a day of one camera is ~600 rows): format each stamp and name once."""
    stamps: dict[int, str] = {}
    names: dict[tuple[str, str, str], str] = {}
    out = []
    for cam, line, direction, obj, census, start, size, count, final, quality, reason, basis in rows:
        stamp = stamps.get(start)
        if stamp is None:
            stamp = stamps[start] = to_dt(start, tz).isoformat()
        name = names.get((cam, line, direction))
        if name is None:
            name = names[(cam, line, direction)] = direction_name(cam, line, direction)
        out.append({"camera_id": cam, "line_id": line, "direction": direction, "direction_name": name,
                    "object_class": obj, "census_class": census, "bin_start": stamp, "bin_minutes": size // 60,
                    "count": count, "final": final, "quality": quality, "quality_reason": reason,
                    "size_basis": basis})
    return out


def view_health_dicts(camera_ids: Sequence[str], known: dict[str, ViewHealth], tz: tzinfo) -> list[dict]:
    """The cameras' current view health, in the order asked; a camera never diagnosed is "unknown"."""
    out = []
    for cam in camera_ids:
        v = known.get(cam)
        if v is None:
            out.append({"camera_id": cam, "state": "unknown", "faults": [], "since": None, "reported_at": None,
                        "reference_learned": False})
            continue
        out.append({"camera_id": cam, "state": "ok" if v.ok else "faulty", "faults": list(v.faults),
                    "since": to_dt(v.since_us, tz).isoformat(), "reported_at": to_dt(v.reported_us, tz).isoformat(),
                    "reference_learned": v.learned})
    return out
