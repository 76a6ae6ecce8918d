"""Camera alerts (O1) from the latest health reports: offline cameras, and cameras whose picture the
counter judges faulty (frozen, covered, ...: their counts are not to be trusted). Pure logic, the
clock is passed in."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.api.store.operations import HealthIn
from services.api.store.view_health import ViewHealth


@dataclass(frozen=True)
class Alert:
    camera_id: str
    kind: str          # no_report, stale_report, not_online, view_<fault> (view_frozen, view_covered, ...)
    message: str
    since_us: int      # 0 when unknown


def offline_alerts(camera_ids: Iterable[str], health: Mapping[str, HealthIn], now_us: int,
                   offline_after_s: float) -> list[Alert]:
    alerts = []
    stale_us = int(offline_after_s * 1_000_000)
    for cid in camera_ids:
        h = health.get(cid)
        if h is None:
            alerts.append(Alert(cid, "no_report", "no health report received from the ingest", 0))
        elif now_us - h.reported_us > stale_us:
            age = (now_us - h.reported_us) / 1e6
            alerts.append(Alert(cid, "stale_report", f"last health report {age:.0f} s ago", h.reported_us))
        elif h.state != "ONLINE":
            why = f": {h.last_error}" if h.last_error else ""
            alerts.append(Alert(cid, "not_online", f"camera {h.state.lower()} ({h.error_kind}){why}",
                                h.last_packet_us))
    return alerts


def view_alerts(camera_ids: Iterable[str], views: Mapping[str, ViewHealth]) -> list[Alert]:
    """One alert per fault of each camera's picture, since the faults began."""
    alerts = []
    for cid in camera_ids:
        v = views.get(cid)
        for fault in v.faults if v is not None else ():
            alerts.append(Alert(cid, f"view_{fault}", f"the counter judges the picture {fault}; counts are flagged",
                                v.since_us))
    return alerts
