"""Everything a request handler needs, built once by the app factory (tests pass their own clock)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from services.api.auth.tokens import LocalTokens, TokenVerifier
from services.api.settings import Settings
from services.api.store.accounts import Accounts, Principal
from services.api.store.audit import AuditLog
from services.api.store.counts import CountStore
from services.api.store.operations import OperationsStore
from roadcam.common.camconfig.models import CameraConfig, RoadcamConfig
from roadcam.common.timeutil import now_us


wall_clock_us = now_us  # the shared wall clock; tests pass their own


@dataclass
class ApiContext:
    settings: Settings
    config: RoadcamConfig
    engine: Engine
    tokens: LocalTokens
    verifier: TokenVerifier
    accounts: Accounts
    audit: AuditLog
    counts: CountStore
    operations: OperationsStore
    clock_us: Callable[[], int] = wall_clock_us
    consumer_ready: Callable[[], bool] = field(default=lambda: True)
    _direction_names: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for cam in self.config.cameras:
            for line in cam.counting_lines:
                self._direction_names[(cam.id, line.id, "pos")] = line.pos_name
                self._direction_names[(cam.id, line.id, "neg")] = line.neg_name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)  # zoneinfo caches instances by key

    def visible_cameras(self, who: Principal) -> list[CameraConfig]:
        return [c for c in self.config.cameras if who.sees_department(c.department)]

    def direction_name(self, camera_id: str, line_id: str, direction: str) -> str:
        """The operator's name for a direction (上り/下り), or the raw one for an unknown line."""
        return self._direction_names.get((camera_id, line_id, direction), direction)


def build_context(settings: Settings, config: RoadcamConfig, engine: Engine,
                  clock_us: Callable[[], int] = wall_clock_us) -> ApiContext:
    tokens = LocalTokens(settings.jwt_secret.get_secret_value(), settings.token_minutes * 60)
    return ApiContext(settings, config, engine, tokens, tokens, Accounts(engine), AuditLog(engine),
                      CountStore(engine), OperationsStore(engine), clock_us)
