"""Counter benchmark: our pipeline vs Ultralytics `solutions.ObjectCounter`, same model, same
clips, one run. Prints throughput (decoded frames/s, video-seconds per wall-second), the
ratio, and both sets of counts against the hand-counted ground truth; then the service's
engine on 4 cameras x 10 fps (CPU and fps).

    python bench/counter.py [--data ../shared/data] [--model PATH] [--fps 10] [--repeat 2] [--lowres] [--skip-service] [--ours-only]

Clips: the two in ../shared/data/ground_truth and the hand counts in tests/data/handcounts
(freeway_overhead_33s at 320x240, motorway_nl_overpass_11s, highway_curve_7s). `--lowres` also
counts downscaled copies (320 and 352 px wide, made with ffmpeg) of every clip wider than that.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import av
import numpy as np
import psutil

REPO = Path(__file__).resolve().parent.parent
COUNTED = ["person", "bicycle", "car", "motorcycle", "bus", "truck"]
MOTOR = ("car", "bus", "truck", "motorcycle")


HANDCOUNTS = REPO / "tests" / "data" / "handcounts"


def load_clips(data: Path) -> list[dict]:
    clips = []
    files = sorted((data / "ground_truth").glob("*.gt.json")) + sorted(HANDCOUNTS.glob("*.hc.json"))
    for gt_file in files:
        gt = json.loads(gt_file.read_text())
        line = (*gt["line"]["p1"], *gt["line"]["p2"])
        if "down" in gt.get("directions", {}):  # vehicles: totals per direction; down = POS for these lines
            t = gt["totals"]
            truth = {"pos": {"motor": t["down"]["all_motor_vehicles"]}, "neg": {"motor": t["up"]["all_motor_vehicles"]}}
        else:  # L->R is NEG for the vertical line (x2-x1=0, y2-y1>0)
            t = gt["totals"]
            truth = {"neg": {k: t["L->R"][k] for k in ("person", "bicycle")},
                     "pos": {k: t["R->L"][k] for k in ("person", "bicycle")}}
        name = gt_file.name.removesuffix(".gt.json").removesuffix(".hc.json")
        clips.append({"name": name, "path": data / gt["video"], "line": line, "truth": truth})
    return clips


def score(counts: dict[str, Counter], truth: dict) -> tuple[float, str]:
    """Worst per-direction accuracy (1 - |error|/truth) and a readable comparison."""
    worst, parts = 1.0, []
    for side in ("pos", "neg"):
        for key, want in truth[side].items():
            got = sum(counts[side][c] for c in MOTOR) if key == "motor" else counts[side][key]
            acc = 1 - abs(got - want) / want if want else (1.0 if got == 0 else 0.0)
            worst = min(worst, acc)
            parts.append(f"{side} {key} {got}/{want}")
    return worst, ", ".join(parts)


def run_ours(path: Path, line, model: Path, fps: float) -> tuple[dict, int, float, float]:
    from services.counter.detector import YoloDetector
    from services.counter.offline import count_file

    detector = YoloDetector.load(model)
    started = time.perf_counter()
    result = count_file(path, [("l", tuple(line[:2]), tuple(line[2:]))], detector, fps)
    wall = time.perf_counter() - started
    counts = {"pos": Counter(), "neg": Counter()}
    for c in result.crossings:
        counts["pos" if c.direction > 0 else "neg"][c.object_class] += 1
    return counts, result.frames, result.seconds, wall


def run_ultralytics(path: Path, line, model: Path, fps: float | None = None) -> tuple[dict, int, float, float]:
    """ObjectCounter on every frame, or (fps) on frames sampled like our decoder stage does."""
    from ultralytics import solutions

    x1, y1, x2, y2 = line
    counter = solutions.ObjectCounter(model=str(model), region=[(x1, y1), (x2, y2)], classes=[0, 1, 2, 3, 5, 7],
                                      show=False, verbose=False)
    # ObjectCounter's IN is "moving right" for a vertical line, "moving down" otherwise; our POS
    # is the side where (x2-x1)(y-y1) - (y2-y1)(x-x1) > 0.
    vertical = abs(x1 - x2) < abs(y1 - y2)
    step = (1, 0) if vertical else (0, 1)
    in_is_pos = (x2 - x1) * step[1] - (y2 - y1) * step[0] > 0
    with av.open(str(path)) as container:  # warm-up outside the timing, as our detector does on load
        ctx = container.streams.video[0].codec_context
        counter(np.zeros((ctx.height, ctx.width, 3), np.uint8))
    started, frames = time.perf_counter(), 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        rate, next_t = float(stream.average_rate), 0.0
        for frame in container.decode(stream):
            t = frames / rate
            frames += 1
            if fps is None or t + 1e-6 >= next_t:
                next_t += 1 / fps if fps else 0
                result = counter(frame.to_ndarray(format="bgr24"))
        seconds = frames / rate
    wall = time.perf_counter() - started
    counts = {"pos": Counter(), "neg": Counter()}
    for name, c in result.classwise_count.items():
        counts["pos" if in_is_pos else "neg"][name] += c.get("IN", 0)
        counts["neg" if in_is_pos else "pos"][name] += c.get("OUT", 0)
    return counts, frames, seconds, wall


def best_of(run, repeat: int) -> tuple[dict, int, float, float, float]:
    """Best wall and CPU time of `repeat` runs (the cores are shared: the best run is the least disturbed)."""
    proc, best = psutil.Process(), None
    for _ in range(repeat):
        cpu0 = proc.cpu_times()
        counts, frames, seconds, wall = run()
        cpu1 = proc.cpu_times()
        cpu = cpu1.user - cpu0.user + cpu1.system - cpu0.system
        best = (counts, frames, seconds, min(wall, best[3]) if best else wall, min(cpu, best[4]) if best else cpu)
    return best


def compare(clips: list[dict], model: Path, fps: float, repeat: int, ours_only: bool = False) -> None:
    who_all = ("ultralytics", f"ultra@{fps:g}fps", "ours")
    totals = {w: [0, 0.0, 0.0, 0.0] for w in who_all}  # frames, video s, wall s, CPU s
    accuracy = {w: [] for w in who_all}
    for clip in clips:
        sys.stdout.write(f"\n{clip['name']} ({clip['path'].name}), line {list(clip['line'])}\n")
        for who, run in (("ultralytics", lambda: run_ultralytics(clip["path"], clip["line"], model)),
                         (who_all[1], lambda: run_ultralytics(clip["path"], clip["line"], model, fps)),
                         ("ours", lambda: run_ours(clip["path"], clip["line"], model, fps)))[2 if ours_only else 0:]:
            counts, frames, seconds, wall, cpu = best_of(run, repeat)
            totals[who] = [a + b for a, b in zip(totals[who], (frames, seconds, wall, cpu))]
            line = (f"  {who:<12} {frames / wall:6.1f} decoded frames/s  {seconds / wall:5.2f} video-s/s  "
                    f"{seconds / cpu:5.2f} video-s/CPU-s  pos {dict(counts['pos'])} neg {dict(counts['neg'])}")
            if clip.get("truth"):
                acc, text = score(counts, clip["truth"])
                accuracy[who].append(acc)
                line += f"\n  {'':<12} vs ground truth: {text}  (worst direction {acc:.0%})"
            sys.stdout.write(line + "\n")
    sys.stdout.write(f"\nall clips (best of {repeat} runs each):\n")
    for who in who_all[2 if ours_only else 0:]:
        frames, seconds, wall, cpu = totals[who]
        acc = min(accuracy[who]) if accuracy[who] else float("nan")
        sys.stdout.write(f"  {who:<12} {frames / wall:6.1f} decoded frames/s  {seconds / wall:5.2f} video-s/s  "
                         f"{seconds / cpu:5.2f} video-s/CPU-s  worst accuracy {acc:.0%}\n")
    o = totals["ours"]
    for who in who_all[:0 if ours_only else 2]:
        u = totals[who]
        sys.stdout.write(f"  throughput ratio ours / {who}: {(o[1] / o[2]) / (u[1] / u[2]):.2f}x video-seconds per "
                         f"wall-second, {(o[1] / o[3]) / (u[1] / u[3]):.2f}x per CPU-second\n")


def lowres_clips(clips: list[dict], data: Path, tmp: Path) -> list[dict]:
    """Downscaled copies (320 and 352 px wide) of every hand-counted clip wider than that; clips
    already that small (freeway_overhead_33s, 320x240) are counted as they are, in the main run."""
    out = []
    for clip in clips:
        stream = av.open(str(clip["path"])).streams.video[0]
        w = stream.codec_context.width
        for width in (320, 352):
            if width >= w:
                continue
            s = width / w
            dst = tmp / f"{clip['name']}_{width}.mp4"
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(clip["path"]), "-vf", f"scale={width}:-2",
                            "-r", str(stream.average_rate), "-c:v", "libx264",
                            "-crf", "26", "-an", str(dst)], check=True)
            out.append({**clip, "name": f"{clip['name']} @ {width} px wide", "path": dst,
                        "line": tuple(v * s for v in clip["line"])})
    return out


def service_load(clips: list[dict], model: Path, cameras: int, fps: float, threads: int) -> None:
    """The service's engine (shared decoder stage + one detector for all cameras) on `cameras`
    streams of real video, as fast as it goes: achieved fps per camera, CPU use."""
    from roadcam.common.decoder import CameraDecoder
    from roadcam.common.camconfig.models import CameraConfig
    from services.counter.counting import CountingTuning
    from services.counter.detector import YoloDetector
    from services.counter.engine import CountingEngine
    from services.counter.offline import file_batches

    detector = YoloDetector.load(model, threads=threads)
    configs, streams = {}, []
    for i in range(cameras):
        clip = clips[i % len(clips)]
        info, batches = file_batches(clip["path"], f"cam-{i}")
        x1, y1, x2, y2 = clip["line"]
        configs[f"cam-{i}"] = CameraConfig.model_validate({
            "id": f"cam-{i}", "name": "bench", "source": {"url": "rtsp://127.0.0.1/x"}, "purposes": ["traffic_survey"],
            "department": "roads", "frame_size": [info.width, info.height],
            "counting_lines": [{"id": "l", "start": [x1, y1], "end": [x2, y2], "pos_name": "a", "neg_name": "b"}],
            "notice": {"operator": "x", "purpose": "x", "contact": "x"}})
        streams.append((CameraDecoder(f"cam-{i}", fps, skip_unreferenced=True), batches))  # as the service
    engine = CountingEngine(configs, detector, CountingTuning(), fps)
    proc = psutil.Process()
    cpu0, started, frames = proc.cpu_times(), time.perf_counter(), 0
    alive = list(streams)
    while alive:
        batch_frames = []
        for decoder, batches in list(alive):
            batch = next(batches, None)
            if batch is None:
                alive.remove((decoder, batches))
                continue
            f, _ = decoder.feed(batch)
            batch_frames += f
        frames += len(batch_frames)
        engine.process(batch_frames)
    wall = time.perf_counter() - started
    cpu1 = proc.cpu_times()
    cpu = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / wall
    sys.stdout.write(
        f"\nservice engine, {cameras} cameras sampled at {fps:g} fps: {frames} frames in {wall:.1f} s = "
        f"{frames / wall:.1f} frames/s = {frames / wall / cameras:.1f} fps per camera "
        f"({frames / wall / (cameras * fps):.2f}x real time), CPU {cpu:.2f} cores of {psutil.cpu_count()}, "
        f"{detector.inferences} detector runs, {threads or 'default'} inference threads\n"
        f"  CPU per analysed frame {cpu * wall / frames * 1000:.1f} ms -> {cameras}x{fps:g} fps needs "
        f"{cpu * wall / frames * cameras * fps:.2f} cores (load average now {os.getloadavg()[0]:.1f}: "
        f"other processes compete for the cores)\n")


# Eyeballed from lane markings of autobahn_overpass_10s (away carriageway, lane 1: 3.75 m wide;
# 18 m dash period -> 52.8 m between image rows 500 and 250). Rough: +-15 % expected.
AUTOBAHN_CALIBRATION = {"image_points": [[598, 500], [793, 500], [610, 250], [528, 250]],
                        "ground_points_m": [[0, 0], [3.75, 0], [3.75, 52.8], [0, 52.8]]}
AUTOBAHN_LANE = {"id": "away-1", "polygon": [[598, 500], [793, 500], [610, 250], [528, 250]], "head": [695, 500]}


def t3_sanity(data: Path, model: Path, fps: float) -> None:
    """Speeds and queue samples on the autobahn clip with a hand-made calibration."""
    from roadcam.common.camconfig.models import CameraConfig
    from roadcam.common.decoder import CameraDecoder
    from services.counter.counting import CountingTuning
    from services.counter.detector import YoloDetector
    from services.counter.engine import CountingEngine
    from services.counter.offline import file_batches
    from roadcam.common.camconfig.models import Lane
    from services.counter.ground_plane import SpeedBins

    config = CameraConfig.model_validate({
        "id": "autobahn", "name": "a", "source": {"url": "rtsp://h/x"}, "purposes": ["traffic_survey"],
        "department": "roads", "frame_size": [960, 540], "calibration": AUTOBAHN_CALIBRATION,
        "counting_lines": [{"id": "l", "start": [0, 300], "end": [959, 300], "pos_name": "toward", "neg_name": "away"}],
        "notice": {"operator": "x", "purpose": "x", "contact": "x"}})
    engine = CountingEngine({"autobahn": config}, YoloDetector.load(model), CountingTuning(), fps,
                            lanes={"autobahn": [Lane.model_validate(AUTOBAHN_LANE)]}, queue_interval_s=2.0)
    decoder, (_, batches) = CameraDecoder("autobahn", fps), file_batches(data / "videos/autobahn_overpass_10s.mp4", "autobahn")
    crossings, queues = [], []
    for batch in batches:
        out = engine.process(decoder.feed(batch)[0])
        crossings += out.crossings
        queues += out.queues
    crossings += engine.flush()
    speeds = SpeedBins((300,))
    for c in crossings:
        if c.crossing.speed_kmh is not None:
            speeds.add("autobahn", "toward" if c.crossing.direction > 0 else "away", c.crossing.object_class,
                       c.crossing.time_us, c.crossing.speed_kmh)
    sys.stdout.write("\nT3 sanity, autobahn_overpass_10s with an eyeballed calibration (motorway traffic, ~100-130 km/h):\n")
    for b in speeds.close_all():
        sys.stdout.write(f"  speed {b.line_id:<7} {b.object_class:<6} n={b.count:<3} mean {b.mean_kmh:5.1f} km/h  p85 {b.p85_kmh:5.1f} km/h\n")
    sys.stdout.write("  queue samples (lane away-1): " + ", ".join(
        f"{q.time_us / 1e6:.0f}s {q.sample.length_m:.0f} m/{q.sample.vehicles}" for q in queues) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--model", type=Path)
    parser.add_argument("--fps", type=float, default=10.0)
    parser.add_argument("--lowres", action="store_true")
    parser.add_argument("--skip-service", action="store_true")
    parser.add_argument("--ours-only", action="store_true", help="counts of ours only (no ObjectCounter, no ratios)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per clip and counter; the best is kept")
    parser.add_argument("--service-threads", type=int, default=2, help="ROADCAM_COUNTER_DETECTOR_THREADS for the service run")
    args = parser.parse_args()
    model = args.model or args.data / "models/yolov8n_int8.tflite"
    clips = load_clips(args.data)
    sys.stdout.write(f"model {model.name}, our pipeline at {args.fps:g} fps, ObjectCounter on every frame\n")
    compare(clips, model, args.fps, args.repeat, args.ours_only)
    if args.lowres and shutil.which("ffmpeg"):
        with tempfile.TemporaryDirectory() as tmp:
            sys.stdout.write("\n--- low resolution (sanity check; the ground truth line is scaled) ---")
            compare(lowres_clips(clips, args.data, Path(tmp)), model, args.fps, args.repeat, args.ours_only)
    t3_sanity(args.data, model, args.fps)
    if not args.skip_service:
        service_load(clips, model, 4, args.fps, args.service_threads)


if __name__ == "__main__":
    os.environ.setdefault("YOLO_VERBOSE", "False")
    main()
