"""Benchmark: p50/p99 of GET /api/v1/counts at a fixed request rate (issue 5, bar p99 <= 50 ms).

Data: a month of 15-minute bins for 50 cameras (2 directions x 3 classes each, ~864k rows) in
SQLite. The api runs as its own process (`python -m services.api`, uvicorn) on loopback; this
process drives an open-loop load (requests are sent on schedule, whether or not earlier ones
finished) and measures latency from the scheduled send time, so queueing counts.
Each counts request: one random camera, one random day, 15-minute bins (576 rows of JSON).
Baseline, same process and rate: GET /healthz (the HTTP + framework floor).

    python bench/api.py [--rate 200] [--seconds 20] [--cameras 50] [--days 30] [--processes 1]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from urllib.parse import urlencode
import yaml

from services.api.auth.passwords import hash_password
from services.api.auth.roles import Role
from services.api.auth.tokens import new_api_key
from services.api.db.engine import make_engine, migrate
from services.api.store.accounts import Accounts, StoredAccount
from roadcam.devstack.processes import free_port, port_open

DAY0_US = 1_780_239_600_000_000  # 2026-06-01 00:00 JST
BIN_US = 900 * 1_000_000
CLASSES = (("car", "小型車"), ("truck", "大型車"), ("motorcycle", "二輪車"))
NOTICE = {"operator": "bench", "purpose": "交通量調査", "contact": "n/a"}


def write_config(path: Path, cameras: int) -> None:
    cams = [{"id": f"cam-{i:03d}", "name": f"Camera {i}", "source": {"url": f"rtsp://cam.example/{i}"},
             "purposes": ["traffic_survey"], "department": "roads", "notice": NOTICE, "frame_size": [640, 360],
             "counting_lines": [{"id": "main", "start": [0, 180], "end": [640, 180], "pos_name": "上り", "neg_name": "下り"}]}
            for i in range(cameras)]
    path.write_text(yaml.safe_dump({"version": 1, "cameras": cams}, allow_unicode=True))


def seed(db: Path, cameras: int, days: int) -> tuple[int, str]:
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    rng, rows = random.Random(5), 0
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        sql = ("INSERT INTO count_bins (camera_id, bin_seconds, bin_start_us, line_id, direction, object_class,"
               " census_class, count, final) VALUES (?, 900, ?, 'main', ?, ?, ?, ?, 1)")
        for c in range(cameras):
            batch = [(f"cam-{c:03d}", DAY0_US + b * BIN_US, d, cls, census, rng.randint(0, 60))
                     for b in range(days * 96) for d in ("pos", "neg") for cls, census in CLASSES]
            cur.executemany(sql, batch)
            rows += len(batch)
        raw.commit()
    finally:
        raw.close()
    key = new_api_key()
    accounts = Accounts(engine)
    accounts.create(StoredAccount("bench", Role.ANALYST, ("*",), None, "", False, hash_password("bench-password-1"), 0))
    accounts.add_key("bench", key.key_id, key.key_hash, "bench", 0)
    engine.dispose()
    return rows, key.token


def start_api(work: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "ROADCAM_API_CONFIG_FILE": str(work / "cameras.yaml"),
           "ROADCAM_API_DATABASE_URL": f"sqlite:///{work / 'api.sqlite3'}", "ROADCAM_API_JWT_SECRET": "b" * 40,
           "ROADCAM_API_HTTP_HOST": "127.0.0.1", "ROADCAM_API_HTTP_PORT": str(port),
           "ROADCAM_API_CONSUME_BUS": "false", "ROADCAM_API_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "services.api"], env=env, stdout=subprocess.DEVNULL,
                            stderr=open(work / "api.log", "wb"))
    deadline = time.monotonic() + 60
    while not port_open(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"api did not start: {(work / 'api.log').read_text()[-2000:]}")
        time.sleep(0.1)
    return proc


async def _connection(host: str, port: int, queue: asyncio.Queue, latencies: list[float], errors: list[int]) -> None:
    """One keep-alive HTTP/1.1 connection; a minimal client so the load generator stays cheap."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            item = await queue.get()
            if item is None:
                return
            scheduled, target, headers = item
            head = f"GET {target} HTTP/1.1\r\nHost: {host}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            writer.write((head + "\r\n").encode())
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            if status_line.split(b" ")[1] == b"200":
                latencies.append(time.perf_counter() - scheduled)
            else:
                errors.append(1)
    finally:
        writer.close()


