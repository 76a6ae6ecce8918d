"""The local stack: `roadcam up` / `status` / `down` as a user runs them, and topic rolling."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from roadcam.common.blobs import RedisBlobStore
from roadcam.common.bus import BusConsumer, roll_topics
from roadcam.common import topics
from roadcam.common.video_feed import VideoFeed
from tests.integration.ingest.harness import camera, ingest_settings, running_ingest

pytestmark = pytest.mark.slow


def roadcam(*args: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "roadcam.cli.main", *args], env=env, capture_output=True, text=True, timeout=timeout)


def kill_and_wait_for_restart(state_file: Path, name: str, timeout: float = 30) -> dict:
    """SIGKILL one child of `roadcam up`; its supervisor must start it again (a new pid in stack.json)."""
    old_pid = json.loads(state_file.read_text())["children"][name]
    os.kill(old_pid, 9)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = json.loads(state_file.read_text())
        pid = state["children"][name]
        if pid != old_pid and Path(f"/proc/{pid}").exists() and state["restarts"][name]["restarts"] == 1:
            return state
        time.sleep(0.3)
    raise AssertionError(f"{name} was not restarted within {timeout}s: {state_file.read_text()}")


def test_roadcam_up_runs_a_sample_camera_and_down_stops_everything(tmp_path: Path) -> None:
    env = {**os.environ, "ROADCAM_HOME": str(tmp_path / "home")}
    up = subprocess.Popen([sys.executable, "-m", "roadcam.cli.main", "up", "--services", "ingest"],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        while not lines or "Ctrl-C" not in lines[-1]:
            lines.append(up.stdout.readline())
            assert lines[-1], f"roadcam up ended early: {lines}"
        assert "roadcam is up" in lines[0], lines
        state = json.loads((tmp_path / "home" / "current" / "stack.json").read_text())
        ready_url = state["urls"]["ingest"]
        deadline = time.monotonic() + 30
        body = {}
        while time.monotonic() < deadline:
            try:
                body = json.loads(urllib.request.urlopen(ready_url, timeout=5).read())
            except OSError:
                body = {}
            if body.get("cameras", {}).get("sample-1") == "ONLINE":
                break
            time.sleep(0.5)
        assert body["cameras"]["sample-1"] == "ONLINE"  # the generated test pattern is flowing
        status = roadcam("status", env=env)
        assert status.returncode == 0 and "total RSS" in status.stdout and "restarts 0" in status.stdout
        state = kill_and_wait_for_restart(tmp_path / "home" / "current" / "stack.json", "ingest")
        assert "ingest" in roadcam("status", env=env).stdout.split("restarts 1")[0].splitlines()[-1]
        assert roadcam("down", env=env).returncode == 0
        assert up.wait(30) == 0
    finally:
        if up.poll() is None:
            up.kill()
    pids = state["children"].values()
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)
    assert (tmp_path / "home" / "current" / "logs" / "ingest.log").exists()


async def test_consumers_keep_receiving_after_the_video_topic_is_rolled(
    tmp_path, kafka_settings, redis_server, videos
) -> None:
    settings = ingest_settings(tmp_path, [camera("cam", str(videos / "crosswalk_peds_bikes_13s.mp4"), loop=True)],
                               kafka_settings, redis_server.url)
    consumer = BusConsumer(kafka_settings, None, [topics.VIDEO], "roll-test", from_beginning=True, session_timeout_ms=2000)
    feed = VideoFeed(consumer, RedisBlobStore(aioredis.from_url(redis_server.url), 300), target_fps=5)
    before, after, events = [], [], []
    async with running_ingest(settings):
        await consumer.start()
        loop = asyncio.get_running_loop()
        started, rolled = loop.time(), False
        async for batch in feed.batches():
            (after if rolled else before).extend(batch.frames)
            events += batch.events
            if not rolled and loop.time() - started > 4:
                await roll_topics(kafka_settings, None, [topics.VIDEO])
                rolled = True
            if loop.time() - started > 14:
                break
        await consumer.stop()
    assert len(before) >= 10
    assert len(after) >= 20  # frames keep coming from the re-created topic
    assert after[-1].capture_time_us > before[-1].capture_time_us + 5_000_000
