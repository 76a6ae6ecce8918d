"""Anonymizer benchmark, today's interval schedule and the motion-gated one side by side in one run
(issue 13): for 1280x720 in -> 640x360 public HLS at 10 fps, CPU cores per camera and the ratio to a
baseline run in the same process (decode + resize + encode, no detection), detector runs per second,
the live-path scores of ../shared/tools/anon_video_score.py on the dev faces (--min-h 28) and plates,
and the latency camera -> playable HLS segment through the real stack (ingest, Kafka, anonymizer, S3).

usage: python bench/anonymizer.py [--clip PATH] [--seconds 20] [--fps 10 5] [--no-latency] [--no-scores]
Figures depend on the machine's load: the ratio to the same-run baseline travels better than cores.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import cv2

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ROADCAM_SHARED_DATA", REPO.parent / "shared" / "data"))
sys.path.insert(0, str(REPO))
MODELS = {"yunet_model": SHARED / "models" / "face_detection_yunet_2026may.onnx",
          "yolo_model": SHARED / "models" / "yolov8n_int8.tflite"}
# The schedule before issue 13 (faces every 0.2 s at half scale, plates every 2 s, no gate).
SCHEDULES = {
    "old (interval)": {"motion_gate": False, "face_interval_s": 0.2, "face_upscale": 0.5, "face_threshold": 0.3,
                       "yolo_interval_s": 0.4, "plate_interval_s": 2.0},
    "new (motion-gated)": {},
}
# The same gate with fewer looks: the CPU / smear trade-off (processing only, not scored).
TRADE_OFFS = {"new, looks every 0.5 s": {"face_interval_s": 0.5, "yolo_interval_s": 0.5}}


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def frames_at(clip: Path, seconds: float, fps: float, pingpong: bool = True):
    """Decode every frame (as the decoder stage does), keep `fps`; loop the clip. `pingpong` plays
    every other pass backwards (still decoding every frame), so the loop is not a cut: a real camera
    never jumps, and a cut is a scene change on which the motion gate runs every detector."""
    t_video, backwards = 0.0, False
    while t_video < seconds:
        kept, offset, last, next_due = [], t_video, 0.0, 0.0
        with av.open(str(clip)) as c:
            for frame in c.decode(video=0):
                last = float(frame.time or 0)
                image = frame.to_ndarray(format="bgr24")
                if last >= next_due:
                    next_due += 1 / fps
                    kept.append((image, last))
        for image, t in reversed(kept) if backwards else kept:
            t_video = offset + (last - t if backwards else t)
            if t_video >= seconds:
                return
            yield image, t_video
        t_video, backwards = offset + last + 1 / fps, pingpong and not backwards


def run(clip: Path, seconds: float, fps: float, anonymize, pingpong: bool = True) -> dict:
    from services.anonymizer.hls import SegmentEncoder

    enc = SegmentEncoder(fps, 2.0)
    c0, w0, n = cpu_s(), time.perf_counter(), 0
    for image, t in frames_at(clip, seconds, fps, pingpong):
        enc.add(anonymize(image, t))
        n += 1
    cpu, wall = cpu_s() - c0, time.perf_counter() - w0
    return {"frames": n, "fps": n / wall, "cores_per_camera": cpu / seconds, "cpu_ms_per_frame": 1000 * cpu / n}


def detection(schedule: dict):
    from services.anonymizer.settings import DetectionSettings

    return DetectionSettings(**MODELS, **schedule)


def processing(clip: Path, seconds: float, fps_list: list[float], pingpong: bool = True) -> None:
    from services.anonymizer.detector_set import build_anonymizer
    from services.anonymizer.offline import default_camera

    for fps in fps_list:
        base = run(clip, seconds, fps, lambda img, t: cv2.resize(img, (640, 360), interpolation=cv2.INTER_AREA), pingpong)
        print(f"--- {fps:g} fps public, {seconds:g} s of {clip.name} ({'ping-pong' if pingpong else 'looped with a cut'})")
        print(f"{'baseline (decode+resize+encode)':34s} {base['cores_per_camera']:.3f} cores/camera  "
              f"{base['cpu_ms_per_frame']:5.1f} ms CPU/frame  {base['fps']:5.1f} fps")
        for name, schedule in {**SCHEDULES, **TRADE_OFFS}.items():
            anon = build_anonymizer(default_camera(), detection(schedule), timeout_s=60.0)
            r = run(clip, seconds, fps, anon.anonymize, pingpong)
            runs = ", ".join(f"{k} {v / seconds:.2f}/s" for k, v in anon.runs.items())
            print(f"{name:34s} {r['cores_per_camera']:.3f} cores/camera  {r['cpu_ms_per_frame']:5.1f} ms CPU/frame  "
                  f"{r['fps']:5.1f} fps  ratio to baseline {r['cores_per_camera'] / base['cores_per_camera']:.2f}x  "
                  f"bar <= 0.5: {'OK' if r['cores_per_camera'] <= 0.5 else 'OVER'}  (detector runs: {runs})")


def scores() -> None:
    """anon_video_score.py runs `roadcam anonymize VIDEO` (the live schedule) on the dev sets."""
    tool = SHARED.parent / "tools" / "anon_video_score.py"
    for name, schedule in SCHEDULES.items():
        env = dict(os.environ, **{f"ROADCAM_ANONYMIZER_DETECTION__{k.upper()}": str(v)
                                  for k, v in {**{k: str(p) for k, p in MODELS.items()}, **schedule}.items()})
        for dataset, extra in (("faces", ["--min-h", "28"]), ("plates", [])):
            out = subprocess.run([sys.executable, str(tool), "roadcam", str(SHARED / dataset), *extra],
                                 capture_output=True, text=True, env=env, cwd=REPO).stdout
            last = re.search(r"anon_video .*", out)
            print(f"{name:20s} {dataset:6s} {last.group(0) if last else 'no score: ' + out[-200:]}")


async def latency(seconds: float) -> None:
    """Camera file -> ingest -> Kafka -> anonymizer -> S3, once per schedule on the same servers:
    capture of a segment's first frame until the playlist listing it is written."""
    from roadcam.devstack.servers import start_kafka, start_redis, start_s3

    tmp = Path(tempfile.mkdtemp(prefix="roadcam-bench-"))
    servers = [start_kafka(tmp / "logs"), start_redis(tmp / "logs"), start_s3(tmp / "logs", tmp / "tls")]
    try:
        for index, (name, schedule) in enumerate(SCHEDULES.items()):
            await latency_run(tmp, servers, f"bench-{index}", schedule, name, seconds)
    finally:
        for server in servers:
            server.child.stop()


