"""`python -m services.recorder`: build settings, wire adapters, run until SIGTERM."""
from __future__ import annotations

from roadcam.common.runner import run_service
from services.recorder.bootstrap import bootstrap
from services.recorder.settings import Settings


def main() -> None:
    settings = Settings()
    run_service("recorder", settings, bootstrap)


if __name__ == "__main__":
    main()
