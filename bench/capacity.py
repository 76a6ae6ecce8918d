"""Capacity: add cameras to a whole local stack until a service falls behind.

    python bench/capacity.py [--max 6] [--seconds 90] [--source 720p|360p]

Step k runs `roadcam up` with k RTSP cameras (all services: ingest, anonymizer public view,
counter at its analysis rate, recorder, api) for --seconds after warm-up, then checks each
service: ingest receives the camera's frame rate, the anonymizer keeps every view live (not
"behind"), the recorder stores segments as fast as they are recorded with nothing buffered, the
counter keeps processing. The first step where one falls behind ends the search. Per step it
prints the CPU (cores) each process used, so the figure per service and per core follows.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.support.rtsp import RtspCamera  # noqa: E402
from tests.system.stack import SystemStack, camera_entry, wait_until  # noqa: E402

VIDEOS = REPO.parent / "shared" / "data" / "videos"
MODELS = REPO.parent / "shared" / "data" / "models"
SOURCES = {"720p": ((1280, 720), None), "360p": ((640, 360), "scale=640:360")}


def prepare(work: Path, source: str, seconds: float) -> Path:
    size, scale = SOURCES[source]
    out = work / f"{source}.mp4"
    argv = ["ffmpeg", "-loglevel", "error", "-stream_loop", str(int(seconds / 5) + 2), "-i", str(VIDEOS / "bridge_dense_5s.mp4")]
    argv += (["-vf", scale, "-c:v", "libx264", "-preset", "veryfast", "-g", "30"] if scale else ["-c", "copy"])
    subprocess.run([*argv, "-an", str(out)], check=True)
    return out


def cpu_seconds(stack: SystemStack) -> dict[str, float]:
    used = {}
    for name, pid in stack.state()["children"].items():
        try:
            t = psutil.Process(pid).cpu_times()
            used[name] = t.user + t.system
        except psutil.Error:
            pass
    return used


def behind(stack: SystemStack, cameras: list[str], fps: float, recorded_before: dict, seconds: float) -> list[str]:
    """What fell behind during the measured window (empty = kept up)."""
    problems = []
    _, ingest = stack.ready("ingest")
    for cam in cameras:
        health = stack.camera_health(cam)
        if float(health.get("fps", 0)) < 0.9 * fps:
            problems.append(f"ingest {cam} at {health.get('fps')} fps")
    _, anon = stack.ready("anonymizer")
    for cam, info in anon.get("cameras", {}).items():
        if isinstance(info, dict) and not info.get("live"):
            problems.append(f"anonymizer {cam}: {info.get('reason')}")
    _, rec = stack.ready("recorder")
    # One closed segment per camera may be on its way to S3 at any moment; more means S3 is not keeping up.
    if int(rec.get("buffered_segments") or 0) > len(cameras):
        problems.append(f"recorder buffering {rec.get('buffered_segments')} segments")
    for cam in cameras:
        new = [s for s in stack.recorded(cam) if s not in recorded_before[cam]]
        stored = sum(e - s for s, e in new) / 1e6
        if stored < 0.6 * seconds:
            problems.append(f"recorder {cam}: {stored:.0f} s stored in {seconds:.0f} s")
    ready, counter = stack.ready("counter")
    if not ready:
        problems.append(f"counter not ready: {counter}")
    return problems


def step(k: int, clip: Path, size, seconds: float, work: Path) -> dict:
    names = [f"cam{i}" for i in range(k)]
    rtsp = RtspCamera({n: clip for n in names}, work / f"logs{k}")
    rtsp.start()
    stack = SystemStack(work / f"stack{k}", [camera_entry(n, rtsp.url(n), size) for n in names], MODELS)
    try:
        stack.start()
        wait_until(lambda: stack.all_ready(["ingest", "anonymizer", "counter", "recorder"]), 180, 2, "stack ready")
        time.sleep(30)  # warm-up: models loaded, first segments out
        before, recorded = cpu_seconds(stack), {n: set(stack.recorded(n)) for n in names}
        started = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - started
        after = cpu_seconds(stack)
        cores = {n: round((after[n] - before.get(n, 0)) / elapsed, 3) for n in after}
        return {"cameras": k, "cores": cores, "total_cores": round(sum(cores.values()), 2),
                "behind": behind(stack, names, 30.0, recorded, elapsed)}
    finally:
        stack.stop()
        rtsp.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--source", choices=sorted(SOURCES), default="720p")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "capacity.json")
    args = parser.parse_args()
    out, steps = sys.stdout, []
    with tempfile.TemporaryDirectory(prefix="roadcam-capacity-") as tmp:
        work = Path(tmp)
        clip = prepare(work, args.source, args.seconds + 300)
        for k in range(1, args.max + 1):
            result = step(k, clip, SOURCES[args.source][0], args.seconds, work)
            steps.append(result)
            out.write(f"{k} x {args.source}: total {result['total_cores']} cores "
                      f"{json.dumps(result['cores'])}; behind: {result['behind'] or 'nothing'}\n")
            out.flush()
            if result["behind"]:
                break
    kept = [s["cameras"] for s in steps if not s["behind"]]
    out.write(f"capacity ({args.source}, {psutil.cpu_count()} CPUs, shared machine load included): "
              f"{max(kept) if kept else 0} cameras kept up\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"source": args.source, "steps": steps}, indent=2))


if __name__ == "__main__":
    main()
