"""`roadcam verify-export CLIP MANIFEST`: check an exported clip offline, as its recipient does.

Checks the Ed25519 signature of the custody manifest, the clip's SHA-256 and size, and the
segment chain the manifest lists. Exit 0 when everything holds, 1 otherwise. Pin the sender's
key with --key-fingerprint (published by the installation) so a re-signed manifest is caught too.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("verify-export", help="verify an exported clip against its signed manifest")
    parser.add_argument("clip", type=Path, help="the exported MP4")
    parser.add_argument("manifest", type=Path, help="its .manifest.json")
    parser.add_argument("--key-fingerprint", default=None, help="expected signing key fingerprint")
    parser.set_defaults(handler=verify_export)


def verify_export(args: argparse.Namespace) -> int:
    from roadcam.common.errors import ConfigError
    from services.api.disclosure.custody import verify

    try:
        clip = args.clip.read_bytes()
        manifest = json.loads(args.manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the clip or manifest: {exc}") from exc
    verdict = verify(clip, manifest, args.key_fingerprint)
    for problem in verdict.problems:
        sys.stdout.write(f"FAILED  {problem}\n")
    if verdict.ok:
        sys.stdout.write(f"OK  request {manifest.get('request_id')}, camera {manifest.get('camera_id')}, "
                         f"{len(manifest.get('segments', []))} segments, signed by key {verdict.key_fingerprint}, "
                         f"exported by {manifest.get('exported_by')} at {manifest.get('exported_at')}\n")
    if verdict.ok and manifest.get("derivative"):  # the segment chain proves the original, not this copy
        sys.stdout.write(f"NOTE  a {manifest['derivative']} copy: the segments prove the original clip "
                         f"{manifest.get('original_mp4_sha256')}; this copy's own hash is the signed mp4_sha256\n")
    return 0 if verdict.ok else 1
