"""Wire the api to real adapters (tests open their parts and app with their own clock/database)."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from roadcam.common import topics
from roadcam.common.tasks import cancel_and_wait
from roadcam.common.wiring import wiring
from services.api.app import create_app
from services.api.audit_intake import intake_for
from services.api.bus_sink import BusSink
from services.api.clock import wall_clock_us
from services.api.disclosure.sender import HoldSender
from services.api.disclosure.store_holds import HoldStore
from services.api.console.config_publisher import ConfigPublisher
from services.api.console.config_versions import ConfigVersions
from services.api.messages import TOPICS, camera_config
from services.api.parts import open_parts
from services.api.readiness import always_ready
from services.api.service import ApiService, BusIngest
from services.api.settings import Settings


async def start_config_publisher(wire, producer, parts) -> ConfigPublisher:
    """Console changes go out on the compacted config topic; at start it gets every camera of the
    newest version (the YAML file becomes version 1 when the database has none)."""
    await wire.topics([topics.CAMERA_CONFIG])
    versions = ConfigVersions(parts.engine)
    current = versions.seeded(Path(parts.settings.config_file).read_text(encoding="utf-8"),
                              str(parts.settings.config_file), parts.clock.now_us())
    publisher = ConfigPublisher(producer, camera_config, lambda v: getattr(versions.get(v), "document", ""))
    await publisher.publish_all(current)
    return publisher


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
                                       intake_for(settings.audit_signing_key), holds, parts.measures,
                                       parts.view_health), consumer)
            producer = await wire.producer()
            sender = HoldSender(holds, producer, parts.clock.now_us, settings.hold_send_interval_s)
            task = asyncio.create_task(sender.run(), name="hold-commands")
            wire.stack.push_async_callback(cancel_and_wait, [task])
        app = create_app(settings, parts, consumers_running=ingest.is_running if ingest else always_ready)
        if settings.consume_bus:  # a read-only replica does not publish configuration
            app.state.config_publisher = await start_config_publisher(wire, producer, parts)
        yield ApiService(settings, app, ingest)
