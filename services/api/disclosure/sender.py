"""Sends the hold-command outbox to the recorder (roadcam.commands.v1, key = camera id).

Commands are written with the state change that needs them (one transaction), so a crash between
the change and the bus loses nothing: they are sent on the next pass. Sending twice is harmless:
the recorder applies a command id once.
"""
from __future__ import annotations

import asyncio
import logging

from roadcam.common import topics
from roadcam.common.backoff import Backoff
from roadcam.common.bus import BusProducer
from services.api import messages
from services.api.disclosure.store_holds import HoldStore

log = logging.getLogger(__name__)


class HoldSender:
    def __init__(self, holds: HoldStore, producer: BusProducer, now_us, interval_s: float = 1.0) -> None:
        self._holds, self._producer, self._now_us, self._interval_s = holds, producer, now_us, interval_s

    async def send_pending(self) -> int:
        pending = await asyncio.to_thread(self._holds.pending_commands)
        for command in pending:
            await self._producer.send_and_wait(topics.COMMANDS, command.camera_id, messages.hold_command(command))
            await asyncio.to_thread(self._holds.mark_sent, [command.seq], self._now_us())
            log.info("hold command %s sent (release=%s)", command.command_id, command.release)
        return len(pending)

    async def run(self) -> None:
        backoff = Backoff(initial=self._interval_s, maximum=30.0)
        while True:
            try:
                await self.send_pending()
            except Exception as exc:  # noqa: BLE001 - bus or database away: keep the outbox, retry
                delay = backoff.next_delay()
                log.warning("sending hold commands failed (%s); retry in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                continue
            backoff = Backoff(initial=self._interval_s, maximum=30.0)
            await asyncio.sleep(self._interval_s)
