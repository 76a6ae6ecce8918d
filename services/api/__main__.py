"""`python -m services.api`: build settings, wire adapters, serve until SIGTERM."""
from __future__ import annotations

from services.api.bootstrap import bootstrap
from services.api.settings import Settings
from roadcam.common.runner import run_service


def main() -> None:
    settings = Settings()
    run_service("api", settings, bootstrap)


if __name__ == "__main__":
    main()
