"""Api settings: ROADCAM_API_* variables and /run/secrets files."""
from __future__ import annotations


from pathlib import Path

from pydantic import Field, SecretStr

from roadcam.common.settings import ConsumerSettings, StorageSettings, service_config
from services.api.disclosure.settings import DisclosureSettings


class Settings(ConsumerSettings, StorageSettings, DisclosureSettings):
    model_config = service_config("api")

    public_bucket: str = Field("roadcam-public", min_length=3, max_length=63, description="public HLS bucket")
    public_url: str | None = Field(None, max_length=500, description="where the public page is reachable")
    database_url: SecretStr = Field(
        SecretStr("sqlite:///roadcam-api.sqlite3"),
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user:pw@host/db",
    )
    jwt_secret: SecretStr = Field(
        SecretStr(""), description="HS256 signing key for bearer tokens; at least 32 characters"
    )
    token_minutes: int = Field(15, ge=1, le=720, description="bearer token lifetime (short-lived)")
    http_host: str = Field("0.0.0.0", description="address the HTTP API listens on")
    http_port: int = Field(8080, ge=0, le=65535, description="HTTP API port")
    http_threads: int = Field(
        4, ge=1, le=256, description="worker threads for request handlers; few: the work is CPU and GIL bound"
    )
    bootstrap_manager: str = Field("admin", min_length=1, max_length=64, description="first manager account")
    bootstrap_manager_password: SecretStr | None = Field(
        None, description="creates the first manager when no account exists yet"
    )
    login_failures_max: int = Field(5, ge=1, le=100, description="failed logins per window before 429")
    login_window_s: int = Field(300, ge=10, le=86400, description="login failure window")
    offline_after_s: float = Field(30.0, gt=0, le=3600, description="health older than this = offline")
    config_check_s: float = Field(2.0, ge=0.1, le=300, description="how often the camera directory looks for a "
                                  "newer saved configuration version")
    consume_bus: bool = Field(True, description="run the bus consumers (off for a read-only replica)")
    timezone: str = Field("Asia/Tokyo", max_length=64, description="local time zone for bins and CSV")
    open_data_license: str = Field("CC BY 4.0", max_length=100, description="license stated on open data")
    audit_signing_key: SecretStr | None = Field(
        None, description="master key of signed bus audit events; each service gets service_key(master, name); "
        "missing = every audit event from the bus is refused")
    audit_anchor_bucket: str | None = Field(
        None, min_length=3, max_length=63, description="S3 bucket (object lock) for anchors of the audit chain head")
    audit_anchor_dir: Path | None = Field(None, description="else write-once anchor files here (a separate mount)")
    audit_anchor_every: int = Field(100, ge=1, le=100_000, description="anchor the head at least every N entries")
    map_tile_url: str = Field("https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png", max_length=500,
                              description="public map tiles (default GSI 地理院タイル); the map works without them")
    map_attribution: str = Field('<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>',
                                 max_length=500, description="attribution shown on the public map")
