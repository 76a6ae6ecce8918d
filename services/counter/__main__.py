"""`python -m services.counter`: build settings, wire adapters, run until SIGTERM."""
from __future__ import annotations

from roadcam.common.runner import run_service
from services.counter.bootstrap import bootstrap
from services.counter.settings import Settings


def main() -> None:
    settings = Settings()
    run_service("counter", settings, bootstrap)


if __name__ == "__main__":
    main()
