"""Retention (R3): delete what lifecycle expiry missed and destroy expired days' data keys.

Runs with an injectable clock. Returns one audit entry per deletion batch (a camera-day), per
destroyed key and per camera-day that failed; held segments and the keys of days with held
segments are never touched. A failure stays with its camera-day: the other days and cameras are
still swept, what was done is still audited, and the next sweep retries the failed day.
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
SWEEP_FAILED = "sweep_failed"
FAILURE_AUDIT_PERIOD_US = 3_600_000_000  # a day that keeps failing is audited again once an hour


class Sweeper:
    def __init__(self, store: RecordingStore, keyring: DataKeyRing, holds: HoldBook,
                 retention_of: Callable[[str], int], clock: Callable[[], int]) -> None:
        self._store, self._keyring, self._holds = store, keyring, holds
        self._retention_of, self._clock = retention_of, clock

    def sweep(self) -> list[AuditEntry]:
        now = self._clock()
        entries: list[AuditEntry] = []
        for camera_id in self._cameras():
            cutoff = now - self._retention_of(camera_id) * DAY_US
            try:
                days = self._days(camera_id)
            except Exception as exc:  # noqa: BLE001 - this camera's listing failed: the others go on
                log.warning("camera %s: retention sweep cannot list its days: %s", camera_id, exc)
                entries.append(_failure(camera_id, None, "list", "", exc, now))
                continue
            for day in days:
                if day_start_us(day) < cutoff:
                    entries += self._sweep_day(camera_id, day, cutoff, now)
        return entries

    def _cameras(self) -> list[str]:
        names = set(self._store.cameras())
        # key objects hidden behind a delete marker still hold a wrapped key: their camera counts
        names |= {p.split("/")[1] for p in self._store.names_with_hidden("_keys/") if p.count("/") >= 2}
        return sorted(names)

    def _days(self, camera_id: str) -> list[dt.date]:
        days = set()
        for name in self._store.names_with_hidden(f"_keys/{camera_id}/"):
            days.add(dt.date.fromisoformat(name.split("/")[2]))
        for year in self._store.names(f"{camera_id}/", recursive=False):
            for month in self._store.names(year, recursive=False):
                for day in self._store.names(month, recursive=False):
                    y, m, d = day.rstrip("/").split("/")[1:4]
                    days.add(dt.date(int(y), int(m), int(d)))
        return sorted(days)

    def _sweep_day(self, camera_id: str, day: dt.date, cutoff: int, now: int) -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        try:
            segments = self._store.segments(camera_id, f"{camera_id}/{day:%Y/%m/%d}/")
            held = [s for s in segments if self._holds.held(camera_id, s.start_us, s.end_us)]
            expired = [s for s in segments if s.end_us <= cutoff and s not in held]
        except Exception as exc:  # noqa: BLE001 - S3 trouble with this day only
            return [_failure(camera_id, day, "list", "", exc, now)]
        deleted = []
        for seg in expired:
            try:
                self._store.delete_all_versions(seg.key)
                deleted.append(seg)
            except S3Error as exc:  # e.g. a legal hold set outside roadcam: never force it
                log.warning("camera %s: cannot delete %s: %s", camera_id, seg.key, exc.code)
                entries.append(_failure(camera_id, day, "segment", seg.key, exc, now))
        if deleted:
            log.info("camera %s: deleted %d expired segments of %s", camera_id, len(deleted), day)
            entries.insert(0, audit_event(
                "delete", camera_id, deleted[0].start_us, deleted[-1].end_us, "retention expired",
                {"segments": str(len(deleted)), "first": deleted[0].key, "last": deleted[-1].key},
                identity=f"{day}|{deleted[0].key}|{deleted[-1].key}", time_us=now))
        day_over = day_start_us(day) + DAY_US <= cutoff
        if day_over and not held and len(deleted) == len(segments):
            entries += self._shred(camera_id, day, now)
        return entries

    def _shred(self, camera_id: str, day: dt.date, now: int) -> list[AuditEntry]:
        """Destroy the day's data keys (every version); one failing key object spares the others."""
        destroyed, failed = self._keyring.destroy_day(camera_id, day)
        entries = []
        for key_id in destroyed:
            log.info("camera %s: destroyed data key %s", camera_id, key_id)
            entries.append(audit_event(
                "key_destroyed", camera_id, day_start_us(day), day_start_us(day) + DAY_US,
                "retention expired (crypto-shredding)", {"key_id": key_id}, identity=key_id, time_us=now))
        for name, exc in failed:
            log.error("camera %s: data key object %s of %s cannot be destroyed: %s", camera_id, name, day, exc)
            entries.append(_failure(camera_id, day, "key", name, exc, now))
        return entries


def _failure(camera_id: str, day: dt.date | None, stage: str, name: str, exc: Exception, now: int) -> AuditEntry:
    """An audit entry for retention not carried out; the id repeats within the hour (de-duplicated)."""
    error = getattr(exc, "code", None) or type(exc).__name__
    start = day_start_us(day) if day else 0
    return audit_event(
        SWEEP_FAILED, camera_id, start, start + DAY_US if day else 0, "retention not carried out; retried",
        {"day": str(day or ""), "stage": stage, "object": name, "error": str(error), "message": str(exc)[:500]},
        identity=f"{day}|{stage}|{name}|{error}|{now // FAILURE_AUDIT_PERIOD_US}", time_us=now)
