"""`python -m roadcam.ingest`: build settings, wire adapters, run until SIGTERM."""
from __future__ import annotations

from roadcam.common.runner import run_service
from roadcam.ingest.bootstrap import bootstrap
from roadcam.ingest.settings import Settings


def main() -> None:
    settings = Settings()
    run_service("ingest", settings, bootstrap)


if __name__ == "__main__":
    main()
