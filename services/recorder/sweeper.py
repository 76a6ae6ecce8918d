"""Retention (R3): delete what lifecycle expiry missed and destroy expired days' data keys.

Runs with an injectable clock. Returns one audit event per deletion batch (a camera-day) and per
destroyed key; held segments and the keys of days with held segments are never touched.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from minio.error import S3Error

from services.recorder.audit import AuditEntry, audit_event
from services.recorder.chain import DAY_US, day_start_us
from services.recorder.holds import HoldBook
from services.recorder.keyring import DataKeyRing
from services.recorder.storage import RecordingStore

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, store: RecordingStore, keyring: DataKeyRing, holds: HoldBook,
                 retention_of: Callable[[str], int], clock: Callable[[], int]) -> None:
        self._store, self._keyring, self._holds = store, keyring, holds
        self._retention_of, self._clock = retention_of, clock

    def sweep(self) -> list[AuditEntry]:
        now = self._clock()
        events: list[AuditEntry] = []
        for camera_id in self._cameras():
            cutoff = now - self._retention_of(camera_id) * DAY_US
            for day in self._days(camera_id):
                if day_start_us(day) >= cutoff:
                    continue
                events += self._sweep_day(camera_id, day, cutoff, now)
        return events

    def _cameras(self) -> list[str]:
        names = set(self._store.cameras())
        names |= {p.split("/")[1] for p in self._store.names("_keys/") if p.count("/") >= 2}
        return sorted(names)

    def _days(self, camera_id: str) -> list[dt.date]:
        days = set()
        for name in self._store.names(f"_keys/{camera_id}/"):
            days.add(dt.date.fromisoformat(name.split("/")[2]))
        for year in self._store.names(f"{camera_id}/", recursive=False):
            for month in self._store.names(year, recursive=False):
                for day in self._store.names(month, recursive=False):
                    y, m, d = day.rstrip("/").split("/")[1:4]
                    days.add(dt.date(int(y), int(m), int(d)))
        return sorted(days)

    def _sweep_day(self, camera_id: str, day: dt.date, cutoff: int, now: int) -> list[AuditEntry]:
        events = []
        segments = self._store.segments(camera_id, f"{camera_id}/{day:%Y/%m/%d}/")
        held = [s for s in segments if self._holds.held(camera_id, s.start_us, s.end_us)]
        expired = [s for s in segments if s.end_us <= cutoff and s not in held]
        deleted = []
        for seg in expired:
            try:
                self._store.delete_all_versions(seg.key)
                deleted.append(seg)
            except S3Error as exc:  # e.g. a legal hold set outside roadcam: never force it
                log.warning("camera %s: cannot delete %s: %s", camera_id, seg.key, exc.code)
        if deleted:
            log.info("camera %s: deleted %d expired segments of %s", camera_id, len(deleted), day)
            events.append(audit_event(
                "delete", camera_id, deleted[0].start_us, deleted[-1].end_us, "retention expired",
                {"segments": str(len(deleted)), "first": deleted[0].key, "last": deleted[-1].key},
                identity=f"{day}|{deleted[0].key}|{deleted[-1].key}", time_us=now))
        day_over = day_start_us(day) + DAY_US <= cutoff
        if day_over and not held and len(deleted) == len(segments):
            for key_id in self._keyring.destroy_day(camera_id, day):
                log.info("camera %s: destroyed data key %s", camera_id, key_id)
                events.append(audit_event(
                    "key_destroyed", camera_id, day_start_us(day), day_start_us(day) + DAY_US,
                    "retention expired (crypto-shredding)", {"key_id": key_id}, identity=key_id, time_us=now))
        return events
