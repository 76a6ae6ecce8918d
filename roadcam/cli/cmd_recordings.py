"""`roadcam recordings verify|export|break-glass`: check stored footage, or take it out lawfully.

    verify CAMERA --from T --to T      chain and integrity report (recorder settings)
    export --request N --as USER --out DIR
        the api's export path for an approved data-provision request: the same checks (role,
        department, approval), the same signed package and audit entries as the console
    break-glass CAMERA --from T --to T --out FILE --as MANAGER --reason TEXT
        reads footage with the master key alone, for when the api cannot serve a lawful request;
        written to the api's audit log before anything is read (no audit, no footage)

Storage comes from the recorder's ROADCAM_RECORDER_* settings, the api's database and disclosure
keys from ROADCAM_API_*. Times are ISO 8601 or epoch µs; a time without a zone is local time
(--tz, default Asia/Tokyo), never UTC. Files are written mode 0600.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    rec = subparsers.add_parser("recordings", help="verify or export encrypted recordings")
    actions = rec.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="report OK, gaps, missing segments or tampering")
    export = actions.add_parser("export", help="export an approved request's footage (signed package)")
    glass = actions.add_parser("break-glass", help="read footage with the master key alone (audited)")
    for parser in (verify, glass):
        parser.add_argument("camera", help="camera id")
        parser.add_argument("--from", dest="start", required=True, type=parse_time, help="range start")
        parser.add_argument("--to", dest="end", required=True, type=parse_time, help="range end")
        parser.add_argument("--tz", default="Asia/Tokyo", help="zone of times given without one")
    export.add_argument("--request", required=True, type=int, help="the approved provision request (required)")
    export.add_argument("--as", dest="actor", required=True, help="your operator or manager account")
    export.add_argument("--out", required=True, type=Path, help="folder for the package(s)")
    glass.add_argument("--out", required=True, type=Path, help="MP4 path; the manifest goes beside it")
    glass.add_argument("--as", dest="actor", required=True, help="your manager account")
    glass.add_argument("--reason", required=True, help="why the lawful path cannot be used (audited)")
    verify.set_defaults(handler=verify_recordings)
    export.set_defaults(handler=export_recordings)
    glass.set_defaults(handler=break_glass)


def parse_time(text: str) -> int | str:
    """Epoch microseconds, or the ISO text (checked now, resolved with --tz once it is known)."""
    if text.isdigit():
        return int(text)
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (ISO 8601 or epoch µs)") from None
    return text


def to_us(value: int | str, tz_name: str) -> int:
    """A time without a zone is local time in `tz_name`, never UTC."""
    from zoneinfo import ZoneInfo

    if isinstance(value, int):
        return value
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(tz_name))
    return int(when.timestamp() * 1_000_000)


def _check_range(args: argparse.Namespace) -> None:
    from roadcam.common.errors import ConfigError

    args.start, args.end = to_us(args.start, args.tz), to_us(args.end, args.tz)
    if args.end <= args.start:
        raise ConfigError(f"--to ({args.end}) must be after --from ({args.start})")


def _open():
    from services.recorder.bootstrap import open_store
    from services.recorder.settings import Settings

    store, keyring, _ = open_store(Settings())
    return store, keyring


def verify_recordings(args: argparse.Namespace) -> int:
    from services.recorder.verify import verify_range

    _check_range(args)
    store, keyring = _open()
    report = verify_range(store, keyring, args.camera, args.start, args.end)
    for finding in report.findings:
        sys.stdout.write(f"{finding.kind.upper():10} {finding.object_key}: {finding.detail}\n")
    sys.stdout.write(f"{args.camera}: {report.status}, {len(report.segments)} segments verified, "
                     f"{len(report.findings)} findings\n")
    return 0 if report.status == "OK" else 1


def export_recordings(args: argparse.Namespace) -> int:
    from roadcam.cli.lawful_export import export_request

    for line in export_request(args.request, args.actor, args.out):
        sys.stdout.write(line + "\n")
    return 0


def break_glass(args: argparse.Namespace) -> int:
    from roadcam.cli.lawful_export import break_glass_export

    _check_range(args)
    store, keyring = _open()
    line = break_glass_export(store, keyring, args.camera, args.start, args.end, args.out, args.actor, args.reason)
    sys.stdout.write(line + "\n")
    return 0
