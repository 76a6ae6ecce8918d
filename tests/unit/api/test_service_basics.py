"""Health, readiness, metrics, notices, migrations and settings."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import SecretStr, ValidationError

from fastapi.testclient import TestClient

from services.api.app import create_app
from services.api.parts import open_parts
from services.api.auth.roles import Role
from services.api.db.engine import head_revision, make_engine, migrate
from services.api.db.tables import Base
from services.api.settings import Settings
from roadcam.common.errors import RoadcamError
from tests.unit.api.apikit import Api, settings_for


def test_liveness_readiness_metrics(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "alive"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["schema_revision"] == head_revision()
    api.client.get("/api/v1/notices")
    assert api.client.get("/metrics").status_code == 401  # not on the public port for anyone
    metrics = api.client.get("/metrics", headers=api.role_headers()[Role.MANAGER]).text
    assert 'roadcam_api_requests_total{endpoint="notices.list",status="200"}' in metrics
    assert 'roadcam_api_camera_alert{camera="bridge-1",kind="no_report"} 1.0' in metrics


def test_not_ready_while_the_consumers_are_down(api: Api) -> None:
    client = TestClient(create_app(api.parts.settings, api.parts, consumers_running=lambda: False))
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json()["consumers"] is False


def test_public_notice_per_camera(api: Api) -> None:
    notices = {n["camera_id"]: n for n in api.client.get("/api/v1/notices").json()}
    assert notices["bridge-1"]["retention"] == "7 days, then deleted" and notices["bridge-1"]["recorded"] is True
    assert notices["bridge-2"]["retention"] == "not recorded" and notices["bridge-2"]["retention_days"] is None
    one = api.client.get("/api/v1/notices/station-1").json()
    assert (one["operator"], one["contact"]) == ("群馬県 県土整備部", "027-000-0000")
    assert api.client.get("/api/v1/notices/none-such").status_code == 404
    assert api.client.get("/api/v1/notices/BAD!").status_code == 422


def test_migrations_match_the_tables(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    migrate(engine)
    migrate(engine)  # a second start is a no-op
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_a_weak_signing_secret_is_refused(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}").model_copy(update={"jwt_secret": SecretStr("short")})
    with pytest.raises(RoadcamError, match="jwt_secret"):
        open_parts(settings)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROADCAM_API_HTTP_PORT", "9123")
    monkeypatch.setenv("ROADCAM_API_DATABASE_URL", "postgresql+psycopg://u:pw@db/roadcam")
    monkeypatch.setenv("ROADCAM_API_PUBLIC_URL", "http://127.0.0.1:9123/")
    s = Settings()
    assert s.http_port == 9123 and "pw" not in repr(s) and s.public_bucket == "roadcam-public"
    monkeypatch.setenv("ROADCAM_API_HTTP_PORT", "99999")
    with pytest.raises(ValidationError):
        Settings()


def test_first_manager_is_created_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'f.sqlite3'}").model_copy(
        update={"bootstrap_manager_password": SecretStr("first-manager-password")})
    parts = open_parts(settings)
    again = open_parts(settings)
    assert [a.username for a in again.accounts.list()] == ["admin"] and parts.accounts.get("admin").role == "manager"
