"""Disclosure settings, mixed into the api's Settings (ROADCAM_API_* variables, /run/secrets files)."""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr


class DisclosureSettings(BaseModel):
    document_key: SecretStr | None = Field(
        None, description="base64 of 32 random bytes sealing request documents (照会書); missing = uploads refused")
    export_signing_key: SecretStr | None = Field(
        None, description="base64 Ed25519 seed signing custody manifests; missing = exports refused")
    export_dir: Path = Field(Path("roadcam-exports"), description="where export packages wait (mode 0600)")
    export_link_hours: float = Field(24.0, gt=0, le=24 * 14, description="lifetime of a one-time download link")
    second_approval: bool = Field(False, description="approval needs a second manager (決裁)")
    recordings_bucket: str = Field("roadcam-recordings", min_length=3, max_length=63,
                                   description="the recorder's bucket (exports read from it)")
    master_key: SecretStr | None = Field(
        None, description="the recorder's master key (exports decrypt with it); missing = exports refused")
    master_key_id: str = Field("local-1", min_length=1, max_length=100, description="name of the master key")
    hold_send_interval_s: float = Field(1.0, gt=0, le=60, description="how often pending hold commands are sent")
