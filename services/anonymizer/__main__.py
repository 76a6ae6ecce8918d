"""`python -m services.anonymizer`: build settings, wire adapters, run until SIGTERM."""
from __future__ import annotations

from services.anonymizer.bootstrap import bootstrap
from services.anonymizer.settings import Settings
from roadcam.common.runner import run_service


def main() -> None:
    settings = Settings()
    run_service("anonymizer", settings, bootstrap)


if __name__ == "__main__":
    main()