async def drive(host: str, port: int | list[int], make_request, rate: float, seconds: float,
                connections: int = 32) -> dict:
    """Open-loop load: request i is due at t0 + i/rate; latency counts from that moment."""
    latencies: list[float] = []
    errors: list[int] = []
    queue: asyncio.Queue = asyncio.Queue()
    ports = port if isinstance(port, list) else [port]  # several api replicas: spread connections evenly
    workers = [asyncio.create_task(_connection(host, ports[i % len(ports)], queue, latencies, errors))
               for i in range(connections)]
    total = int(rate * seconds)
    t0 = time.perf_counter() + 0.2
    for i in range(total):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        path, params, headers = make_request()
        target = path + ("?" + urlencode(params) if params else "")
        queue.put_nowait((scheduled, target, headers or {}))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.wait_for(asyncio.gather(*workers), timeout=60)  # bounded in time
    elapsed = time.perf_counter() - t0
    lat = sorted(latencies)
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")  # noqa: E731
    return {"sent": total, "ok": len(lat), "errors": len(errors), "rps": len(lat) / elapsed,
            "p50": pick(0.50), "p99": pick(0.99), "max": lat[-1] * 1000 if lat else float("nan"),
            "mean": statistics.fmean(lat) * 1000 if lat else float("nan")}


def server_cpu(procs: list[subprocess.Popen]) -> float:
    """User+system CPU seconds of the api processes: a figure that other load on the machine barely moves."""
    return sum(sum(psutil.Process(p.pid).cpu_times()[:2]) for p in procs)


def show(name: str, r: dict) -> None:
    sys.stdout.write(f"{name:11s} sent {r['sent']:5d} ok {r['ok']:5d} err {r['errors']:3d} done {r['rps']:6.1f} req/s"
                     f"  p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms  max {r['max']:7.2f} ms  mean {r['mean']:6.2f} ms\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=200.0, help="the rate the bar is judged at")
    ap.add_argument("--also", default="100", help="comma-separated extra rates to report (capacity curve)")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--cameras", type=int, default=50)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--processes", type=int, default=1, help="api replicas (separate processes, same database)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="roadcam-bench-api-") as tmp:
        work = Path(tmp)
        load_before = os.getloadavg()
        write_config(work / "cameras.yaml", args.cameras)
        started = time.perf_counter()
        rows, key = seed(work / "api.sqlite3", args.cameras, args.days)
        sys.stdout.write(f"seeded {rows} count bins ({args.cameras} cameras x {args.days} days of 15-min bins"
                         f" x 2 directions x 3 classes) in {time.perf_counter() - started:.1f} s\n")
        ports = [free_port() for _ in range(args.processes)]
        procs = [start_api(work, p) for p in ports]
        port = ports[0]
        try:
            rng = random.Random(1)
            headers = {"X-API-Key": key}

            def counts_request():
                day = rng.randrange(args.days)
                start = DAY0_US + day * 86_400_000_000
                iso = lambda us: time.strftime("%Y-%m-%dT%H:%M:%S+09:00", time.gmtime(us / 1e6 + 9 * 3600))  # noqa: E731
                params = {"camera": f"cam-{rng.randrange(args.cameras):03d}", "bin": 15,
                          "start": iso(start), "end": iso(start + 86_400_000_000)}
                return "/api/v1/counts", params, headers

            base = f"http://127.0.0.1:{port}"
            check = httpx.get(base + "/api/v1/counts", params=counts_request()[1], headers=headers, timeout=10)
            sys.stdout.write(f"one counts response: {len(check.json()['rows'])} rows, {len(check.content)} bytes\n")
            asyncio.run(drive("127.0.0.1", ports, counts_request, args.rate, 2))  # warm-up
            baseline = asyncio.run(drive("127.0.0.1", ports, lambda: ("/healthz", None, None), args.rate, args.seconds))
            extra = [float(r) for r in args.also.split(",") if r.strip()]
            curve = [(r, asyncio.run(drive("127.0.0.1", ports, counts_request, r, args.seconds))) for r in extra]
            cpu_before = server_cpu(procs)
            counts = asyncio.run(drive("127.0.0.1", ports, counts_request, args.rate, args.seconds))
            cpu_ms = (server_cpu(procs) - cpu_before) * 1000 / max(counts["ok"], 1)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(10)
        report(baseline, curve, counts, args, load_before, cpu_ms)

def report(baseline: dict, curve: list, counts: dict, args, load_before, cpu_ms: float) -> None:
    show("healthz", baseline)
    for rate, result in curve:
        show(f"counts@{rate:.0f}", result)
    show(f"counts@{args.rate:.0f}", counts)
    sys.stdout.write(f"ratio counts/healthz: p50 x{counts['p50'] / baseline['p50']:.1f}, "
                     f"p99 x{counts['p99'] / baseline['p99']:.1f}\n")
    sys.stdout.write(f"api processes: {args.processes}; cpu cores: {os.cpu_count()}; load average before: "
                     f"{' '.join(f'{x:.1f}' for x in load_before)}\n")
    sys.stdout.write(f"api CPU per counts request: {cpu_ms:.2f} ms (one free core would serve ~{1000 / cpu_ms:.0f} req/s)\n")
    verdict = "meets" if counts["p99"] <= 50 and counts["errors"] == 0 else "MISSES"
    sys.stdout.write(f"bar: counts p99 <= 50 ms at {args.rate:.0f} req/s -> {verdict} ({counts['p99']:.1f} ms)\n")


if __name__ == "__main__":
    main()
