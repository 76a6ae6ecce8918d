"""The public page in real headless Chromium: hls.js (served locally) plays the live HLS."""
import asyncio
import json
import logging
import os
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import av
import cv2
import pytest
import redis.asyncio as aioredis
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from services.anonymizer.bootstrap import make_anonymizer
from services.anonymizer.channel import CameraChannel
from services.anonymizer.playlist_repo import RedisStateRepo
from services.anonymizer.segment_sink import S3Sink, make_minio
from services.api.public import create_router
from roadcam.common.camconfig import load_config
from roadcam.common.settings import KafkaSettings, S3Settings
from roadcam.devstack.processes import free_port
from tests.integration.anonymizer.harness import anonymizer_settings, models, tolerant_of_load, write_config

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)
ADVANCE_S = 5.0  # media seconds the player must play through
BROWSER_DIR = Path(__file__).resolve().parents[2] / "browser"


class LiveCamera(threading.Thread):
    """Feeds a clip through the real CameraChannel at 10 fps wall-clock, as the service would."""

    def __init__(self, clip: Path, channel: CameraChannel) -> None:
        super().__init__(daemon=True)
        self.clip, self.channel = clip, channel
        self.stop = threading.Event()
        self.error: Exception | None = None
        self.frames_live = self.frames_paused = 0  # anonymized frames encoded / frames the channel withheld
        self.slowest_s = 0.0

    def run(self) -> None:
        try:
            asyncio.run(self._feed())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    async def _feed(self) -> None:
        next_t = time.time()
        while not self.stop.is_set():
            with av.open(str(self.clip)) as c:
                for i, frame in enumerate(c.decode(video=0)):
                    if self.stop.is_set():
                        return
                    if i % 3:
                        continue  # 30 fps clip -> 10 fps
                    await asyncio.sleep(max(0.0, next_t - time.time()))
                    next_t += 0.1
                    began = time.monotonic()
                    segment = self.channel.process(frame.to_ndarray(format="bgr24"), int(time.time() * 1e6))
                    self.slowest_s = max(self.slowest_s, time.monotonic() - began)
                    self.frames_live += self.channel.live
                    self.frames_paused += not self.channel.live
                    if segment:
                        await self.channel.publish(segment)


def serve(app: FastAPI, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.time() + 60
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, f"uvicorn did not start on port {port} within 60 s"
    return server


@pytest.fixture
def chromium_ready():
    if not shutil.which("chromium") or not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        pytest.skip("chromium or tests/browser/node_modules missing (bash install.sh --test)")


def play_in_chromium(page_url: str, tmp_path: Path) -> tuple[dict, Path]:
    """check_player.mjs's JSON result and the page screenshot."""
    home = tmp_path / "home"
    home.mkdir()
    shot = tmp_path / "page.png"
    proc = subprocess.run(["node", "check_player.mjs", page_url, str(shot), str(tmp_path / "profile"), str(ADVANCE_S), "240"],
                          cwd=BROWSER_DIR, env={**os.environ, "HOME": str(home)}, capture_output=True, text=True,
                          timeout=300)
    result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {"stderr": proc.stderr}
    return result, shot


def public_app(config: Path, s3_server, bucket: str) -> FastAPI:
    api_settings = SimpleNamespace(config_file=config, s3=S3Settings(endpoint=s3_server.endpoint, ca_file=s3_server.ca_file,
                                   access_key="test"), s3_secret_key=SecretStr("test-secret"), public_bucket=bucket)
    app = FastAPI()
    app.include_router(create_router(api_settings))
    return app


def test_page_plays_live_hls_in_chromium(tmp_path, chromium_ready, redis_server, s3_server, videos, shared_data):
    config = write_config(tmp_path, videos / "bridge_dense_5s.mp4")
    bucket = f"pub-{uuid.uuid4().hex[:8]}"
    settings = tolerant_of_load(
        anonymizer_settings(config, KafkaSettings(), redis_server.url, s3_server, bucket, models(shared_data)))
    camera = load_config(config).cameras[0]
    anonymizer, error = make_anonymizer(settings, camera)
    assert error is None
    sink = S3Sink(make_minio(settings.s3, settings.s3_secret_key.get_secret_value()), bucket)
    repo = RedisStateRepo(aioredis.from_url(redis_server.url))
    live = LiveCamera(videos / "bridge_dense_5s.mp4", CameraChannel(camera, anonymizer, None, settings.hls, sink, repo, "a"))
    port = free_port()
    server = serve(public_app(config, s3_server, bucket), port)
    live.start()
    try:
        result, shot = play_in_chromium(f"http://127.0.0.1:{port}/cameras/{camera.id}", tmp_path)
    finally:
        live.stop.set()
        live.join(10)
        server.should_exit = True
    assert live.error is None, live.error
    # Timings are the machine's, not the test's subject: logged, never asserted.
    log.info("playback started %.1f s after opening the page; %.1f media s took %.1f s; slowest frame %.2f s; "
             "%d frames live, %d withheld; the player showed a scene %d times, the slate %d times",
             result.get("startedAfterS", -1), result.get("advanced", -1), result.get("advanceTookS", -1),
             live.slowest_s, live.frames_live, live.frames_paused, result.get("scenes", 0), result.get("slates", 0))
    assert "failure" not in result and "stderr" not in result, result
    assert result["lang"] == "ja" and "群馬県 道路管理課" in result["notice"]
    assert result["advanced"] >= ADVANCE_S, result  # the player kept playing, however slowly it was fed
    assert not result["paused"] and result["error"] is None, result
    assert live.frames_live > 0, "the channel never published an anonymized frame"
    image = cv2.imread(str(shot))
    assert image is not None and image.std() > 20, "screenshot is blank"
    assert result["scenes"] > 0, f"the player never showed an anonymized scene, only the paused slate: {result}"
    keep = os.environ.get("ROADCAM_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
