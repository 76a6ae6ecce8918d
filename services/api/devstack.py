"""`roadcam up` hook: HTTP port, SQLite file in the run directory, signing key, first manager."""
from __future__ import annotations

import secrets
from pathlib import Path

from roadcam.common.devhooks import AUDIT_MASTER_FILE, DevSetup, StackInfo

PASSWORD_FILE = "api-manager-password.txt"


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
        },
        secret_files={PASSWORD_FILE: password + "\n", AUDIT_MASTER_FILE: audit_master},
        public_url=public_url,
    )
