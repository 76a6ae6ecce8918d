"""Settings shared by every service. Each service has one `Settings(ServiceSettings)` of its own.

Values come from `ROADCAM_<SERVICE>_*` environment variables (nested with `__`, e.g.
`ROADCAM_INGEST_KAFKA__BOOTSTRAP_SERVERS`) and from secret files in `/run/secrets` (or
`$ROADCAM_SECRETS_DIR`) named like the variable in lower case, e.g. `roadcam_ingest_redis_url`.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRETS_DIR = "/run/secrets"


def secrets_dir() -> str | None:
    path = os.environ.get("ROADCAM_SECRETS_DIR", DEFAULT_SECRETS_DIR)
    return path if Path(path).is_dir() else None


def service_config(service: str) -> SettingsConfigDict:
    """The pydantic-settings config every service uses; `service` names the env prefix."""
    return SettingsConfigDict(
        env_prefix=f"ROADCAM_{service.upper()}_",
        env_nested_delimiter="__",
        secrets_dir=secrets_dir(),
        extra="forbid",
    )


class KafkaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bootstrap_servers: str = Field("127.0.0.1:9092", description="host:port[,host:port...]")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    ssl_cafile: Path | None = Field(None, description="CA bundle for the brokers' TLS certificates")
    ssl_certfile: Path | None = Field(None, description="client certificate (mTLS, e.g. a Strimzi KafkaUser)")
    ssl_keyfile: Path | None = Field(None, description="client private key (mTLS)")
    partitions: int = Field(12, ge=1, le=1024, description="partitions when roadcam creates a topic")
    replication_factor: int = Field(1, ge=1, le=7)
    max_message_bytes: int = Field(
        8 * 1024 * 1024, ge=64 * 1024, le=64 * 1024 * 1024, description="largest bus message"
    )


class PayloadSettings(BaseModel):
    """Where video bytes travel. `inline`: inside the Kafka message (production Kafka with
    retention). `redis`: claim-check, bytes in Redis with a TTL and a reference on Kafka, so an
    in-memory broker that never deletes (the local stack) stays small."""

    model_config = ConfigDict(extra="forbid")

    mode: Literal["inline", "redis"] = "inline"
    ttl_seconds: int = Field(120, ge=5, le=3600, description="claim-check lifetime in Redis")


class S3Settings(BaseModel):
    """Object storage (MinIO in production). The secret key is `s3_secret_key` on the service."""

    model_config = ConfigDict(extra="forbid")

    endpoint: str = Field("127.0.0.1:9000", description="host:port, no scheme")
    secure: bool = Field(True, description="TLS; required for object lock")
    ca_file: Path | None = Field(None, description="CA bundle for a private certificate")
    access_key: str = "roadcam"
    region: str = "us-east-1"


class ServiceSettings(BaseSettings):
    """Fields every service has. Subclasses set `model_config = service_config("<name>")`."""

    instance: str = Field(default_factory=socket.gethostname, description="this replica's name")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    config_file: Path = Field(Path("cameras.yaml"), description="the camera configuration YAML")
    health_host: str = "0.0.0.0"
    health_port: int = Field(0, ge=0, le=65535, description="/healthz, /readyz, /metrics; 0 = off")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    kafka_sasl_password: SecretStr | None = None
    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")
    payload: PayloadSettings = Field(default_factory=PayloadSettings)

    @classmethod
    def service_name(cls) -> str:
        """`counter` for ROADCAM_COUNTER_ (the env prefix names the service)."""
        return str(cls.model_config.get("env_prefix", "ROADCAM_")).removeprefix("ROADCAM_").rstrip("_").lower()


class ConsumerSettings(ServiceSettings):
    """A service that reads the bus as a consumer group (every service but ingest)."""

    group_id: str = Field(
        "", max_length=200, description="Kafka consumer group shared by the replicas; empty = roadcam-<service>"
    )
    session_timeout_ms: int = Field(10_000, ge=1000, le=300_000, description="Kafka consumer session timeout")

    @model_validator(mode="after")
    def _default_group(self) -> "ConsumerSettings":
        if not self.group_id:
            self.group_id = f"roadcam-{self.service_name()}"
        return self


class StorageSettings(BaseModel):
    """Mixin for services that reach object storage (anonymizer, recorder, api)."""

    s3: S3Settings = Field(default_factory=S3Settings)
    s3_secret_key: SecretStr = Field(SecretStr(""), description="object storage secret key")