async def latency_run(tmp: Path, servers, camera_id: str, schedule: dict, name: str, seconds: float) -> None:
    import yaml
    from pydantic import SecretStr

    from services.anonymizer.bootstrap import bootstrap as anonymizer_bootstrap
    from services.anonymizer.settings import Settings
    from roadcam.common.settings import KafkaSettings, PayloadSettings, S3Settings
    from services.ingest.bootstrap import bootstrap as ingest_bootstrap
    from services.ingest.settings import Settings as IngestSettings

    kafka, redis, s3 = servers
    cam = {"id": camera_id, "name": "bench", "source": {"url": str(SHARED / "videos" / "bridge_dense_5s.mp4"), "loop": True},
           "purposes": ["road_management"], "department": "bench", "notice": {"operator": "-", "purpose": "-", "contact": "-"}}
    config = tmp / f"{camera_id}.yaml"
    config.write_text(yaml.safe_dump({"version": 1, "cameras": [cam]}))
    k, payload = KafkaSettings(bootstrap_servers=kafka.url, partitions=2), PayloadSettings(mode="redis")
    a = Settings(config_file=config, kafka=k, redis_url=redis.url, payload=payload, session_timeout_ms=2000,
                 detection=detection(schedule), s3=S3Settings(endpoint=s3.endpoint, ca_file=s3.ca_file),
                 s3_secret_key=SecretStr("bench"))
    i = IngestSettings(config_file=config, kafka=k, redis_url=redis.url, payload=payload, camera_secrets_dir=tmp)
    stop = asyncio.Event()
    async with ingest_bootstrap(i) as ingest, anonymizer_bootstrap(a) as anon:
        tasks = [asyncio.create_task(ingest.run(stop)), asyncio.create_task(anon.run(stop))]
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*tasks)
        ch = anon.channels[camera_id]
    lat = ch.latencies_s[2:]  # the first segments include the consumer-group join
    summary = (f"{len(lat)} segments, mean {sum(lat) / len(lat):.2f} s, max {max(lat):.2f} s "
               f"(bar <= 6 s: {'OK' if max(lat) <= 6 else 'OVER'})" if lat else "no segment latency measured")
    print(f"{name:20s} camera -> playable segment: {summary}; {ch.segments_written} segments written, "
          f"state at the end: {ch.reason or 'live'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clip", type=Path, default=SHARED / "videos" / "bridge_dense_5s.mp4")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--fps", type=float, nargs="+", default=[10.0], help="public frame rates to measure")
    ap.add_argument("--loop-cut", action="store_true", help="loop the clip with a cut (scene change) each pass")
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--no-scores", action="store_true")
    args = ap.parse_args()
    processing(args.clip, args.seconds, args.fps, not args.loop_cut)
    if not args.no_scores:
        scores()
    if not args.no_latency:
        asyncio.run(latency(args.seconds))


if __name__ == "__main__":
    main()
