"""Wire the api to real adapters (tests build the context and app with their own clock/database)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from roadcam.api.app import create_app
from roadcam.api.auth.passwords import hash_password
from roadcam.api.auth.roles import Role
from roadcam.api.consumers import TOPICS
from roadcam.api.context import ApiContext, build_context, wall_clock_us
from roadcam.api.db.engine import make_engine, migrate
from roadcam.api.errors import Conflict
from roadcam.api.service import ApiService, BusIngest
from roadcam.api.settings import Settings
from roadcam.api.store.accounts import ALL_DEPARTMENTS, StoredAccount
from roadcam.common.bus import BusConsumer, wait_for_topics
from roadcam.common.camconfig import load_config
from roadcam.common.errors import ConfigError

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
    consumer = None
    try:
        if settings.consume_bus:
            password = settings.kafka_sasl_password
            await wait_for_topics(settings.kafka, password, TOPICS)
            consumer = BusConsumer(settings.kafka, password, TOPICS, settings.consumer_group, from_beginning=True,
                                   session_timeout_ms=settings.bus_session_timeout_ms)
            await consumer.start()
        yield ApiService(settings, app, ctx, BusIngest(ctx, consumer) if consumer else None)
    finally:
        if consumer is not None:
            await consumer.stop()
        ctx.engine.dispose()
