"""The api's long-lived parts, opened once at start (tests open theirs with their own clock/database).

Handlers never receive `ApiParts`: `services.api.deps` hands each one only the part it needs.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from roadcam.common.camconfig import load_config
from roadcam.common.errors import ConfigError
from services.api.auth.passwords import hash_password
from services.api.auth.roles import Role
from services.api.auth.signin_guard import SignInGuard
from services.api.audit_anchor import AnchorPolicy, AnchorStore, DirectoryAnchors, S3Anchors
from services.api.audit_trail import system_record
from services.api.auth.tokens import LocalTokens, TokenVerifier
from services.api.camera_directory import CameraDirectory
from services.api.clock import ApiClock, wall_clock_us
from services.api.console.config_versions import ConfigVersions
from services.api.counts_cache import SettledCounts
from services.api.db.engine import make_engine, migrate
from services.api.errors import Conflict
from services.api.settings import Settings
from services.api.store.accounts import ALL_DEPARTMENTS, Accounts, StoredAccount
from services.api.store.audit import AuditLog
from services.api.store.counts import CountStore
from services.api.store.measures import MeasureStore
from services.api.store.operations import OperationsStore
from services.api.store.view_health import ViewHealthStore

log = logging.getLogger(__name__)
MIN_SECRET = 32


@dataclass(frozen=True)
class ApiParts:
    settings: Settings
    engine: Engine
    clock: ApiClock
    cameras: CameraDirectory
    tokens: LocalTokens
    verifier: TokenVerifier
    accounts: Accounts
    audit: AuditLog
    counts: CountStore
    operations: OperationsStore
    signin_guard: SignInGuard
    measures: MeasureStore
    settled_counts: SettledCounts
    view_health: ViewHealthStore


def open_parts(settings: Settings, clock_us: Callable[[], int] = wall_clock_us) -> ApiParts:
    """Load the camera config, migrate the database, create the first manager if asked. The camera
    directory follows the newest stored configuration version; the file is the seed."""
    if len(settings.jwt_secret.get_secret_value()) < MIN_SECRET:
        raise ConfigError(f"jwt_secret must be at least {MIN_SECRET} characters (ROADCAM_API_JWT_SECRET)")
    config = load_config(settings.config_file)
    engine = make_engine(settings.database_url.get_secret_value())
    migrate(engine)
    tokens = LocalTokens(settings.jwt_secret.get_secret_value(), settings.token_minutes * 60)
    audit = AuditLog(engine, anchor_store(settings), AnchorPolicy(settings.audit_anchor_every))
    counts, settled = CountStore(engine), SettledCounts()
    counts.on_write.append(settled.written)
    cameras = CameraDirectory(config, ConfigVersions(engine), settings.config_check_s)
    cameras.on_change.append(settled.clear)
    parts = ApiParts(settings, engine, ApiClock(clock_us, ZoneInfo(settings.timezone)), cameras,
                     tokens, tokens, Accounts(engine), audit, counts, OperationsStore(engine),
                     SignInGuard(settings.login_failures_max, settings.login_window_s), MeasureStore(engine),
                     settled, ViewHealthStore(engine))
    ensure_first_manager(parts)
    return parts


def anchor_store(settings: Settings) -> AnchorStore | None:
    """Where the audit chain head is anchored outside the database (None: nowhere, logged)."""
    if settings.audit_anchor_bucket:
        from roadcam.common.s3 import minio_client

        store = S3Anchors(minio_client(settings.s3, settings.s3_secret_key.get_secret_value()),
                          settings.audit_anchor_bucket)
        store.ensure_bucket()
        return store
    if settings.audit_anchor_dir is not None:
        return DirectoryAnchors(settings.audit_anchor_dir)
    log.warning("audit chain head is not anchored outside the database (set audit_anchor_bucket)")
    return None


def ensure_first_manager(parts: ApiParts) -> None:
    password = parts.settings.bootstrap_manager_password
    if password is None or parts.accounts.count() > 0:
        return
    name = parts.settings.bootstrap_manager
    try:
        parts.accounts.create(StoredAccount(name, Role.MANAGER, (ALL_DEPARTMENTS,), None, "", False,
                                            hash_password(password.get_secret_value()), parts.clock.now_us()))
    except Conflict:
        return  # another replica created it a moment ago
    parts.audit.append(system_record("system", "config_change", f"account {name} created (first manager)",
                                     parts.clock.now_us(), "api start-up", account=name, role=Role.MANAGER.value))
    log.info("created the first manager account %r", name)
