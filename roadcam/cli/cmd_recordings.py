"""`roadcam recordings verify|export CAMERA --from T --to T`: check or export stored footage.

Storage settings come from the recorder's ROADCAM_RECORDER_* variables / secret files (S3
endpoint, keys, master key). Times are ISO 8601 (`2026-11-22T10:00:00+09:00`) or epoch µs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    rec = subparsers.add_parser("recordings", help="verify or export encrypted recordings")
    actions = rec.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="report OK, gaps, missing segments or tampering")
    export = actions.add_parser("export", help="write a decrypted MP4 and its manifest")
    for parser in (verify, export):
        parser.add_argument("camera", help="camera id")
        parser.add_argument("--from", dest="start", required=True, type=parse_time, help="range start")
        parser.add_argument("--to", dest="end", required=True, type=parse_time, help="range end")
    export.add_argument("--out", required=True, type=Path, help="MP4 path; the manifest goes beside it")
    verify.set_defaults(handler=verify_recordings)
    export.set_defaults(handler=export_recordings)


def parse_time(text: str) -> int:
    """ISO 8601 (naive = UTC) or integer epoch microseconds -> epoch microseconds."""
    if text.isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (ISO 8601 or epoch µs)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return int(when.timestamp() * 1_000_000)


def _check_range(args: argparse.Namespace) -> None:
    from roadcam.common.errors import ConfigError

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
    from services.recorder.export import export_clip

    _check_range(args)
    store, keyring = _open()
    export = export_clip(store, keyring, args.camera, args.start, args.end)
    args.out.write_bytes(export.mp4)
    manifest = args.out.with_suffix(".manifest.json")
    manifest.write_text(json.dumps(export.manifest, indent=2))
    sys.stdout.write(f"{args.out} ({len(export.mp4)} bytes), {manifest}: {export.manifest['verify_status']}\n")
    return 0
