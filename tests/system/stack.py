"""A real local stack for the fault suite: `roadcam up` as a child process, as an operator runs it.

Faults are injected the way they happen: SIGKILL (a crash; `roadcam up` restarts the process),
SIGSTOP/SIGCONT (a server that hangs: S3 "down" without losing what it stores). Observations use
only what operators have: /readyz, Redis health, the buckets, `roadcam recordings verify`, logs.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import redis
import yaml

from roadcam.common.devhooks import StackInfo
from roadcam.common.s3 import minio_client
from roadcam.common.settings import S3Settings
from roadcam.devstack.stack import S3_ACCESS_KEY, S3_SECRET_KEY, service_env

RECORDINGS, PUBLIC = "roadcam-recordings", "roadcam-public"
# Lines that are errors in a service log (aiokafka's connection noise while the broker is away
# is expected during a broker fault and filtered by the caller's `allowed`).
ERROR_LINE = re.compile(r"\bERROR\b|\bCRITICAL\b|Traceback")


def wait_until(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout:.0f}s")
        time.sleep(interval)


def camera_entry(camera_id: str, url: str, size: tuple[int, int], segment_seconds: float = 4) -> dict:
    w, h = size
    return {
        "id": camera_id, "name": camera_id, "source": {"url": url, "transport": "tcp"},
        "purposes": ["road_management", "traffic_survey", "crime_prevention"], "department": "local",
        "notice": {"operator": "test", "purpose": "test", "contact": "test"}, "frame_size": [w, h],
        "counting_lines": [{"id": "l", "start": [w // 20, h * 6 // 10], "end": [w * 19 // 20, h * 6 // 10],
                            "pos_name": "down", "neg_name": "up"}],
        "public_view": {"width": 320, "height": 180, "fps": 5},
        "recording": {"enabled": True, "segment_seconds": segment_seconds},
    }


@dataclass
class SystemStack:
    home: Path
    cameras: list[dict]
    models: Path | None = None
    services: str = "ingest,anonymizer,counter,recorder,api"
    env: dict[str, str] = field(default_factory=dict)
    # `roadcam up --source ...` instead of a written config; `cameras` is then what `up` generated.
    sources: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None
    started_us: int = 0

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def up_log(self) -> Path:
        """What `roadcam up` printed, including the supervisor's restart messages."""
        return self.home / "up.log"

    def start(self, timeout: float = 180) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "roadcam.cli.main", "up", *self._camera_args(), "--run-dir",
                str(self.run_dir), "--services", self.services, "--roll-minutes", "0", "--memory-interval", "5"]
        if self.models:
            argv += ["--models", str(self.models)]
        env = {**os.environ, "ROADCAM_HOME": str(self.home), **self.env}
        with open(self.up_log, "ab") as out:
            self.process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"roadcam up exited: {self.up_log.read_text()}")
            return "Ctrl-C" in self.up_log.read_text()
        wait_until(up, timeout, 0.5, "roadcam up")
        self.started_us = int(time.time() * 1e6)
        if self.sources:
            self.cameras = yaml.safe_load((self.run_dir / "cameras.yaml").read_text())["cameras"]

    def _camera_args(self) -> list[str]:
        if self.sources:
            return [arg for source in self.sources for arg in ("--source", source)]
        config = self.home / "cameras.yaml"
        config.write_text(yaml.safe_dump({"version": 1, "cameras": self.cameras}))
        return ["--config", str(config)]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)

    # --- state and faults -------------------------------------------------------------------
    def state(self) -> dict:
        return json.loads((self.run_dir / "stack.json").read_text())

    def pid(self, name: str) -> int:
        return self.state()["children"][name]

    def signal(self, name: str, sig: int) -> int:
        pid = self.pid(name)
        os.kill(pid, sig)
        return pid

    def kill(self, name: str) -> int:
        return self.signal(name, signal.SIGKILL)

    def wait_restarted(self, name: str, old_pid: int, timeout: float = 60) -> int:
        def restarted():
            try:
                pid = self.pid(name)
            except (KeyError, json.JSONDecodeError, FileNotFoundError):
                return None
            return pid if pid != old_pid and Path(f"/proc/{pid}").exists() else None
        return wait_until(restarted, timeout, 0.2, f"{name} restarted")

    def restarts(self) -> dict[str, int]:
        return {n: r["restarts"] for n, r in self.state().get("restarts", {}).items()}

    # --- observation ------------------------------------------------------------------------
    def ready(self, name: str) -> tuple[bool, dict]:
        url = self.state()["urls"][name]
        if name == "api":
            url = url.rstrip("/") + "/readyz"
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                return resp.status == 200, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            return False, json.loads(exc.read() or b"{}")
        except (OSError, ValueError) as exc:
            return False, {"error": str(exc)}

    def all_ready(self, names) -> bool:
        return all(self.ready(n)[0] for n in names)

    def infra(self) -> StackInfo:
        return StackInfo(**self.state()["infra"])

    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.state()["urls"]["redis"], decode_responses=True, socket_timeout=3)

    def camera_health(self, camera_id: str) -> dict:
        return self.redis().hgetall(f"roadcam:camera:{camera_id}:health")

    def s3(self):
        infra = self.infra()
        return minio_client(S3Settings(endpoint=infra.s3_endpoint, ca_file=infra.s3_ca_file,
                                       access_key=S3_ACCESS_KEY), S3_SECRET_KEY, timeout_s=5, sdk_retries=0)

    def objects(self, bucket: str, prefix: str = "") -> list[str]:
        client = self.s3()
        if not client.bucket_exists(bucket):
            return []
        return sorted(o.object_name for o in client.list_objects(bucket, prefix=prefix, recursive=True))

    def recorded(self, camera_id: str) -> list[tuple[int, int]]:
        """(start_us, end_us) of every stored segment of a camera, from the object keys."""
        spans = []
        for key in self.objects(RECORDINGS, f"{camera_id}/"):
            found = re.search(r"(\d{16})-(\d{16})\.ts\.enc$", key)
            if found:
                spans.append((int(found[1]), int(found[2])))
        return sorted(spans)

    def verify(self, camera_id: str, start_us: int, end_us: int) -> tuple[str, list[str]]:
        """`roadcam recordings verify` as an operator runs it: (status, finding lines)."""
        env, _ = service_env("recorder", self.infra(), 0)
        out = subprocess.run(
            [sys.executable, "-m", "roadcam.cli.main", "recordings", "verify", camera_id,
             "--from", str(start_us), "--to", str(end_us)],
            env={**os.environ, **env}, capture_output=True, text=True, timeout=180,
        )
        lines = out.stdout.strip().splitlines()
        if not lines or ":" not in lines[-1]:
            raise AssertionError(f"verify failed: {out.stdout}\n{out.stderr}")
        status = lines[-1].split(":", 1)[1].split(",")[0].strip()
        return status, lines[:-1]

    def log_errors(self, allowed: tuple[str, ...] = ()) -> dict[str, list[str]]:
        """ERROR lines and tracebacks of every service log, minus the patterns a fault explains."""
        found = {}
        for log in sorted((self.run_dir / "logs").glob("*.log")):
            if log.stem in ("kafka", "redis", "s3") or log.stem.startswith("rtsp"):
                continue
            bad = [line for line in log.read_text(errors="replace").splitlines()
                   if ERROR_LINE.search(line) and not any(a in line for a in allowed)]
            if bad:
                found[log.stem] = bad[:20]
        return found

    def rss_kb(self) -> dict[str, int]:
        rss = {}
        for name, pid in self.state()["children"].items():
            try:
                text = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            rss[name] = int(re.search(r"VmRSS:\s+(\d+)", text)[1])
        return rss
