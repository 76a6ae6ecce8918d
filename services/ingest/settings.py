"""Ingest settings: ROADCAM_INGEST_* variables and /run/secrets files."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from roadcam.common.settings import DEFAULT_SECRETS_DIR, ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("ingest")

    camera_secrets_dir: Path = Field(
        Path(DEFAULT_SECRETS_DIR), description="where credentials_secret files live"
    )
    shard_index: int = Field(0, ge=0, description="this replica's shard (StatefulSet ordinal)")
    shard_count: int = Field(1, ge=1, le=1024, description="how many ingest replicas share the cameras")
    batch_max_ms: int = Field(100, ge=0, le=2000, description="longest a packet waits to be batched")
    batch_max_bytes: int = Field(1024 * 1024, ge=1024, le=32 * 1024 * 1024)
    queue_max_packets: int = Field(5000, ge=10, le=1_000_000, description="packets buffered before dropping")
    bus_max_pending_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, le=4 * 1024**3,
        description="unacknowledged bytes held while the bus is away; beyond it video is dropped and counted as a gap",
    )
    bus_send_timeout_s: float = Field(2.0, gt=0, le=60, description="longest a batch waits for room in the producer")
    bus_stall_s: float = Field(5.0, gt=0, le=300, description="unacknowledged this long = not ready")
    health_interval_s: float = Field(2.0, gt=0, le=60)
    reconnect_initial_s: float = Field(0.5, gt=0, le=60, description="first retry delay")
    reconnect_max_s: float = Field(
        8.0, gt=0, le=300, description="longest retry delay; bounds how long a restarted camera stays dark"
    )

    @model_validator(mode="after")
    def _shard_in_range(self) -> "Settings":
        if self.shard_index >= self.shard_count:
            raise ValueError(f"shard_index {self.shard_index} must be below shard_count {self.shard_count}")
        return self
