"""`python -m roadcam.counter`: build settings, wire adapters, run until SIGTERM."""
from __future__ import annotations

from roadcam.common.runner import run_service
from roadcam.counter.bootstrap import bootstrap
from roadcam.counter.settings import Settings


def main() -> None:
    settings = Settings()
    run_service("counter", settings, bootstrap)


if __name__ == "__main__":
    main()
