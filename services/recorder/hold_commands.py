"""Legal-hold commands from roadcam.commands.v1: applied, audited, then committed (R4)."""
from __future__ import annotations

import asyncio
import logging

from roadcam.common.backoff import Backoff
from roadcam.common.bus import BusConsumer, BusRecord
from services.recorder import messages
from services.recorder.audit import AuditEntry, AuditPublisher, audit_event
from services.recorder.holds import HoldBook, HoldChange

log = logging.getLogger(__name__)


class HoldCommands:
    def __init__(self, commands: BusConsumer | None, holds: HoldBook, audit: AuditPublisher) -> None:
        self._commands, self._holds, self._audit = commands, holds, audit

    async def run(self) -> None:
        if self._commands is None:
            await asyncio.Event().wait()  # nothing to read; a returning duty would stop the service
        async for records in self._commands.batches():
            for record in records:
                await self.handle(record)
            if records:
                await self._commands.commit()

    async def handle(self, record: BusRecord) -> None:
        try:
            change = messages.hold_change(record.value)
        except ValueError as exc:
            log.error("command %d/%d rejected: %s", record.partition, record.offset, exc)
            return
        if change is None:
            return
        backoff = Backoff(initial=0.5, maximum=30.0)
        while True:  # S3 away: retry; the command is committed only once applied
            try:
                entry = await asyncio.to_thread(self._apply, change)
                break
            except Exception as exc:  # noqa: BLE001
                delay = backoff.next_delay()
                log.warning("legal hold %s not applied yet (%s); retry in %.1fs", change.hold.command_id, exc, delay)
                await asyncio.sleep(delay)
        await self._audit.publish(entry)

    def _apply(self, change: HoldChange) -> AuditEntry:
        hold = change.hold
        details = {"command_id": hold.command_id, "request_id": hold.request_id}
        if change.release:
            released = self._holds.release(hold.camera_id, change.hold_id)
            if released is None:  # a re-delivered release, or one for a hold never placed here
                log.warning("release %s: camera %s has no hold %s", hold.command_id, hold.camera_id, change.hold_id)
            details["hold_id"] = change.hold_id
            details["released_holds"] = released.command_id if released else ""
            action = "release"
        else:
            details["segments"] = str(self._holds.place(hold))
            action = "hold"
        log.info("legal %s camera %s [%d, %d): %s", action, hold.camera_id, hold.range_start_us, hold.range_end_us, details)
        return audit_event(action, hold.camera_id, hold.range_start_us, hold.range_end_us, hold.reason,
                           details, identity=hold.command_id, actor=hold.requested_by or "recorder")
