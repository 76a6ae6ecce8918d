"""`roadcam anonymize INPUT --out DIR`: the service's anonymization on images, folders or videos."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("anonymize", help="anonymize an image, a folder of images or a video (offline)")
    p.add_argument("input", type=Path, help="image, directory of images, or video file")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--camera-config", type=Path, help="camera YAML: privacy masks, blur_persons")
    p.add_argument("--camera", help="camera id in --camera-config (default: the first)")
    p.add_argument("--width", type=int, default=640, help="output width in pixels (default 640)")
    for name in ("yunet", "plate", "yolo", "centerface"):
        p.add_argument(f"--{name}-model", type=Path, help=f"{name} model file (default: from settings)")
    p.set_defaults(handler=anonymize)


def anonymize(args: argparse.Namespace) -> int:
    from services.anonymizer.offline import OfflineJob

    job = OfflineJob.from_args(args)
    written = job.run(args.input, args.out)
    sys.stdout.write(f"{written} file(s) written to {args.out}\n")
    return 0
