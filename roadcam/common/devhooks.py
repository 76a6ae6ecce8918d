"""The typed contract between `roadcam up` and a service's optional `services/<name>/devstack.py`.

A hook is a pure function `setup(stack: StackInfo) -> DevSetup`: it is told where the local
infrastructure is and returns data (variables to set or remove, files to create); the dev stack does
all writing. Production code never imports `roadcam.devstack`; hooks import only this module.
"""
from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The api's audit signing master in the local stack; services get keys derived from it.
AUDIT_MASTER_FILE = "secrets/roadcam_api_audit_signing_key"


@dataclass(frozen=True)
class StackInfo:
    """Where the local stack's infrastructure listens, and its run directory."""

    run_dir: str
    config_file: str
    kafka: str
    redis: str
    s3_endpoint: str
    s3_ca_file: str
    models_dir: str | None = None  # where `roadcam up --models` points

    def model(self, *patterns: str) -> Path | None:
        """The first model file matching any pattern, in pattern order; None without a folder or match."""
        if not self.models_dir:
            return None
        for pattern in patterns:
            found = sorted(Path(self.models_dir).glob(pattern))
            if found:
                return found[0]
        return None

    def existing(self, relative: str) -> str | None:
        """The text of a file a hook created in an earlier run (kept across `roadcam up`), or None."""
        path = Path(self.run_dir) / relative
        return path.read_text().strip() if path.is_file() else None

    free_port = staticmethod(free_port)  # hooks ask the stack info for a port


@dataclass
class DevSetup:
    """What a hook asks of the stack for its service."""

    env: dict[str, str] = field(default_factory=dict)
    unset_prefixes: tuple[str, ...] = ()  # variables to withhold, e.g. credentials a service must not hold (T5)
    secret_files: dict[str, str] = field(default_factory=dict)  # run-dir relative path -> text, created 0600 if absent
    public_url: str | None = None  # what `roadcam up` announces for this service instead of its /readyz
