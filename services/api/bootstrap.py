"""Wire the api to real adapters (tests open their parts and app with their own clock/database)."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from roadcam.common import topics
from roadcam.common.tasks import cancel_and_wait
from roadcam.common.wiring import wiring
from services.api.app import create_app
from services.api.audit_intake import intake_for
from services.api.bus_sink import BusSink
from services.api.clock import wall_clock_us
from services.api.disclosure.sender import HoldSender
from services.api.disclosure.store_holds import HoldStore
from services.api.messages import TOPICS
from services.api.parts import open_parts
from services.api.readiness import always_ready
from services.api.service import ApiService, BusIngest
from services.api.settings import Settings


@asynccontextmanager
async def bootstrap(settings: Settings, clock_us: Callable[[], int] = wall_clock_us) -> AsyncIterator[ApiService]:
    parts = open_parts(settings, clock_us)
    async with wiring(settings) as wire:
        wire.stack.callback(parts.engine.dispose)
        ingest = None
        if settings.consume_bus:
            await wire.topics([*TOPICS, topics.COMMANDS])  # hold commands go out on COMMANDS
            consumer = wire.consumer(TOPICS, from_beginning=True)
            await wire.start(consumer)
            holds = HoldStore(parts.engine)
            ingest = BusIngest(BusSink(parts.counts, parts.operations, parts.audit,
                                       intake_for(settings.audit_signing_key), holds, parts.measures), consumer)
            sender = HoldSender(holds, await wire.producer(), parts.clock.now_us, settings.hold_send_interval_s)
            task = asyncio.create_task(sender.run(), name="hold-commands")
            wire.stack.push_async_callback(cancel_and_wait, [task])
        app = create_app(settings, parts, consumers_running=ingest.is_running if ingest else always_ready)
        yield ApiService(settings, app, ingest)
