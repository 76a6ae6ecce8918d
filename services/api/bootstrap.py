"""Wire the api to real adapters (tests build the context and app with their own clock/database)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.api.app import create_app
from services.api.auth.passwords import hash_password
from services.api.auth.roles import Role
from services.api.consumers import TOPICS
from services.api.context import ApiContext, build_context, wall_clock_us
from services.api.db.engine import make_engine, migrate
from services.api.errors import Conflict
from services.api.service import ApiService, BusIngest
from services.api.settings import Settings
from services.api.store.accounts import ALL_DEPARTMENTS, StoredAccount
from roadcam.common.camconfig import load_config
from roadcam.common.errors import ConfigError
from roadcam.common.wiring import wiring

log = logging.getLogger(__name__)
MIN_SECRET = 32


def open_context(settings: Settings, clock_us=wall_clock_us) -> ApiContext:
    """Load the camera config, migrate the database, create the first manager if asked."""
    if len(settings.jwt_secret.get_secret_value()) < MIN_SECRET:
        raise ConfigError(f"jwt_secret must be at least {MIN_SECRET} characters (ROADCAM_API_JWT_SECRET)")
    config = load_config(settings.config_file)
    engine = make_engine(settings.database_url.get_secret_value())
    migrate(engine)
    ctx = build_context(settings, config, engine, clock_us)
    ensure_first_manager(ctx)
    return ctx


def ensure_first_manager(ctx: ApiContext) -> None:
    password = ctx.settings.bootstrap_manager_password
    if password is None or ctx.accounts.count() > 0:
        return
    try:
        ctx.accounts.create(StoredAccount(ctx.settings.bootstrap_manager, Role.MANAGER, (ALL_DEPARTMENTS,), None, "",
                                          False, hash_password(password.get_secret_value()), ctx.clock_us()))
    except Conflict:
        return  # another replica created it a moment ago
    log.info("created the first manager account %r", ctx.settings.bootstrap_manager)


@asynccontextmanager
async def bootstrap(settings: Settings) -> AsyncIterator[ApiService]:
    ctx = open_context(settings)
    app = create_app(settings, ctx)
    async with wiring(settings) as wire:
        wire.stack.callback(ctx.engine.dispose)
        ingest = None
        if settings.consume_bus:
            await wire.topics(TOPICS)
            consumer = wire.consumer(TOPICS, from_beginning=True)
            await wire.start(consumer)
            ingest = BusIngest(ctx, consumer)
        yield ApiService(settings, app, ctx, ingest)
