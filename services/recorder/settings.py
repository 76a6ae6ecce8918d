"""Recorder settings: ROADCAM_RECORDER_* variables and /run/secrets files."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from roadcam.common.settings import ConsumerSettings, StorageSettings, service_config


class Settings(ConsumerSettings, StorageSettings):
    model_config = service_config("recorder")

    master_key: SecretStr | None = Field(
        None, description="base64 of 32 random bytes wrapping the data keys; missing = refuse to record")
    audit_key: SecretStr | None = Field(
        None, description="hex of this service's audit signing key, service_key(api audit_signing_key, 'recorder'); "
        "missing = audit events go out unsigned, the api refuses them and the recorder is not ready")
    master_key_id: str = Field("local-1", min_length=1, max_length=100, description="name of the master key")
    bucket: str = Field("roadcam-recordings", min_length=3, max_length=63, description="recordings bucket")
    buffer_max_bytes: int = Field(
        512 * 1024 * 1024, ge=1024 * 1024, le=64 * 1024 ** 3,
        description="encrypted segments held in memory while S3 is unreachable")
    spool_dir: Path | None = Field(
        None, description="where encrypted segments spill when the memory buffer is full; none = no spill")
    spool_max_bytes: int = Field(
        8 * 1024 ** 3, ge=0, le=4 * 1024 ** 4, description="spill limit; beyond it the consumer pauses")
    retry_max_s: float = Field(30.0, gt=0, le=600, description="longest wait between S3 retries")
    s3_timeout_s: float = Field(10.0, gt=0, le=120, description="connect/read timeout of one S3 request")
    sweep_interval_s: float = Field(3600.0, ge=1, le=86_400, description="how often the retention sweeper runs")
    sweep_retry_s: float = Field(
        300.0, ge=1, le=86_400, description="first retry after a sweep with failures (doubling up to the interval)")
    verify_interval_s: float = Field(
        3600.0, ge=10, le=86_400, description="how often each camera's recent chain is verified (integrity check)")
    verify_window_s: float = Field(
        3600.0, ge=10, le=7 * 86_400, description="how far back the scheduled integrity check verifies")
    orphan_retention_days: int = Field(
        7, ge=1, le=31, description="retention for recordings of cameras no longer configured")
