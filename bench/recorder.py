"""How many 4 Mbit/s cameras one core records: bus decode + segment + remux + SHA-256 + AES-GCM
+ upload to the local S3 server (moto over TLS, in its own process - storage, not recorder CPU).

    python bench/recorder.py [--clip bridge_dense_5s.mp4] [--seconds 60] [--e2e-cameras 8]

Part 1 (in process): the recording path alone, sequentially, on one core.
Part 2 (--e2e-cameras N > 0): the real service (`python -m services.recorder`, a subprocess)
consuming N cameras from the local Kafka broker, its CPU measured with psutil from "ready"
until every camera's footage is stored - this adds the Kafka fetch and asyncio overhead.

Measures this process's CPU (user+sys, all threads) per second of footage, scales it to a
4 Mbit/s stream and derives cameras per core. Baseline in the same run: SHA-256 alone over the
same bytes (the least any integrity-checking recorder must spend).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import resource
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from roadcam.common.timeutil import now_us  # noqa: E402
from roadcam.common.video_bus import decode_batch, encode_batch  # noqa: E402
from roadcam.devstack.servers import start_s3  # noqa: E402
from services.recorder.sealer import ChainHead, seal, store_sealed  # noqa: E402
from services.recorder.segmenter import Segmenter  # noqa: E402
from tests.integration.recorder.support import T0_US, clip_batches, new_store  # noqa: E402

TARGET_BPS = 4_000_000


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def record(store, keyring, messages: list[bytes], segment_s: float) -> tuple[int, int]:
    segmenter, head, count, size = Segmenter("bench-cam", segment_s), ChainHead(), 0, 0
    segments = []
    for i, value in enumerate(messages):
        segments += segmenter.add(_decode(value), (0, i))
        if i == len(messages) - 1:
            segments.append(segmenter.flush())
        for segment in segments:
            sealed = seal(segment, head, keyring, 7)
            store_sealed(store, keyring, sealed, hold=False)
            head = ChainHead.of(sealed.meta)
            count, size = count + 1, size + len(sealed.blob)
        segments.clear()
    return count, size


_loop = asyncio.new_event_loop()


def _decode(value: bytes):
    return _loop.run_until_complete(decode_batch(value, None))


def _recorder_env(config: Path, kafka_url: str, s3, master: str, bucket: str, port: int) -> dict[str, str]:
    import os

    p = "ROADCAM_RECORDER_"
    return {**os.environ, f"{p}CONFIG_FILE": str(config), f"{p}KAFKA__BOOTSTRAP_SERVERS": kafka_url,
            f"{p}S3__ENDPOINT": s3.endpoint, f"{p}S3__CA_FILE": str(s3.ca_file), f"{p}S3__ACCESS_KEY": "test",
            f"{p}S3_SECRET_KEY": "test-secret", f"{p}MASTER_KEY": master, f"{p}BUCKET": bucket,
            f"{p}HEALTH_PORT": str(port), f"{p}HEALTH_HOST": "127.0.0.1", f"{p}LOG_LEVEL": "WARNING",
            "ROADCAM_SECRETS_DIR": "/nonexistent"}


def _wait_ready(port: int) -> None:
    import urllib.request

    for _ in range(120):
        try:
            if b'"ready": true' in urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).read():
                return
        except OSError:
            pass
        time.sleep(0.5)


async def _publish(settings, cams: list[str], messages_of) -> int:
    from roadcam.common import topics
    from roadcam.common.bus import BusProducer

    producer = BusProducer(settings, None, "bench")
    await producer.start()
    last = 0
    for cam in cams:
        async for value, batch in messages_of(cam):
            await producer.send(topics.VIDEO, cam, value)
            last = batch.packets[-1].seq
    await producer.flush()
    await producer.stop()
    return last


def end_to_end(args, messages_of, media_s: float, bitrate: float, base: Path, s3) -> None:
    import os
    import subprocess

    import psutil
    import yaml

    from roadcam.common import topics
    from roadcam.common.bus import ensure_topics
    from roadcam.common.settings import KafkaSettings
    from roadcam.devstack.processes import free_port
    from roadcam.devstack.servers import start_kafka
    from services.recorder.crypto import generate_master_key
    from services.recorder.sealer import load_head
    from tests.integration.recorder.harness import camera

    cams = [f"bench-{i}" for i in range(args.e2e_cameras)]
    kafka, proc = start_kafka(base / "logs"), None
    try:
        settings = KafkaSettings(bootstrap_servers=kafka.url, partitions=4)
        _loop.run_until_complete(ensure_topics(settings, None, topics.ALL))
        config = base / "cameras.yaml"
        config.write_text(yaml.safe_dump({"version": 1, "cameras": [camera(c, segment_seconds=args.segment_seconds) for c in cams]}))
        master, bucket, port = generate_master_key(), f"e2e-{uuid.uuid4().hex[:8]}", free_port()
        proc = subprocess.Popen([sys.executable, "-m", "services.recorder"],
                                env=_recorder_env(config, kafka.url, s3, master, bucket, port))
        _wait_ready(port)
        before = sum(psutil.Process(proc.pid).cpu_times()[:2])
        last_seq = _loop.run_until_complete(_publish(settings, cams, messages_of))
        store, _, _ = new_store(s3, bucket=bucket, master_key=master)
        target = last_seq - int(args.segment_seconds * 45)  # all but the open segment (<= 45 fps)
        started = time.perf_counter()
        while any(load_head(store, c).last_seq < target for c in cams) and time.perf_counter() - started < 600:
            time.sleep(0.5)
        proc.terminate()  # a clean stop stores the open segments: part of the work measured
        _, proc.returncode, usage = os.wait4(proc.pid, 0)
        used = usage.ru_utime + usage.ru_stime - before
        complete = all(load_head(store, c).last_seq == last_seq for c in cams)
    finally:
        if proc is not None and proc.returncode is None:
            proc.kill()
            proc.wait(60)
        kafka.child.stop()
    per_cam = used / (len(cams) * media_s) * (TARGET_BPS / bitrate)
    sys.stdout.write(
        f"end to end (service subprocess, Kafka + S3, all footage stored: {complete}): "
        f"{len(cams)} cameras x {media_s:.0f} s -> {used:.2f} s CPU; "
        f"per 4 Mbit/s camera {per_cam * 100:.3f} % of a core -> {1 / per_cam:.0f} cameras per core "
        f"(unscaled, at {bitrate / 1e6:.2f} Mbit/s: {len(cams) * media_s / used:.0f})\n")


def report(args, media_s, bitrate, segments, stored, rec_cpu, wall, base_cpu) -> None:
    per_cam = rec_cpu / media_s * (TARGET_BPS / bitrate)  # CPU-seconds per second of a 4 Mbit/s camera
    cams = 1 / per_cam
    sys.stdout.write(
        f"clip {args.clip}: {media_s:.1f} s of footage at {bitrate / 1e6:.2f} Mbit/s, "
        f"{segments} segments of ~{args.segment_seconds:.0f} s, {stored / 1e6:.1f} MB stored\n"
        f"recorder CPU: {rec_cpu:.3f} s ({wall:.2f} s wall) = {rec_cpu / media_s * 1000:.2f} ms CPU per footage-second\n"
        f"per 4 Mbit/s camera: {per_cam * 100:.3f} % of a core  ->  {cams:.0f} cameras per core (bar: >= 100)\n"
        f"conservative (the clip's own {bitrate / 1e6:.2f} Mbit/s, same fps, no scaling): "
        f"{media_s / rec_cpu:.0f} cameras per core\n"
        f"baseline SHA-256 alone over the same bytes: {base_cpu:.3f} s CPU; "
        f"recorder / baseline = {rec_cpu / max(base_cpu, 1e-9):.1f}x\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default="bridge_dense_5s.mp4")
    parser.add_argument("--seconds", type=float, default=60.0, help="footage to record")
    parser.add_argument("--segment-seconds", type=float, default=10.0)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "videos")
    parser.add_argument("--e2e-cameras", type=int, default=8, help="cameras for the service run; 0 = skip")
    parser.add_argument("--e2e-seconds", type=float, default=30.0, help="footage per camera in the service run")
    args = parser.parse_args()

    probe = clip_batches(args.data / args.clip, "bench-cam")
    clip_s = (probe[-1].packets[-1].capture_time_us - T0_US) / 1e6 + 1 / (probe[0].stream.avg_fps or 30)
    loops = max(1, round(args.seconds / clip_s))
    batches = clip_batches(args.data / args.clip, "bench-cam", loops=loops)
    media_s = loops * clip_s
    media_bytes = sum(b.nbytes for b in batches)
    bitrate = media_bytes * 8 / media_s
    messages = [_loop.run_until_complete(encode_batch(b, None)) for b in batches]

    base = Path(tempfile.mkdtemp(prefix="bench-recorder-"))
    s3 = start_s3(base / "logs", base / "tls")
    try:
        store, keyring, _ = new_store(s3, bucket=f"bench-{uuid.uuid4().hex[:8]}")
        store.ensure_bucket()
        record(store, keyring, messages[: len(messages) // 4], args.segment_seconds)  # warm-up

        c0, w0 = cpu(), time.perf_counter()
        payload = b"".join(p.data for b in batches for p in b.packets)
        hashlib.sha256(payload).hexdigest()
        base_cpu = cpu() - c0

        c0, w0 = cpu(), time.perf_counter()
        segments, stored = record(store, keyring, messages, args.segment_seconds)
        rec_cpu, wall = cpu() - c0, time.perf_counter() - w0
        report(args, media_s, bitrate, segments, stored, rec_cpu, wall, base_cpu)
        if args.e2e_cameras:
            e2e_loops = max(1, round(args.e2e_seconds / clip_s))

            async def messages_of(cam):
                for batch in clip_batches(args.data / args.clip, cam, loops=e2e_loops, t0_us=now_us() - 3_600_000_000):
                    yield await encode_batch(batch, None), batch

            end_to_end(args, messages_of, e2e_loops * clip_s, bitrate, base, s3)
    finally:
        s3.child.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
