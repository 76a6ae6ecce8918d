"""T5: the counting path never stores images. The real service process, traced by strace while
it counts a real clip from the bus, opens no file for writing and creates, renames or deletes
nothing anywhere (only /dev, /proc and /sys are exempt)."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request

import psutil
import pytest

from roadcam.devstack.processes import free_port
from tests.integration.counter.harness import publish_clip, wait_until, write_config
from tests.support.fswrites import STRACE_WRITES, writes_in

pytestmark = pytest.mark.slow
def readiness(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
            return json.loads(r.read())
    except Exception:  # noqa: BLE001 - 503 or not up yet
        return {}


async def test_service_writes_no_files(tmp_path, kafka_settings, redis_server, videos, shared_data):
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    home = tmp_path / "home"
    for d in ("home", "cwd", "tmp", "yolo", "mpl"):
        (tmp_path / d).mkdir()
    port = free_port()
    env = {
        **os.environ, "HOME": str(home), "TMPDIR": str(tmp_path / "tmp"), "YOLO_CONFIG_DIR": str(tmp_path / "yolo"),
        "MPLCONFIGDIR": str(tmp_path / "mpl"), "PYTHONDONTWRITEBYTECODE": "1",
        "ROADCAM_COUNTER_CONFIG_FILE": str(write_config(tmp_path / "cameras.yaml")),
        "ROADCAM_COUNTER_MODEL": str(shared_data / "models/yolov8n_int8.tflite"),
        "ROADCAM_COUNTER_KAFKA__BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
        "ROADCAM_COUNTER_REDIS_URL": redis_server.url, "ROADCAM_COUNTER_SESSION_TIMEOUT_MS": "2000",
        "ROADCAM_COUNTER_FROM_BEGINNING": "true", "ROADCAM_COUNTER_SILENT_CAMERA_S": "2",
        "ROADCAM_COUNTER_HEALTH_PORT": str(port), "ROADCAM_COUNTER_HEALTH_HOST": "127.0.0.1",
    }
    # Installation step, as in a container image build: Ultralytics writes its settings file once.
    warm = (f"import numpy; from ultralytics import YOLO; YOLO({env['ROADCAM_COUNTER_MODEL']!r}, task='detect')"
            ".predict(numpy.zeros((64, 64, 3), numpy.uint8), verbose=False)")
    subprocess.run([sys.executable, "-c", warm], env=env, check=True, cwd=tmp_path / "cwd", capture_output=True)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    trace = tmp_path / "trace.txt"
    argv = [*STRACE_WRITES, "-o", str(trace), sys.executable, "-m", "services.counter"]
    # Logs go to a pipe (a log file would be a file the service writes), drained in a thread.
    process = subprocess.Popen(argv, env=env, cwd=tmp_path / "cwd", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output: list[bytes] = []
    drain = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    drain.start()
    try:
        await wait_until(lambda: readiness(port).get("partitions", 0) > 0, 120, "the service to join the group")
        await publish_clip(kafka_settings, videos / "crosswalk_peds_bikes_13s.mp4", "cam-crosswalk")
        await wait_until(lambda: readiness(port).get("crossings", 0) >= 6, 180, lambda: readiness(port))
    finally:
        for child in psutil.Process(process.pid).children():  # the service, not strace itself
            child.send_signal(signal.SIGTERM)
        exit_code = process.wait(60)  # strace exits with its tracee's status
        drain.join(10)
    assert exit_code == 0, b"".join(output)[-3000:].decode(errors="replace")
    assert readiness(port) == {}  # really stopped
    text = trace.read_text()
    assert "services.counter" in text or "openat" in text  # the trace saw the process
    assert writes_in(text) == []
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert set(after) - set(before) == {trace.relative_to(tmp_path)}


def test_write_detection_catches_writes():
    trace = "\n".join([
        '1 openat(AT_FDCWD, "/x/frame.jpg", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 5',
        '1 openat(AT_FDCWD, "/usr/lib/x.so", O_RDONLY|O_CLOEXEC) = 3',
        '1 openat(AT_FDCWD, "/dev/shm/x", O_RDWR|O_CREAT, 0600) = 4',
        '1 mkdir("/tmp/crops", 0777) = 0',
        '1 openat(AT_FDCWD, "/nope", O_WRONLY|O_CREAT, 0666) = -1 EACCES (Permission denied)',
        '1 openat(AT_FDCWD, "/t/probe", O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600) = 7',
        '1 unlink("/t/probe") = 0',
        '1 openat(AT_FDCWD, "/t/crop", O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600) = 8',
        '1 write(8</t/crop>, ""..., 4096) = 4096',
        '1 write(8</t/crop>, ""..., 4) = 4',
        '1 openat(AT_FDCWD, "/t/probe2", O_RDWR|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600) = 7',
        '1 write(7</t/probe2>, ""..., 4) = 4',
        '1 unlink("/t/probe2") = 0',
        '1 unlink("/t/crop") = 0',
        '1 write(9<socket:[123]>, ""..., 100) = 100',
    ])
    assert [re.findall(r'["<](/[^">]*)', w)[0] for w in writes_in(trace)] == [
        "/x/frame.jpg", "/tmp/crops", "/t/crop", "/t/crop"]
