"""Entry point of the `roadcam` command: discovers subcommand modules and dispatches.

A subcommand module `roadcam/cli/cmd_<name>.py` defines `register(subparsers)`, which adds its
parsers with `set_defaults(handler=fn)`; `fn(args) -> int` is the exit code. Modules import heavy
libraries inside their handlers, so `roadcam --help` stays fast.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

import roadcam.cli
from roadcam.common.errors import RoadcamError
from roadcam.common.logs import setup_logging

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roadcam",
        description="roadcam: anonymized public road-camera views, traffic counts and lawful recordings.",
    )
    parser.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING, ERROR")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in sorted(m.name for m in pkgutil.iter_modules(roadcam.cli.__path__)):
        if module.startswith("cmd_"):
            importlib.import_module(f"roadcam.cli.{module}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    setup_logging("roadcam", args.log_level)
    try:
        return int(args.handler(args) or 0)
    except RoadcamError as exc:
        sys.stderr.write(f"roadcam {args.command}: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
