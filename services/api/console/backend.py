"""What the console needs from the api, in one place: the only console module that knows how the
api keeps its state (the request handlers stay the same when that wiring changes)."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import Request

from services.api.alerts import Alert, offline_alerts, view_alerts
from services.api.audit_trail import AuditTrail
from services.api.errors import Unauthorized
from services.api.store.accounts import Principal
from services.api.store.counts import CountOut, CountQuery
from services.api.parts import ApiParts
from services.api.public.hls_store import HlsStore
from services.api.store.operations import HealthIn, SegmentIn
from services.api.store.view_health import ViewHealth
from roadcam.common.camconfig.models import CameraConfig

log = logging.getLogger(__name__)


@dataclass
class ConsoleBackend:
    parts: ApiParts
    hls: HlsStore
    publisher: object | None = None  # app.state.config_publisher: sends config versions to the bus

    @classmethod
    def of(cls, request: Request) -> ConsoleBackend:
        parts = request.app.state.parts
        store = getattr(request.app.state, "console_hls", None)
        if store is None:
            store = request.app.state.console_hls = HlsStore(parts.settings)
        return cls(parts, store, getattr(request.app.state, "config_publisher", None))

    @property
    def secret(self) -> str:
        return self.parts.settings.jwt_secret.get_secret_value()

    @property
    def session_seconds(self) -> int:
        return self.parts.settings.token_minutes * 60

    @property
    def tz(self):
        return self.parts.clock.tz

    def now_us(self) -> int:
        return self.parts.clock.now_us()

    def session_principal(self, token: str | None) -> tuple[Principal, int] | None:
        """The signed-in account and its session expiry, or None (no, bad or expired session)."""
        if not token:
            return None
        try:
            claims = self.parts.verifier.verify(token, self.now_us())
        except Unauthorized:
            return None
        account = self.parts.accounts.get(claims.username)
        if account is None or not account.usable(self.now_us()):
            return None
        return account.principal("session"), claims.expires_us

    def issue(self, username: str) -> str:
        return self.parts.tokens.issue(username, self.now_us() / 1e6)[0]

    def sign_in(self, request: Request, username: str, password: str) -> str:
        """Exactly the API's sign-in (throttling, audit of failures: A1, A2); a session token."""
        from pydantic import ValidationError

        from services.api.routes.auth import WRONG, sign_in
        from services.api.schemas import LoginIn

        try:
            body = LoginIn(username=username, password=password)
        except ValidationError:
            raise Unauthorized(WRONG) from None
        p = self.parts
        return sign_in(body, p.accounts, p.signin_guard, self._trail(request), p.tokens, p.clock).access_token

    def _trail(self, request: Request) -> AuditTrail:
        client = request.client.host if request.client else ""
        return AuditTrail(self.parts.audit, self.now_us, client, f"console {request.method} {request.url.path}")

    def audit(self, request: Request, who: Principal, action: str, **fields) -> None:
        self._trail(request).record(who, action, **fields)

    def cameras(self, who: Principal) -> list[CameraConfig]:
        return self.parts.cameras.visible(who)

    def camera(self, who: Principal, camera_id: str) -> CameraConfig | None:
        return next((c for c in self.cameras(who) if c.id == camera_id), None)

    def health(self) -> dict[str, HealthIn]:
        return self.parts.operations.health()

    def view_health(self) -> dict[str, ViewHealth]:
        return self.parts.view_health.current()

    def offline_after_s(self) -> float:
        return self.parts.settings.offline_after_s

    def alerts(self, who: Principal) -> list[Alert]:
        ids = [c.id for c in self.cameras(who)]
        return (offline_alerts(ids, self.health(), self.now_us(), self.offline_after_s())
                + view_alerts(ids, self.view_health()))

    def counts(self, q: CountQuery) -> list[CountOut]:
        return list(self.parts.counts.query(q))

    def live(self, camera_ids: list[str], since_us: int) -> list[tuple[str, str, str, str, int]]:
        return self.parts.counts.live(camera_ids, since_us)

    def direction_name(self, camera_id: str, line_id: str, direction: str) -> str:
        return self.parts.cameras.direction_name(camera_id, line_id, direction)

    def segments(self, camera_ids: list[str], since_us: int) -> list[SegmentIn]:
        return self.parts.operations.segments(camera_ids, since_us, self.now_us(), 100_000)

    def audit_entries(self, limit: int) -> list:
        from services.api.store.audit import AuditFilter

        day_ago = self.now_us() - 86_400_000_000
        return list(reversed(self.parts.audit.entries(AuditFilter(since_us=day_ago, limit=10_000))))[:limit]

    def config_versions(self):
        from services.api.console.config_versions import ConfigVersions

        return ConfigVersions(self.parts.engine)

    def current_config(self):
        """The newest stored version; the service's YAML file is version 1 when none is stored."""
        path = self.parts.settings.config_file
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return self.config_versions().seeded(text, str(path), self.now_us())

    async def snapshot(self, camera_id: str) -> bytes | None:
        """A JPEG of the newest frame of the camera's public (anonymized) HLS, or None."""
        from services.api.console.snapshot import last_frame_jpeg

        playlist = await self.hls.get(f"hls/{camera_id}/index.m3u8")
        names = [ln.strip() for ln in (playlist or b"").decode().splitlines() if ln.strip().endswith(".ts")]
        if not names:
            return None
        segment = await self.hls.get(f"hls/{camera_id}/{names[-1]}")
        return last_frame_jpeg(segment) if segment else None

    async def publish_config(self, version) -> None:
        """The camera directory answers from the new version at once; the config topic publisher
        (when the api runs one, bootstrap) sends it to the services."""
        self.parts.cameras.refresh()
        publisher = self.publisher
        if publisher is None:
            log.warning("configuration version %d stored but not published (no config publisher)", version.version)
            return
        await publisher.publish(version)
