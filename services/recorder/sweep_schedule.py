"""Runs the retention sweeper every `interval_s` and audits what it did (R3)."""
from __future__ import annotations

import asyncio
import logging

from services.recorder.audit import AuditPublisher
from services.recorder.sweeper import Sweeper

log = logging.getLogger(__name__)


class SweepSchedule:
    def __init__(self, sweeper: Sweeper, audit: AuditPublisher, interval_s: float) -> None:
        self._sweeper, self._audit, self._interval = sweeper, audit, interval_s

    async def run(self) -> None:
        while True:
            await self.sweep_once()
            await asyncio.sleep(self._interval)

    async def sweep_once(self) -> int:
        """One sweep; returns the number of audit events it produced."""
        try:
            entries = await asyncio.to_thread(self._sweeper.sweep)
        except Exception as exc:  # noqa: BLE001 - S3 away: the next run catches up
            log.warning("retention sweep failed: %s", exc)
            return 0
        for entry in entries:
            await self._audit.publish(entry)
        return len(entries)
