"""Scheduled integrity check (O1): every `interval_s`, verify each recorded camera's recent chain
(decrypt, re-hash, walk the chain, check its end against the write-once anchor) and expose the
outcome as metrics an alert can use."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import get_args

from services.recorder import metrics
from services.recorder.keyring import DataKeyRing
from services.recorder.storage import RecordingStore
from services.recorder.verify import Kind, verify_range

log = logging.getLogger(__name__)
SOUND = ("OK", "GAPS", "EMPTY")  # gaps and silence are cameras offline, not damage
# Footage being stored while the check runs may end a little after the recorder's clock.
END_MARGIN_US = 3_600_000_000


class IntegrityCheck:
    def __init__(self, store: RecordingStore, keyring: DataKeyRing, cameras: list[str], window_s: float,
                 interval_s: float, clock: Callable[[], int]) -> None:
        self._store, self._keyring, self._cameras = store, keyring, sorted(cameras)
        self._window_us, self._interval, self._clock = int(window_s * 1_000_000), interval_s, clock

    async def run(self) -> None:
        while True:
            await self.check_once()
            await asyncio.sleep(self._interval)

    async def check_once(self) -> dict[str, str]:
        """Verify every camera; returns camera -> status ("ERROR" when the check could not run)."""
        statuses = {}
        for camera_id in self._cameras:
            statuses[camera_id] = await asyncio.to_thread(self._check, camera_id)
        return statuses

    def _check(self, camera_id: str) -> str:
        now = self._clock()
        try:
            report = verify_range(self._store, self._keyring, camera_id, now - self._window_us, now + END_MARGIN_US)
        except Exception as exc:  # noqa: BLE001 - S3 away: counted, tried again next time
            log.warning("camera %s: integrity check could not run: %s", camera_id, exc)
            metrics.VERIFY_ERRORS.labels(camera_id).inc()
            return "ERROR"
        metrics.VERIFY_OK.labels(camera_id).set(1 if report.status in SOUND else 0)
        for kind in get_args(Kind):
            metrics.VERIFY_FINDINGS.labels(camera_id, kind).set(sum(f.kind == kind for f in report.findings))
        metrics.VERIFY_LAST_RUN.labels(camera_id).set(time.time())
        if report.status not in SOUND:
            log.error("camera %s: integrity check %s: %s", camera_id, report.status, report.findings[:5])
        return report.status
