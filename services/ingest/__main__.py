"""`python -m services.ingest`: build settings, wire adapters, run until SIGTERM."""
from __future__ import annotations

from roadcam.common.runner import run_service
from services.ingest.bootstrap import bootstrap
from services.ingest.settings import Settings


def main() -> None:
    settings = Settings()
    run_service("ingest", settings, bootstrap)


if __name__ == "__main__":
    main()
