"""The recorder's slow duties: legal-hold commands from the bus and the retention sweeper.
Both emit audit events; a command's offset is committed only after it was applied and audited.
"""
from __future__ import annotations

import asyncio
import logging

from google.protobuf.message import DecodeError as ProtoDecodeError
from pydantic import ValidationError

from roadcam.common.backoff import Backoff
from roadcam.common.bus import BusConsumer, BusRecord
from roadcam.common.tasks import cancel_and_wait
from services.recorder.audit import AuditPublisher, audit_event
from services.recorder.holds import Hold, HoldBook
from services.recorder.sweeper import Sweeper
from roadcam.v1 import audit_pb2, commands_pb2

log = logging.getLogger(__name__)


def hold_from_command(cmd: commands_pb2.LegalHoldCommand) -> Hold:
    if cmd.range_end_us <= cmd.range_start_us:
        raise ValueError("range_end_us must be after range_start_us")
    return Hold(
        command_id=cmd.command_id, camera_id=cmd.camera_id, range_start_us=cmd.range_start_us,
        range_end_us=cmd.range_end_us, requested_by=cmd.requested_by, reason=cmd.reason, request_id=cmd.request_id,
    )


class Housekeeping:
    def __init__(self, commands: BusConsumer | None, holds: HoldBook, sweeper: Sweeper,
                 audit: AuditPublisher, sweep_interval_s: float) -> None:
        self._commands, self._holds, self._sweeper = commands, holds, sweeper
        self._audit, self._interval = audit, sweep_interval_s

    async def run(self, stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(self._sweep_loop())]
        if self._commands is not None:
            tasks.append(asyncio.create_task(self._command_loop()))
        try:
            await asyncio.gather(*tasks)
        finally:
            await cancel_and_wait(tasks)

    async def _sweep_loop(self) -> None:
        while True:
            await self.sweep_once()
            await asyncio.sleep(self._interval)

    async def sweep_once(self) -> int:
        try:
            events = await asyncio.to_thread(self._sweeper.sweep)
        except Exception as exc:  # noqa: BLE001 - S3 away: the next run catches up
            log.warning("retention sweep failed: %s", exc)
            return 0
        for event in events:
            await self._publish(event)
        return len(events)

    async def _command_loop(self) -> None:
        assert self._commands is not None
        async for records in self._commands.batches():
            for record in records:
                await self.handle_command(record)
            if records:
                await self._commands.commit()

    async def handle_command(self, record: BusRecord) -> None:
        try:
            command = commands_pb2.Command.FromString(record.value)
            if command.WhichOneof("command") != "legal_hold":
                return
            hold = hold_from_command(command.legal_hold)
        except (ProtoDecodeError, ValidationError, ValueError) as exc:
            log.error("command %d/%d rejected: %s", record.partition, record.offset, exc)
            return
        backoff = Backoff(initial=0.5, maximum=30.0)
        while True:  # S3 away: retry; the command is committed only once applied
            try:
                event = await asyncio.to_thread(self._apply, hold, command.legal_hold.release)
                break
            except Exception as exc:  # noqa: BLE001
                delay = backoff.next_delay()
                log.warning("legal hold %s not applied yet (%s); retry in %.1fs", hold.command_id, exc, delay)
                await asyncio.sleep(delay)
        await self._publish(event)

    def _apply(self, hold: Hold, release: bool) -> audit_pb2.AuditEvent:
        details = {"command_id": hold.command_id, "request_id": hold.request_id}
        if release:
            released = self._holds.release(hold.camera_id, hold.range_start_us, hold.range_end_us)
            details["released_holds"] = ",".join(h.command_id for h in released)
            action = "release"
        else:
            details["segments"] = str(self._holds.place(hold))
            action = "hold"
        log.info("legal %s camera %s [%d, %d): %s", action, hold.camera_id, hold.range_start_us, hold.range_end_us, details)
        return audit_event(action, hold.camera_id, hold.range_start_us, hold.range_end_us, hold.reason,
                           details, identity=hold.command_id, actor=hold.requested_by or "recorder")

    async def _publish(self, event: audit_pb2.AuditEvent) -> None:
        backoff = Backoff(initial=0.2, maximum=10.0)
        while True:
            try:
                await self._audit.publish(event)
                return
            except Exception as exc:  # noqa: BLE001 - an audit event must not be dropped
                delay = backoff.next_delay()
                log.warning("audit event %s not sent (%s); retry in %.1fs", event.action, exc, delay)
                await asyncio.sleep(delay)
