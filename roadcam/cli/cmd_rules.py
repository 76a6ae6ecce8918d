"""`roadcam rules print`: each facility's operation rules 規程 (A8; Tottori 5(5) ア–コ) in Japanese,
from the camera configuration and the api's account list, so the printed rules match the system.

The configuration and database come from the api's settings (ROADCAM_API_CONFIG_FILE,
ROADCAM_API_DATABASE_URL or their secret files); `--config` names another configuration file.
"""
from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    rules = subparsers.add_parser("rules", help="operation rules (規程) printed from the configuration")
    actions = rules.add_subparsers(dest="action", metavar="ACTION", required=True)
    printing = actions.add_parser("print", help="print the 規程 of every camera (or one)")
    printing.add_argument("--camera", help="only this camera id")
    printing.add_argument("--format", choices=("html", "md"), default="md", help="md (default) or printable html")
    printing.add_argument("--config", help="camera configuration file (default: the api's)")
    printing.add_argument("--output", help="write to this file instead of standard output")
    printing.set_defaults(handler=print_rules)


def print_rules(args: argparse.Namespace) -> int:
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from roadcam.common.camconfig import load_config
    from roadcam.common.errors import ConfigError
    from roadcam.common.timeutil import now_us
    from services.api.db.engine import make_engine, migrate
    from services.api.operations.rules_doc import Facts, rules_for
    from services.api.operations.rules_render import config_digest, render
    from services.api.settings import Settings
    from services.api.store.accounts import Accounts

    settings = Settings()
    config_path = Path(args.config or settings.config_file)
    cameras = load_config(config_path).cameras
    if args.camera:
        cameras = [c for c in cameras if c.id == args.camera]
        if not cameras:
            raise ConfigError(f"{config_path}: no camera {args.camera!r}")
    engine = make_engine(settings.database_url.get_secret_value())
    migrate(engine)
    accounts = Accounts(engine).list()
    engine.dispose()
    facts, tz, digest = Facts(settings.offline_after_s, settings.timezone), ZoneInfo(settings.timezone), config_digest(config_path)
    text = render([rules_for(c, accounts, facts, now_us(), tz, digest) for c in cameras], args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
