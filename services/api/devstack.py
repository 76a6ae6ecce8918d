"""`roadcam up` hook: HTTP port, SQLite file in the run directory, signing key, first manager."""
from __future__ import annotations

import secrets
from pathlib import Path

from roadcam.devstack.processes import free_port


def environment(infra, env: dict[str, str]) -> dict[str, str]:
    run_dir = Path(infra.run_dir)
    port = free_port()
    password_file = run_dir / "api-manager-password.txt"
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(18) + "\n")
        password_file.chmod(0o600)
    return {
        "ROADCAM_API_HTTP_HOST": "127.0.0.1",
        "ROADCAM_API_HTTP_PORT": str(port),
        "ROADCAM_API_DATABASE_URL": f"sqlite:///{run_dir / 'api.sqlite3'}",
        "ROADCAM_API_JWT_SECRET": secrets.token_urlsafe(48),
        "ROADCAM_API_BOOTSTRAP_MANAGER_PASSWORD": password_file.read_text().strip(),
        "ROADCAM_API_PUBLIC_URL": f"http://127.0.0.1:{port}/",
    }
