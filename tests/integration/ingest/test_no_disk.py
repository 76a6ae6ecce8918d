"""I3: ingest never writes video to disk. The real ingest process, traced by strace while it pulls
an RTSP camera and a file camera onto the bus, creates, writes, renames or deletes no file."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import psutil
import pytest
import yaml

from roadcam.devstack.processes import free_port
from tests.integration.ingest.harness import camera
from tests.support.fswrites import STRACE_WRITES, writes_in

pytestmark = pytest.mark.slow


def readiness(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return json.loads(response.read())
    except Exception:  # noqa: BLE001 - not up yet
        return {}


def test_ingest_writes_no_files(tmp_path, kafka_settings, redis_server, rtsp_camera_factory, looped_clip, videos):
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    server = rtsp_camera_factory({"cam": looped_clip("bridge_dense_5s.mp4", 10)})
    config = tmp_path / "cameras.yaml"
    cameras = [camera("rtsp", server.url("cam")), camera("file", str(videos / "crosswalk_peds_bikes_13s.mp4"), loop=True)]
    config.write_text(yaml.safe_dump({"version": 1, "cameras": cameras}))
    (tmp_path / "cwd").mkdir()
    port = free_port()
    env = {
        **os.environ, "HOME": str(tmp_path), "TMPDIR": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1",
        "ROADCAM_INGEST_CONFIG_FILE": str(config), "ROADCAM_INGEST_PAYLOAD__MODE": "redis",
        "ROADCAM_INGEST_KAFKA__BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
        "ROADCAM_INGEST_REDIS_URL": redis_server.url,
        "ROADCAM_INGEST_HEALTH_PORT": str(port), "ROADCAM_INGEST_HEALTH_HOST": "127.0.0.1",
    }
    before = set(tmp_path.rglob("*"))
    trace = tmp_path / "trace.txt"
    process = subprocess.Popen([*STRACE_WRITES, "-o", str(trace), sys.executable, "-m", "services.ingest"],
                               env=env, cwd=tmp_path / "cwd", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[bytes] = []
    drain = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    drain.start()
    try:
        deadline = time.monotonic() + 60
        while readiness(port).get("cameras") != {"rtsp": "ONLINE", "file": "ONLINE"} and time.monotonic() < deadline:
            time.sleep(0.5)
        assert readiness(port).get("cameras") == {"rtsp": "ONLINE", "file": "ONLINE"}
        time.sleep(5)  # seconds of video flowing to the bus
    finally:
        for child in psutil.Process(process.pid).children():  # ingest, not strace itself
            child.send_signal(signal.SIGTERM)
        exit_code = process.wait(60)
        drain.join(10)
    assert exit_code == 0, b"".join(output)[-3000:].decode(errors="replace")
    text = trace.read_text()
    assert "openat" in text  # the trace saw the process
    assert writes_in(text) == []
    new = {p for p in set(tmp_path.rglob("*")) - before if p != trace and "logs" not in p.parts}
    assert new == set()
