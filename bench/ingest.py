"""Ingest benchmark: CPU per camera and latency camera -> consumer, against a bare-demux baseline.

    python bench/ingest.py [--cameras 4] [--seconds 30]

Serves a 1280x720 clip and a 640x480 clip from a GStreamer RTSP server, runs the real ingest
service (a child process, so its CPU is its own) against the local broker and Redis, and reads
the video topic in this process. The baseline is a bare PyAV demux loop on the same RTSP streams,
run in the same benchmark: the cost of reading the camera at all.
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import psutil
import redis.asyncio as aioredis
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from roadcam.common.blobs import RedisBlobStore  # noqa: E402
from roadcam.common.bus import BusConsumer  # noqa: E402
from roadcam.common.settings import KafkaSettings  # noqa: E402
from roadcam.common.timeutil import now_us  # noqa: E402
from roadcam.common.video_feed import VideoFeed  # noqa: E402
from roadcam.devstack.processes import free_port, port_open, spawn  # noqa: E402
from roadcam.devstack.servers import start_kafka, start_redis  # noqa: E402

VIDEOS = REPO.parent / "shared" / "data" / "videos"


def prepare_clips(work: Path) -> dict[str, Path]:
    """1280x720 as is (looped); a 640x480 H.264 made from it once (the input, not the product)."""
    hd = work / "hd.mp4"
    sd = work / "sd.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-stream_loop", "30", "-i", str(VIDEOS / "bridge_dense_5s.mp4"),
                    "-c", "copy", "-an", str(hd)], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(hd), "-vf", "scale=640:480", "-c:v", "libx264",
                    "-preset", "veryfast", "-g", "30", "-b:v", "1500k", "-an", str(sd)], check=True)
    return {"1280x720": hd, "640x480": sd}


def baseline_cpu(url: str, seconds: float) -> float:
    """Cores used by a bare PyAV demux of one RTSP stream (this process's CPU time)."""
    proc = psutil.Process()
    container = av.open(url, options={"rtsp_transport": "tcp"}, timeout=(10, 10))
    start_cpu, start = sum(proc.cpu_times()[:2]), time.monotonic()
    for _ in container.demux(video=0):
        if time.monotonic() - start > seconds:
            break
    container.close()
    return (sum(proc.cpu_times()[:2]) - start_cpu) / (time.monotonic() - start)


async def latencies(kafka: KafkaSettings, redis_url: str, seconds: float) -> tuple[list[float], list[float]]:
    """(bus arrival - capture) per packet batch, and (decoded frame ready - capture) per frame, ms."""
    consumer = BusConsumer(kafka, None, ["roadcam.video.v1"], f"bench-{time.time()}", session_timeout_ms=2000)
    feed = VideoFeed(consumer, RedisBlobStore(aioredis.from_url(redis_url), 60), target_fps=None)
    await consumer.start()
    frame_ms: list[float] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    async for batch in feed.batches():
        now = now_us()
        frame_ms += [(now - f.capture_time_us) / 1000 for f in batch.frames]
        if loop.time() > deadline:
            break
    await consumer.stop()
    return frame_ms


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


def run_ingest(config: Path, kafka: str, redis: str, logs: Path, batch_ms: int):
    env = {
        "ROADCAM_INGEST_CONFIG_FILE": str(config), "ROADCAM_INGEST_KAFKA__BOOTSTRAP_SERVERS": kafka,
        "ROADCAM_INGEST_REDIS_URL": redis, "ROADCAM_INGEST_PAYLOAD__MODE": "redis",
        "ROADCAM_INGEST_BATCH_MAX_MS": str(batch_ms),
    }
    return spawn("ingest", [sys.executable, "-m", "services.ingest"], logs, env=env)


def measure(label: str, url: str, cameras: int, seconds: float, work: Path, kafka, redis, batch_ms: int) -> dict:
    notice = {"operator": "bench", "purpose": "bench", "contact": "bench"}
    config = work / f"cams-{label}.yaml"
    config.write_text(yaml.safe_dump({"version": 1, "cameras": [
        {"id": f"cam-{i}", "name": f"cam {i}", "source": {"url": url}, "purposes": ["road_management"],
         "department": "bench", "notice": notice} for i in range(cameras)]}))
    child = run_ingest(config, kafka.url, redis.url, work / "logs", batch_ms)
    try:
        time.sleep(4)  # connect and warm up
        proc = psutil.Process(child.pid)
        cpu0, t0 = sum(proc.cpu_times()[:2]), time.monotonic()
        frame_ms = asyncio.run(latencies(KafkaSettings(bootstrap_servers=kafka.url), redis.url, seconds))
        cores = (sum(proc.cpu_times()[:2]) - cpu0) / (time.monotonic() - t0)
        rss = proc.memory_info().rss / 1e6
    finally:
        child.stop()
    return {"cores_per_camera": cores / cameras, "p50": pct(frame_ms, 0.5), "p99": pct(frame_ms, 0.99),
            "frames": len(frame_ms), "rss_mb": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--batch-ms", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clips = prepare_clips(work)
        kafka, redis = start_kafka(work / "logs"), start_redis(work / "logs")
        port = free_port()
        argv = ["/usr/bin/python3", str(REPO / "tests/support/rtsp_server.py"), "--port", str(port)]
        argv += [a for label, path in clips.items() for a in ("--mount", f"/{label}={path}")]
        rtsp = spawn("rtsp", argv, work / "logs", ready=lambda: port_open(port))
        try:
            out = sys.stdout
            out.write(f"ingest benchmark: {args.cameras} RTSP cameras per clip, {args.seconds:.0f} s, batch {args.batch_ms} ms\n")
            out.write(f"{'clip':<10} {'ingest cores/cam':>16} {'baseline demux':>15} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'frames':>7} {'RSS MB':>7}\n")
            for label in clips:
                url = f"rtsp://127.0.0.1:{port}/{label}"
                base = baseline_cpu(url, min(args.seconds, 15))
                m = measure(label, url, args.cameras, args.seconds, work, kafka, redis, args.batch_ms)
                out.write(f"{label:<10} {m['cores_per_camera']:>16.4f} {base:>15.4f} {m['cores_per_camera'] / base:>6.2f} "
                          f"{m['p50']:>7.0f} {m['p99']:>7.0f} {m['frames']:>7} {m['rss_mb']:>7.0f}\n")
                out.flush()
            out.write("latency = decoded frame ready in the consumer - capture (ingest receipt) time\n")
        finally:
            rtsp.stop()
            kafka.child.stop()
            redis.child.stop()


if __name__ == "__main__":
    main()
