"""Shared helpers for the api tests: a camera config, an app on a real database, signed-in clients."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.api.auth.passwords import hash_password
from services.api.auth.roles import ACCOUNT_ROLES, Role
from services.api.audit_intake import AuditIntake
from services.api.bus_sink import BusSink
from services.api.parts import ApiParts, open_parts
from services.api.settings import Settings
from services.api.store.accounts import StoredAccount
from tests.unit.api.busdata import AUDIT_MASTER

PASSWORD = "correct horse battery staple"
T0_US = int(datetime(2026, 6, 1, 0, 0, tzinfo=timezone.utc).timestamp() * 1_000_000)  # 09:00 JST
_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose; hash once per test session
NOTICE = {"operator": "群馬県 県土整備部", "purpose": "道路管理・交通量調査", "contact": "027-000-0000"}


def camera(cid: str, department: str, *, lines: bool = True, records: bool = False) -> dict:
    cam = {"id": cid, "name": f"Camera {cid}", "source": {"url": f"rtsp://cam.example/{cid}"},
           "purposes": ["road_management", "traffic_survey", "crime_prevention"], "department": department,
           "notice": NOTICE, "retention_days": 7, "recording": {"enabled": records}}
    if lines:
        cam["frame_size"] = [640, 360]
        cam["counting_lines"] = [{"id": "main", "start": [0, 180], "end": [640, 180],
                                  "pos_name": "上り", "neg_name": "下り"}]
    return cam


def write_config(path: Path) -> Path:
    cams = [camera("bridge-1", "roads", records=True), camera("bridge-2", "roads"),
            camera("station-1", "parks", lines=False)]
    cams[0]["monitoring_permitted"] = True  # X5: bridge-1 is watched live (anonymized); the others are not
    cams[2]["purposes"] = ["road_management"]
    path.write_text(yaml.safe_dump({"version": 1, "cameras": cams}, allow_unicode=True))
    return path


class Clock:
    def __init__(self, now_us: int = T0_US) -> None:
        self.now_us = now_us

    def __call__(self) -> int:
        return self.now_us


@dataclass
class Api:
    client: TestClient
    parts: ApiParts
    clock: Clock

    def add_account(self, username: str, role: Role, departments=("*",), expires_us: int | None = None,
                    conditions: str = "") -> None:
        if role is Role.OPERATOR and expires_us is None:
            expires_us = self.clock.now_us + 86_400_000_000
        self.parts.accounts.create(StoredAccount(username, role, tuple(departments), expires_us, conditions, False,
                                               _HASH, self.clock.now_us))

    def sink(self) -> BusSink:
        """Where the bus consumer stores decoded batches."""
        return BusSink(self.parts.counts, self.parts.operations, self.parts.audit,
                       intake=AuditIntake(AUDIT_MASTER), measures=self.parts.measures,
                       view_health=self.parts.view_health)

    def token(self, username: str, password: str = PASSWORD) -> str:
        r = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def headers(self, username: str) -> dict[str, str]:
        """A bearer token issued directly (sign-in itself is tested on its own; argon2 is slow)."""
        token, _ = self.parts.tokens.issue(username, self.clock.now_us / 1e6)
        return {"Authorization": f"Bearer {token}"}

    def role_headers(self) -> dict[Role, dict[str, str]]:
        """One signed-in account per role; the public role sends no credentials."""
        out: dict[Role, dict[str, str]] = {Role.PUBLIC: {}}
        for role in ACCOUNT_ROLES:
            name = f"{role.value}-all"
            if self.parts.accounts.get(name) is None:
                self.add_account(name, role)
            out[role] = self.headers(name)
        return out


def settings_for(tmp_path: Path, database_url: str, **overrides) -> Settings:
    return Settings(config_file=write_config(tmp_path / "cameras.yaml"), database_url=database_url,
                    jwt_secret="x" * 40, consume_bus=False, health_port=0, audit_anchor_dir=tmp_path / "anchors",
                    audit_anchor_every=10, **overrides)


def make_api(tmp_path: Path, database_url: str | None = None, **settings_overrides) -> Api:
    url = database_url or f"sqlite:///{tmp_path / 'api.sqlite3'}"
    settings = settings_for(tmp_path, url, **settings_overrides)
    clock = Clock()
    parts = open_parts(settings, clock)
    client = TestClient(create_app(settings, parts), raise_server_exceptions=False)
    return Api(client, parts, clock)


@pytest.fixture(name="api")
def api_fixture(tmp_path: Path) -> Iterator[Api]:
    """The api on a real SQLite database; the conftests that need it import this one fixture."""
    made = make_api(tmp_path)
    yield made
    made.client.close()
    made.parts.engine.dispose()
