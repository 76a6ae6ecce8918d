"""`roadcam up` hook: HTTP port, SQLite file in the run directory, signing key, first manager."""
from __future__ import annotations

import base64
import secrets
from pathlib import Path

from roadcam.common.devhooks import AUDIT_MASTER_FILE, DevSetup, StackInfo

PASSWORD_FILE = "api-manager-password.txt"
# Read by pydantic-settings from ROADCAM_SECRETS_DIR; the master key is the recorder's own file.
RECORDER_MASTER_KEY_FILE = "secrets/roadcam_recorder_master_key"
API_MASTER_KEY_FILE = "secrets/roadcam_api_master_key"
DOCUMENT_KEY_FILE = "secrets/roadcam_api_document_key"
EXPORT_KEY_FILE = "secrets/roadcam_api_export_signing_key"
# Self-disclosure exports run the detectors in the api (docs/disclosure.md); without them they are refused.
_MODELS = {"YUNET_MODEL": ("face_detection_yunet*.onnx",), "YOLO_MODEL": ("yolov8n*.tflite",)}


def _random_b64() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _secret_files(stack: StackInfo, password: str, audit_master: str) -> dict[str, str]:
    files = {
        PASSWORD_FILE: password + "\n", AUDIT_MASTER_FILE: audit_master,
        DOCUMENT_KEY_FILE: stack.existing(DOCUMENT_KEY_FILE) or _random_b64(),
        EXPORT_KEY_FILE: stack.existing(EXPORT_KEY_FILE) or _random_b64(),
    }
    recorder_key = stack.existing(RECORDER_MASTER_KEY_FILE)
    if recorder_key:  # exports decrypt what the recorder stored (its hook runs before the api's)
        files[API_MASTER_KEY_FILE] = recorder_key
    return files


def _model_env(stack: StackInfo) -> dict[str, str]:
    found = {field: stack.model(*patterns) for field, patterns in _MODELS.items()}
    return {f"ROADCAM_API_REDACTION__{field}": str(path) for field, path in found.items() if path is not None}


def setup(stack: StackInfo) -> DevSetup:
    port = stack.free_port()
    password = stack.existing(PASSWORD_FILE) or secrets.token_urlsafe(18)
    audit_master = stack.existing(AUDIT_MASTER_FILE) or secrets.token_urlsafe(32)  # the recorder may have made it
    public_url = f"http://127.0.0.1:{port}/"
    return DevSetup(
        env={
            "ROADCAM_API_HTTP_HOST": "127.0.0.1",
            "ROADCAM_API_HTTP_PORT": str(port),
            "ROADCAM_API_DATABASE_URL": f"sqlite:///{Path(stack.run_dir) / 'api.sqlite3'}",
            "ROADCAM_API_JWT_SECRET": secrets.token_urlsafe(48),
            "ROADCAM_API_BOOTSTRAP_MANAGER_PASSWORD": password,
            "ROADCAM_API_PUBLIC_URL": public_url,
            **_model_env(stack),
        },
        secret_files=_secret_files(stack, password, audit_master),
        public_url=public_url,
    )
