"""The public site and the console in real headless Chromium, with a CJK font: pages render in
Japanese and English, the map works without tiles, and the charts draw stored counts."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import cv2
import pytest
import uvicorn
import yaml

from roadcam.devstack.processes import free_port
from services.api.app import create_app
from services.api.auth.roles import Role
from services.api.parts import open_parts
from services.api.settings import Settings
from services.api.store.accounts import StoredAccount
from services.api.store.counts import CountOut, CrossingIn
from services.api.store.measures import QueueIn, SpeedIn
from services.api.store.operations import HealthIn
from services.api.store.view_health import ViewHealthIn
from tests.unit.api.apikit import _HASH, PASSWORD, write_config

pytestmark = pytest.mark.slow
BROWSER_DIR = Path(__file__).resolve().parents[2] / "browser"
BIN_US = 300_000_000
HOUR_US = 3_600_000_000


@pytest.fixture
def chromium_ready() -> None:
    if not shutil.which("chromium") or not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        pytest.skip("chromium or tests/browser/node_modules missing (bash install.sh --test)")
    fonts = subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout
    if not fonts.strip():
        pytest.skip("no Japanese font (apt-get install fonts-noto-cjk)")


def config_with_locations(path: Path) -> Path:
    config = yaml.safe_load(write_config(path).read_text())
    for cam, (lat, lon) in zip(config["cameras"], ((36.3895, 139.0634), (36.3912, 139.0601))):
        cam["location"] = {"lat": lat, "lon": lon, "direction": "北向き"}
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path


def seed(parts) -> None:
    now = parts.clock.now_us()
    parts.accounts.create(StoredAccount("boss", Role.MANAGER, ("*",), None, "", False, _HASH, now))
    first = (now - 6 * 3_600_000_000) // BIN_US * BIN_US
    bins = []
    for i in range(6 * 12):
        start = first + i * BIN_US
        # The first half of one whole hour (three hours in) the picture was frozen.
        frozen = start // HOUR_US == first // HOUR_US + 3 and start % HOUR_US < HOUR_US // 2
        flag = ("degraded", "frozen") if frozen else ("ok", "")
        bins += [CountOut("bridge-1", "main", "pos", "car", "小型車", start, 300, 5 + i % 7, True, *flag),
                 CountOut("bridge-1", "main", "neg", "truck", "大型車", start, 300, 1 + i % 3, True),
                 CountOut("bridge-1", "main", "pos", "person", "歩行者", start, 300, i % 4, True)]
    parts.counts.upsert_bins(bins)
    parts.counts.add_crossings([CrossingIn("bridge-1", "main", "pos", "car", "小型車", now - i * 1_000_000)
                                for i in range(1, 6)])
    parts.measures.add_queues([QueueIn("bridge-1", lane, now - i * 30_000_000, (i * 7 + len(lane)) % 40, i % 6)
                               for i in range(1, 60) for lane in ("lane-in", "lane-out")])
    parts.measures.upsert_speeds([SpeedIn("bridge-1", "main", "car", "小型車", first + i * BIN_US, 300, 5, 38 + i % 9,
                                          47 + i % 7, True) for i in range(6 * 12)])
    # The counter publishes every bin length; the 15-minute page charts the 15-minute speed bins (18 h of them).
    first_15 = (now - 18 * 3_600_000_000) // (3 * BIN_US) * (3 * BIN_US)
    parts.measures.upsert_speeds([SpeedIn("bridge-1", "main", "car", "小型車", first_15 + i * 3 * BIN_US, 900, 12,
                                          40 + i % 9, 49 + i % 7, True) for i in range(18 * 4)])
    parts.operations.upsert_health([HealthIn("bridge-1", "ONLINE", 10.0, 1e6, now, "", "NONE", 0, now, "t", now)])
    parts.view_health.upsert([ViewHealthIn("bridge-1", ("dark",), now - 600_000_000, True)])


def serve(app, port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.time() + 60  # generous: a loaded machine
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, f"uvicorn did not start on port {port} within 60 s"
    return server


def test_site_and_console_in_chromium(tmp_path: Path, chromium_ready) -> None:
    # Tiles from a closed port: the map must still show every camera.
    settings = Settings(config_file=config_with_locations(tmp_path / "cameras.yaml"), jwt_secret="x" * 40,
                        database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", consume_bus=False, health_port=0,
                        map_tile_url=f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png")
    parts = open_parts(settings)
    seed(parts)
    port = free_port()
    server = serve(create_app(settings, parts), port)
    shots = tmp_path / "shots"
    shots.mkdir()
    (tmp_path / "home").mkdir()
    try:
        proc = subprocess.run(["node", "check_site.mjs", f"http://127.0.0.1:{port}", str(shots),
                               str(tmp_path / "profile"), "bridge-1", "boss", PASSWORD],
                              cwd=BROWSER_DIR, env={**os.environ, "HOME": str(tmp_path / "home")},
                              capture_output=True, text=True, timeout=240)
    finally:
        server.should_exit = True
        parts.engine.dispose()
    keep = os.environ.get("ROADCAM_KEEP_SCREENSHOTS")
    if keep:
        shutil.copytree(shots, keep, dirs_exist_ok=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {"stderr": proc.stderr}
    assert "failure" not in result and "stderr" not in result and not result["errors"], result
    p = result["pages"]
    assert p["public-list-ja"]["lang"] == "ja" and p["public-list-ja"]["h1"] == "道路ライブカメラ"
    assert p["public-list-ja"]["videos"] == 0 and p["public-camera-ja"]["videos"] == 1
    assert "群馬県 県土整備部" in p["public-camera-ja"]["notice"] and "第三者" in p["public-camera-ja"]["notice"]
    assert p["public-camera-ja"]["paused"]  # no video in storage: the Japanese paused text shows
    assert p["public-camera-en"]["lang"] == "en" and "Recording is in operation" in p["public-camera-en"]["notice"]
    assert p["public-map-ja"]["markers"] == 2 and p["public-map-ja"]["h1"] == "地図"
    assert sorted(p["public-map-ja"]["tooltips"]) == ["Camera bridge-1", "Camera bridge-2"]
    assert p["public-opendata-ja"]["points"] >= 5 and p["public-opendata-ja"]["canvas"] == 1
    assert result["redirectedTo"] == "/console/login"
    assert p["console-cameras-ja"]["rows"] == 3 and p["console-camera-ja"]["videos"] == 1
    assert p["console-counts-ja"]["points"] >= 20 and "小型車" in p["console-counts-ja"]["live"]
    assert p["console-counts-ja"]["queuePoints"] >= 50 and p["console-counts-ja"]["speedPoints"] >= 60
    assert p["console-counts-en"]["lang"] == "en" and p["console-counts-en"]["points"] >= 6
    # The frozen half hour: 6 five-minute bins, two 15-minute bins, one hour; shaded and listed.
    assert p["console-counts-ja"]["flagged"] == 2 and p["console-counts-ja"]["flaggedRows"] == 2
    assert p["console-counts-en"]["flagged"] == 1 and "暗い" in p["console-counts-ja"]["viewHealth"]
    for name in p:
        image = cv2.imread(str(shots / f"{name}.png"))
        assert image is not None and image.std() > 10, f"{name}.png is blank"
