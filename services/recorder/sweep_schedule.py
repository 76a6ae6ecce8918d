"""Runs the retention sweeper every `interval_s`, audits what it did and reports the outcome as
metrics (an alert fires on failures or a stale last success); a failed sweep is retried sooner."""
from __future__ import annotations

import asyncio
import logging
import time

from services.recorder import metrics
from services.recorder.audit import AuditPublisher
from services.recorder.sweeper import SWEEP_FAILED, Sweeper

log = logging.getLogger(__name__)


class SweepSchedule:
    def __init__(self, sweeper: Sweeper, audit: AuditPublisher, interval_s: float, retry_s: float = 300.0) -> None:
        self._sweeper, self._audit = sweeper, audit
        self._interval, self._retry = interval_s, min(retry_s, interval_s)
        self.failures = 0  # of the last sweep

    async def run(self) -> None:
        retry = self._retry
        while True:
            await self.sweep_once()
            clean = not self.failures
            if clean:
                retry = self._retry
            await asyncio.sleep(self._interval if clean else retry)
            if not clean:
                retry = min(retry * 2, self._interval)

    async def sweep_once(self) -> int:
        """One sweep; returns how many audit entries it published (failures in `self.failures`)."""
        try:
            entries = await asyncio.to_thread(self._sweeper.sweep)
        except Exception as exc:  # noqa: BLE001 - S3 away: retried soon
            log.warning("retention sweep failed: %s", exc)
            metrics.SWEEP_FAILURES.labels("").inc()
            self._report(failures=1)
            return 0
        failures = [e for e in entries if e.action == SWEEP_FAILED]
        for entry in entries:
            await self._audit.publish(entry)
        for entry in failures:
            metrics.SWEEP_FAILURES.labels(entry.camera_id).inc()
        self._report(len(failures))
        return len(entries)

    def _report(self, failures: int) -> None:
        self.failures = failures
        metrics.SWEEP_FAILING.set(failures)
        metrics.SWEEP_LAST_RUN.set(time.time())
        if not failures:
            metrics.SWEEP_LAST_SUCCESS.set(time.time())
