"""`roadcam up` hook: a master key for the local stack and the recorder's audit signing key.

Both are generated once into the run directory's secrets (read by pydantic-settings through
ROADCAM_SECRETS_DIR). The audit master is the api's `audit_signing_key`; the recorder holds only
its own derived key, as in production.
"""
from __future__ import annotations

import secrets

from roadcam.common.devhooks import AUDIT_MASTER_FILE, DevSetup, StackInfo
from roadcam.common.signing import service_key
from services.recorder.crypto import generate_master_key

MASTER_KEY_FILE = "secrets/roadcam_recorder_master_key"
AUDIT_KEY_FILE = "secrets/roadcam_recorder_audit_key"


def setup(stack: StackInfo) -> DevSetup:
    key = stack.existing(MASTER_KEY_FILE) or generate_master_key()
    audit_master = stack.existing(AUDIT_MASTER_FILE) or secrets.token_urlsafe(32)
    return DevSetup(secret_files={
        MASTER_KEY_FILE: key,
        AUDIT_MASTER_FILE: audit_master,
        AUDIT_KEY_FILE: service_key(audit_master.encode(), "recorder").hex(),
    })
