"""`roadcam models fetch [--dir DIR]` and `roadcam models check [--dir DIR]`: the detection models."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    from roadcam.devstack.models import DEFAULT_DIR

    models = subparsers.add_parser("models", help="detection models (not shipped)")
    actions = models.add_subparsers(dest="action", metavar="ACTION", required=True)
    fetch = actions.add_parser("fetch", help="download the default models from upstream, with checksums")
    fetch.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"where to put them (default {DEFAULT_DIR})")
    fetch.set_defaults(handler=fetch_models)
    check = actions.add_parser("check", help="say which models a folder lacks")
    check.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    check.set_defaults(handler=check_models)


def fetch_models(args: argparse.Namespace) -> int:
    from roadcam.devstack.models import FetchError, explain_missing, fetch, missing

    try:
        for path in fetch(args.dir):
            sys.stdout.write(f"  {path}\n")
    except FetchError as exc:
        sys.stderr.write(f"roadcam models fetch: {exc}\n{explain_missing(args.dir, missing(args.dir))}\n")
        return 1
    left = missing(args.dir)
    if left:
        sys.stdout.write(explain_missing(args.dir, left) + "\n")
    sys.stdout.write(f"models in {args.dir}; start with: roadcam up --models {args.dir}\n")
    return 0


def check_models(args: argparse.Namespace) -> int:
    from roadcam.devstack.models import explain_missing, missing

    left = missing(args.dir)
    sys.stdout.write((explain_missing(args.dir, left) if left else f"{args.dir}: all models present") + "\n")
    return 1 if left else 0
