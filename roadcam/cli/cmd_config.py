"""`roadcam config check FILE`: validate a camera configuration."""
from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help="camera configuration tools")
    actions = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate a camera configuration file")
    check.add_argument("file", help="the YAML file")
    check.set_defaults(handler=check_config)


def check_config(args: argparse.Namespace) -> int:
    from roadcam.common.camconfig import load_config

    config = load_config(args.file)  # ConfigError -> exit 2 with the message, in main()
    for cam in config.cameras:
        sys.stdout.write(
            f"  {cam.id}: {', '.join(cam.purposes)}; retention {cam.retention_days} d; "
            f"{len(cam.counting_lines)} lines, {len(cam.privacy_masks)} masks"
            f"{'; recorded' if cam.records else ''}\n"
        )
    sys.stdout.write(f"{args.file}: OK, {len(config.cameras)} cameras\n")
    return 0
