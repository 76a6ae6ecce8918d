"""`roadcam count VIDEO --line X1,Y1,X2,Y2 ...`: count a video file offline.

The file goes through the service's own stages (shared decoder, detector, tracker, counting
lines), so offline counts and the service's counts agree.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CLASSES = ("person", "bicycle", "motorcycle", "car", "bus", "truck")


def _line(text: str) -> tuple[float, float, float, float]:
    try:
        x1, y1, x2, y2 = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a line is X1,Y1,X2,Y2 (four numbers), not {text!r}") from None
    if (x1, y1) == (x2, y2):
        raise argparse.ArgumentTypeError("a line needs two different points")
    return x1, y1, x2, y2


def _anchor(text: str) -> tuple[str, str]:
    name, _, point = text.partition("=")
    if name not in CLASSES or point not in ("bottom_center", "center", "top_center"):
        raise argparse.ArgumentTypeError(f"--anchor is CLASS=bottom_center|center|top_center, not {text!r}")
    return name, point


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("count", help="count traffic crossing lines in a video file")
    p.add_argument("video", type=Path, help="the video file")
    p.add_argument("--line", type=_line, action="append", required=True, metavar="X1,Y1,X2,Y2",
                   help="a counting line in pixels of the video (repeatable)")
    p.add_argument("--model", type=Path, help="detector model (default: $ROADCAM_COUNTER_MODEL)")
    p.add_argument("--fps", type=float, help="frames per second analysed (default: the service's target fps)")
    p.add_argument("--anchor", type=_anchor, action="append", default=[], metavar="CLASS=POINT",
                   help="reference point for a class (default bottom_center)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=count_video)


def count_video(args: argparse.Namespace) -> int:
    from roadcam.common.errors import ConfigError
    from services.counter.detector import YoloDetector
    from services.counter.offline import count_file
    from services.counter.settings import Settings

    settings = Settings()
    if not args.video.is_file():
        raise ConfigError(f"video {args.video} not found")
    tuning = type(settings.counting).model_validate(
        {**settings.counting.model_dump(), "anchors": {**settings.counting.anchors, **dict(args.anchor)}}
    )
    detector = YoloDetector.load(args.model or settings.model, imgsz=settings.imgsz, min_keep=settings.tile_min_keep)
    specs = [(str(i), (x1, y1), (x2, y2)) for i, (x1, y1, x2, y2) in enumerate(args.line)]
    bar = None if args.json else _ProgressBar()
    result = count_file(args.video, specs, detector, args.fps or settings.target_fps, tuning,
                        progress=bar.show if bar else None)
    if bar:
        bar.done()
    report = summarize(result, args.line)
    if args.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(table(report))
    return 0


def summarize(result, lines: list[tuple[float, float, float, float]]) -> dict:
    out = {"frames": result.frames, "seconds": round(result.seconds, 3), "lines": []}
    for i, line in enumerate(lines):
        counts = {"pos": dict.fromkeys(CLASSES, 0), "neg": dict.fromkeys(CLASSES, 0)}
        for c in result.crossings:
            if c.line_id == str(i):
                counts["pos" if c.direction > 0 else "neg"][c.object_class] += 1
        out["lines"].append({"line": [_num(v) for v in line], **counts})
    return out


def table(report: dict) -> str:
    rows = [f"{report['frames']} frames, {report['seconds']:.1f} s of video\n"]
    for entry in report["lines"]:
        rows.append(f"\nline {entry['line']}\n  {'class':<11}{'pos':>6}{'neg':>6}\n")
        for name in CLASSES:
            rows.append(f"  {name:<11}{entry['pos'][name]:>6}{entry['neg'][name]:>6}\n")
        rows.append(f"  {'total':<11}{sum(entry['pos'].values()):>6}{sum(entry['neg'].values()):>6}\n")
    return "".join(rows)


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


class _ProgressBar:
    """Seconds of video done, on stderr; only on a terminal, and only once it takes a while."""

    def __init__(self, after_s: float = 2.0) -> None:
        import time

        self._clock, self._start, self._after = time.monotonic, time.monotonic(), after_s
        self._shown = False

    def show(self, video_s: float) -> None:
        if not sys.stderr.isatty() or self._clock() - self._start < self._after:
            return
        self._shown = True
        dots = "#" * min(40, int(video_s) // 5)
        sys.stderr.write(f"\r  counting [{dots:<40}] {video_s:7.1f} s of video")
        sys.stderr.flush()

    def done(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
