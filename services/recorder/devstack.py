"""`roadcam up` hook: a master key for the local stack, generated once into its secrets dir."""
from __future__ import annotations

from pathlib import Path

from roadcam.recorder.crypto import generate_master_key


def environment(infra, env: dict[str, str]) -> dict[str, str]:
    secrets = Path(infra.run_dir) / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    path = secrets / "roadcam_recorder_master_key"  # read by pydantic-settings' secrets_dir
    if not path.exists():
        path.write_text(generate_master_key())
        path.chmod(0o600)
    return {}
