"""`roadcam up` hook: a master key for the local stack, generated once into its secrets dir."""
from __future__ import annotations

from roadcam.common.devhooks import DevSetup, StackInfo
from services.recorder.crypto import generate_master_key

# Read by pydantic-settings from ROADCAM_SECRETS_DIR (the run directory's secrets/).
MASTER_KEY_FILE = "secrets/roadcam_recorder_master_key"


def setup(stack: StackInfo) -> DevSetup:
    key = stack.existing(MASTER_KEY_FILE) or generate_master_key()
    return DevSetup(secret_files={MASTER_KEY_FILE: key})
