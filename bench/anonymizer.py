"""Anonymizer benchmark: CPU and fps per camera (1280x720 in -> 640x360 public HLS at 10 fps),
against a baseline run in the same process (decode + resize + encode, no detection), and the
latency camera -> playable HLS segment through the real stack (ingest, Kafka, anonymizer, S3).

usage: python bench/anonymizer.py [--clip PATH] [--seconds 20] [--no-latency | --latency-only]
Figures depend on the machine's load: run it on an otherwise idle machine.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import av
import cv2

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ROADCAM_SHARED_DATA", REPO.parent / "shared" / "data"))
sys.path.insert(0, str(REPO))


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def frames_10fps(clip: Path, seconds: float):
    """Decode every frame (as the decoder stage does), keep 10 fps; loop the clip."""
    t_video, next_due = 0.0, 0.0
    while t_video < seconds:
        with av.open(str(clip)) as c:
            offset = t_video
            for frame in c.decode(video=0):
                t = offset + float(frame.time or 0)
                image = frame.to_ndarray(format="bgr24")
                if t >= next_due:
                    next_due += 0.1
                    yield image, t
                t_video = t
                if t_video >= seconds:
                    return


def run(clip: Path, seconds: float, anonymize) -> dict:
    from services.anonymizer.hls import SegmentEncoder

    enc = SegmentEncoder(10, 2.0)
    c0, w0, n = cpu_s(), time.perf_counter(), 0
    for image, t in frames_10fps(clip, seconds):
        enc.add(anonymize(image, t))
        n += 1
    cpu, wall = cpu_s() - c0, time.perf_counter() - w0
    return {"frames": n, "fps": n / wall, "cores_per_camera": cpu / seconds, "cpu_ms_per_frame": 1000 * cpu / n}


def processing(clip: Path, seconds: float) -> None:
    from services.anonymizer.detector_set import build_detectors
    from services.anonymizer.offline import default_camera
    from services.anonymizer.pipeline import FrameAnonymizer
    from services.anonymizer.settings import DetectionSettings

    m = SHARED / "models"
    d = DetectionSettings(yunet_model=m / "face_detection_yunet_2026may.onnx", yolo_model=m / "yolov8n_int8.tflite")
    anon = FrameAnonymizer(default_camera(), build_detectors(d), d.hold_s, d.growth_per_s, d.detect_max_width, 10.0)
    base = run(clip, seconds, lambda img, t: cv2.resize(img, (640, 360), interpolation=cv2.INTER_AREA))
    full = run(clip, seconds, anon.anonymize)
    for name, r in (("baseline (decode+resize+encode)", base), ("anonymizer", full)):
        print(f"{name:34s} {r['frames']} frames  {r['fps']:6.1f} fps  {r['cores_per_camera']:.3f} cores/camera  "
              f"{r['cpu_ms_per_frame']:.1f} ms CPU/frame")
    print(f"ratio anonymizer/baseline CPU: {full['cores_per_camera'] / base['cores_per_camera']:.2f}x; "
          f"bar <= 0.5 cores/camera: {'OK' if full['cores_per_camera'] <= 0.5 else 'OVER'}")


async def latency(seconds: float) -> None:
    """Camera file -> ingest -> Kafka -> anonymizer -> S3; capture of a segment's first frame
    until the playlist listing it is written."""
    import yaml
    from pydantic import SecretStr

    from services.anonymizer.bootstrap import bootstrap as anonymizer_bootstrap
    from services.anonymizer.settings import DetectionSettings, Settings
    from roadcam.common.settings import KafkaSettings, PayloadSettings, S3Settings
    from roadcam.devstack.servers import start_kafka, start_redis, start_s3
    from services.ingest.bootstrap import bootstrap as ingest_bootstrap
    from services.ingest.settings import Settings as IngestSettings

    tmp = Path(tempfile.mkdtemp(prefix="roadcam-bench-"))
    servers = [start_kafka(tmp / "logs"), start_redis(tmp / "logs"), start_s3(tmp / "logs", tmp / "tls")]
    kafka, redis, s3 = servers
    try:
        cam = {"id": "bench", "name": "bench", "source": {"url": str(SHARED / "videos" / "bridge_dense_5s.mp4"), "loop": True},
               "purposes": ["road_management"], "department": "bench", "notice": {"operator": "-", "purpose": "-", "contact": "-"}}
        config = tmp / "cameras.yaml"
        config.write_text(yaml.safe_dump({"version": 1, "cameras": [cam]}))
        k, payload = KafkaSettings(bootstrap_servers=kafka.url, partitions=2), PayloadSettings(mode="redis")
        m = SHARED / "models"
        a = Settings(config_file=config, kafka=k, redis_url=redis.url, payload=payload, session_timeout_ms=2000,
                     detection=DetectionSettings(yunet_model=m / "face_detection_yunet_2026may.onnx", yolo_model=m / "yolov8n_int8.tflite"),
                     s3=S3Settings(endpoint=s3.endpoint, ca_file=s3.ca_file), s3_secret_key=SecretStr("bench"))
        i = IngestSettings(config_file=config, kafka=k, redis_url=redis.url, payload=payload, camera_secrets_dir=tmp)
        stop = asyncio.Event()
        async with ingest_bootstrap(i) as ingest, anonymizer_bootstrap(a) as anon:
            tasks = [asyncio.create_task(ingest.run(stop)), asyncio.create_task(anon.run(stop))]
            await asyncio.sleep(seconds)
            stop.set()
            await asyncio.gather(*tasks)
            ch = anon.channels["bench"]
        lat = ch.latencies_s[2:]  # the first segments include the consumer-group join
        print(f"latency run: {ch.segments_written} segments written, {len(ch.latencies_s)} with video; "
              f"state at the end: {ch.reason or 'live'}")
        if lat:
            print(f"camera -> playable segment: {len(lat)} segments, mean {sum(lat) / len(lat):.2f} s, "
                  f"max {max(lat):.2f} s (bar <= 6 s: {'OK' if max(lat) <= 6 else 'OVER'})")
        else:
            print(f"no segment latency measured ({ch.segments_written} segments, reason {ch.reason})")
    finally:
        for server in servers:
            server.child.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clip", type=Path, default=SHARED / "videos" / "bridge_dense_5s.mp4")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--latency-only", action="store_true")
    args = ap.parse_args()
    if not args.latency_only:
        processing(args.clip, args.seconds)
    if not args.no_latency:
        asyncio.run(latency(args.seconds))


if __name__ == "__main__":
    main()
