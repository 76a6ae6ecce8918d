"""`roadcam config check FILE`: validate a camera configuration.
`roadcam config export [--out FILE]` / `roadcam config import FILE --reason WHY`: the api's versioned
configuration (the database of ROADCAM_API_DATABASE_URL); export gives back byte for byte what
import stored, so the YAML file stays the GitOps format."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    config = subparsers.add_parser("config", help="camera configuration tools")
    actions = config.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate a camera configuration file")
    check.add_argument("file", help="the YAML file")
    check.set_defaults(handler=check_config)
    export = actions.add_parser("export", help="write the api's current configuration as YAML")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.set_defaults(handler=export_config)
    load = actions.add_parser("import", help="store a YAML file as the api's next configuration version")
    load.add_argument("file", type=Path)
    load.add_argument("--reason", required=True, help="why (kept with the version and in the audit log)")
    load.set_defaults(handler=import_config)


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


def _versions():
    from services.api.console.config_versions import ConfigVersions
    from services.api.db.engine import make_engine, migrate
    from services.api.settings import Settings

    engine = make_engine(Settings().database_url.get_secret_value())
    migrate(engine)
    return engine, ConfigVersions(engine)


def export_config(args: argparse.Namespace) -> int:
    from roadcam.common.errors import ConfigError

    _, versions = _versions()
    latest = versions.latest()
    if latest is None:
        raise ConfigError("the api stores no configuration yet; `roadcam config import FILE --reason ...` first")
    data = latest.document.encode("utf-8")
    if args.out:
        args.out.write_bytes(data)
        sys.stderr.write(f"version {latest.version} written to {args.out}\n")
    else:
        sys.stdout.buffer.write(data)
    return 0


def import_config(args: argparse.Namespace) -> int:
    from roadcam.common.errors import ConfigError
    from roadcam.common.timeutil import now_us
    from services.api.audit_trail import system_record
    from services.api.store.audit import AuditLog

    try:
        text = args.file.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{args.file}: cannot read: {exc}") from None
    engine, versions = _versions()
    actor = os.environ.get("SUDO_USER") or getpass.getuser()  # who ran the command, as the OS knows them
    stored = versions.add(text, actor, args.reason, now_us())
    AuditLog(engine).append(system_record(actor, "config_change", args.reason, now_us(), "cli roadcam config import",
                                          version=str(stored.version), diff=stored.diff[:20000]))
    sys.stdout.write(f"{args.file}: stored as configuration version {stored.version}\n")
    return 0
