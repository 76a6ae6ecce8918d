"""`python -m roadcam.recorder`: build settings, wire adapters, run until SIGTERM."""
from __future__ import annotations

from roadcam.common.runner import run_service
from roadcam.recorder.bootstrap import bootstrap
from roadcam.recorder.settings import Settings


def main() -> None:
    settings = Settings()
    run_service("recorder", settings, bootstrap)


if __name__ == "__main__":
    main()
