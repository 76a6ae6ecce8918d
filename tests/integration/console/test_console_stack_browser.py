"""Issue 10's first "Done when", end to end on the real local stack: `roadcam up --models DIR --source
crosswalk clip` as a user runs it (a child process on free ports in a tmp dir). Counts reach the console
with no other step; a manager in headless Chromium imports calibration, lanes and a location through the config
editor, draws a counting line and a privacy mask on the snapshot and saves with a reason; the counter
counts on the new line and the next public frames carry the mask; the audit page shows the change with
its diff; the count, queue and speed charts draw the clip's data; the public page and map render in
Japanese and English. Timings are measured and printed, not asserted as speed bars (the machine is shared)."""
from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import av
import numpy as np
import pytest

from roadcam.common.devhooks import free_port
from tests.integration.anonymizer.test_live_config import block_std, is_slate, scene
from tests.integration.console.test_site_browser import BROWSER_DIR, chromium_ready  # noqa: F401 (fixture)
from tests.system.stack import SystemStack, wait_until

pytestmark = pytest.mark.slow
CLIP, CAMERA, LINE_ID = "crosswalk_peds_bikes_13s.mp4", "cam-1", "drawn-crossing"
# What the manager does, in fractions of the snapshot (the clip is 640x352, its public view 320x176).
# The line is the ground truth's (x 440, y 175..350): people on the zebra crossing walk across it.
# The mask covers the windows of the building at the top right.
PLAN = {
    "line": {"id": LINE_ID, "pos": "左へ", "neg": "右へ", "from": [440 / 640, 175 / 352], "to": [440 / 640, 348 / 352]},
    "mask": {"name": "建物の窓", "points": [[0.8, 0.01], [0.99, 0.01], [0.99, 0.33], [0.8, 0.33]]},
    "drawReason": "横断歩道の歩行者を数え、建物の窓を隠すため",
    "measuresReason": "待ち行列と速度のために路面の較正と車線を設定、地図に設置場所を登録",
    "location": {"lat": 36.3895, "lon": 139.0634, "direction": "北向き"},  # a demo place (the clip is not in Japan)
    # An approximate ground plane from the zebra crossing (about 14 m across the road, 3 m wide) and one
    # approach lane up to it: enough for T3 figures in the demo, not a surveyed calibration.
    "calibration": {"image_points": [[195, 262], [560, 215], [640, 262], [230, 300]],
                    "ground_points_m": [[0, 0], [14, 0], [14, 3], [0, 3]]},
    "lanes": [{"id": "approach-crossing", "polygon": [[60, 170], [330, 150], [560, 215], [195, 262]],
               "head": [378, 238]}],
}
# Whole 16-px mosaic cells inside the mask in the 320x176 public frame (x 256..317, y 2..58).
MASK_CELLS = (slice(8, 56), slice(272, 304))


class StackApi:
    """The stack's api as people reach it: REST with the first manager's token, the public HLS."""

    def __init__(self, stack: SystemStack) -> None:
        self.base = stack.state()["urls"]["api"].rstrip("/")
        self.password = (stack.run_dir / "api-manager-password.txt").read_text().strip()
        self.token, self.signed_in = "", 0.0

    def bearer(self) -> str:
        """The first manager's token, renewed well before its 15 minutes run out."""
        if time.monotonic() - self.signed_in > 600:
            body = json.dumps({"username": "admin", "password": self.password}).encode()
            request = urllib.request.Request(f"{self.base}/api/v1/auth/token", body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as resp:
                self.token, self.signed_in = json.loads(resp.read())["access_token"], time.monotonic()
        return self.token

    def rows(self, path: str) -> list[dict]:
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"Bearer {self.bearer()}"})
        with urllib.request.urlopen(request, timeout=30) as resp:
            return json.loads(resp.read())["rows"]

    def public(self, path: str) -> bytes | None:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as resp:
                return resp.read()
        except urllib.error.HTTPError:
            return None

    def segments(self) -> list[str]:
        playlist = (self.public(f"/hls/{CAMERA}/index.m3u8") or b"").decode()
        return [line.strip() for line in playlist.splitlines() if line.strip().endswith(".ts")]

    def frames(self, name: str) -> list[np.ndarray]:
        data = self.public(f"/hls/{CAMERA}/{name}")
        if not data:  # already rotated out of the playlist and the bucket
            return []
        with av.open(io.BytesIO(data), format="mpegts") as container:
            return [f.to_ndarray(format="bgr24") for f in container.decode(video=0)]


@pytest.fixture
def stack(tmp_path: Path, shared_data: Path, videos: Path):
    # Tiles from a closed local port: the map must work without them (the machine may be offline).
    # The anonymizer's overload limits (1 s a frame, 4 s behind) fail closed on a shared 2-core machine
    # under load: the public view would stay paused the whole run. Generous limits, as in its own tests.
    env = {"ROADCAM_API_MAP_TILE_URL": f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png",
           "ROADCAM_ANONYMIZER_DETECTION__FRAME_TIMEOUT_S": "10", "ROADCAM_ANONYMIZER_HLS__MAX_LAG_S": "30",
           "ROADCAM_ANONYMIZER_HLS__SLATE_AFTER_S": "10"}
    up = SystemStack(tmp_path / "stack", [], shared_data / "models", sources=[str(videos / CLIP)], env=env)
    launched = time.monotonic()
    try:
        up.start(timeout=240)
        yield up, launched
    finally:
        up.stop()


def browser(phase: str, api: StackApi, tmp_path: Path) -> dict:
    shots, home = tmp_path / "shots", tmp_path / "home"
    shots.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    try:
        proc = subprocess.run(["node", "console_stack.mjs", phase, api.base, str(shots), str(tmp_path / f"profile-{phase}"),
                               CAMERA, "admin", api.password, json.dumps(PLAN)], cwd=BROWSER_DIR,
                              env={**os.environ, "HOME": str(home), "TZ": "Asia/Tokyo"},  # an operator's browser in Japan
                              capture_output=True, text=True, timeout=900)
    finally:
        if os.environ.get("ROADCAM_KEEP_SCREENSHOTS"):
            shutil.copytree(shots, os.environ["ROADCAM_KEEP_SCREENSHOTS"], dirs_exist_ok=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {"stderr": proc.stderr}
    assert "failure" not in result and "stderr" not in result and not result["errors"], result
    return result


def live_rows(api: StackApi, line: str | None = None) -> list[dict]:
    return [r for r in api.rows(f"/api/v1/counts/live?camera={CAMERA}") if line in (None, r["line_id"])]


class PublicWatch(threading.Thread):
    """Every public segment of the camera as it appears in the playlist (the window is ~12 s, too short
    to look back later): when it appeared and, per live (not slate) frame, the spread in the mask cells
    and in the left part of the view (~0 inside a mosaic, large for the scene)."""

    def __init__(self, api: StackApi) -> None:
        super().__init__(daemon=True)
        self.api, self.seen, self.stopped = api, {}, threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                for name in [n for n in self.api.segments() if n not in self.seen]:
                    live = [f for f in self.api.frames(name) if not is_slate(f)]
                    self.seen[name] = {"at": time.time(), "mask": [block_std(f[MASK_CELLS]) for f in live],
                                       "rest": [block_std(f[:, :240]) for f in live]}
            except (OSError, av.FFmpegError):  # the api busy, a segment cut short: look again
                pass
            self.stopped.wait(0.5)

    def scene(self, timeout: float) -> list[float]:
        """Mask-cell spreads of the first live frames (waits for the view to show the scene)."""
        return wait_until(lambda: [v for s in list(self.seen.values()) for v in s["mask"]], timeout, 1, "a live frame")

    def after(self, at_save: list[str], saved_s: float) -> list[dict]:
        return [s for n, s in list(self.seen.items()) if n not in at_save and s["at"] >= saved_s]


@pytest.fixture
def watch(stack):
    up, _ = stack
    public = PublicWatch(StackApi(up))
    public.start()
    yield public
    public.stopped.set()
    public.join(30)


def first_counts(stack: SystemStack, launched: float) -> tuple[StackApi, dict]:
    """Counts in the console with no other step: seconds from `roadcam up` to the first live tally
    (crossings) and to the first count bin (the chart's data)."""
    api = StackApi(stack)
    timing = {"up_s": round(time.monotonic() - launched, 1)}
    wait_until(lambda: live_rows(api), 300, 1, "first live tallies")
    timing["live_tally_s"] = round(time.monotonic() - launched, 1)
    wait_until(lambda: api.rows(f"/api/v1/counts?camera={CAMERA}&bin=5"), 300, 1, "first count bins")
    timing["count_bins_s"] = round(time.monotonic() - launched, 1)
    return api, timing


def masked_after(watch: PublicWatch, drawing: dict) -> dict:
    """The public segments published after save 2: the first one with a live frame, and the spreads."""
    saved_s = drawing["clickedMs"] / 1000
    wait_until(lambda: any(s["mask"] for s in watch.after(drawing["segmentsAtSave"], saved_s)), 180, 1,
               "a live public frame after the save")
    after = watch.after(drawing["segmentsAtSave"], saved_s)
    first = next(s for s in after if s["mask"])
    return {"first_live_s": round(first["at"] - saved_s, 1), "segments": len(after),
            "mask": [round(v, 2) for s in after for v in s["mask"]], "rest": [round(v, 2) for s in after for v in s["rest"]]}


def test_console_on_the_live_stack(chromium_ready, tmp_path: Path, stack, watch) -> None:  # noqa: F811 (fixture)
    up, launched = stack
    api, timing = first_counts(up, launched)
    print(f"\nconsole stack: counts after roadcam up: {timing}")
    assert statistics.median(watch.scene(180)) > 8, "the mask region has no detail to hide"
    configured = browser("configure", api, tmp_path)
    assert configured["snapshot"] == "loaded" and configured["cameraRows"] == 1, configured
    assert configured["afterSnapshot"] == "loaded", "the still never showed the scene again after the save"
    assert "オンライン" in configured["cameraRow"], configured["cameraRow"]  # ingest health reached the console
    measures, drawing = configured["measures"], configured["drawing"]
    assert "calibration" in measures["diff"] and "approach-crossing" in measures["diff"] and "北向き" in measures["diff"]
    assert f"id: {LINE_ID}" in drawing["diff"] and "建物の窓" in drawing["diff"], drawing["diff"]
    (line,) = [ln for ln in configured["lines"] if ln[0] == LINE_ID]
    assert abs(line[1][0] - 440) <= 4 and abs(line[2][0] - 440) <= 4 and line[2][1] - line[1][1] > 160, line
    assert drawing["lineCountedMs"] is not None, f"no crossings on {LINE_ID} in the console within 180 s"
    timing["line_counted_s"] = drawing["lineCountedMs"] / 1000
    masked = masked_after(watch, drawing)
    timing["first_masked_segment_s"] = masked["first_live_s"]
    print(f"\nconsole stack timings: {timing}; after save 2: {masked}")
    # ~0 inside the mosaic (x264 noise reached 2.24 once), ~18 for this part of the scene unmasked
    assert max(masked["mask"]) < 4, f"a public frame without the new mask: {masked}"
    # the motion gate smears what moves there too (one frame reached 7.72 in CI): never a mosaic, mostly scene
    assert scene(masked["rest"]), f"the rest of the view should still be the scene: {masked}"
    assert live_rows(api, LINE_ID), "the api does not list the new line's crossings"
    # Speed bins are published when a 5-minute bin closes (+10 s): up to ~5.5 min after save 1.
    wait_until(lambda: api.rows(f"/api/v1/speeds?camera={CAMERA}"), 480, 5, "speed bins")
    wait_until(lambda: api.rows(f"/api/v1/queue-lengths?camera={CAMERA}"), 120, 2, "queue lengths")
    timing["speeds_after_calibration_s"] = round(time.time() - measures["clickedMs"] / 1000, 1)
    five_min_bins = lambda: len({r["bin_start"] for r in api.rows(f"/api/v1/speeds?camera={CAMERA}&bin=5")})  # noqa: E731
    before = five_min_bins()
    reviewed = browser("review", api, tmp_path)
    print(f"console stack timings: {timing}; review: {reviewed}")
    check_review(reviewed["pages"])
    # the 5-minute page charts 5-minute speed bins only (not the 15/60-minute ones closed at the same time)
    assert before <= reviewed["pages"]["console-counts-ja"]["speeds"]["points"] <= five_min_bins()
    whole_run = masked_after(watch, drawing)  # every live public frame from the save to the end of the test
    print(f"masked public frames after save 2 until the end: {len(whole_run['mask'])} in {whole_run['segments']} segments")
    assert max(whole_run["mask"]) < 4 and scene(whole_run["rest"]), whole_run


def check_review(p: dict) -> None:
    audit = p["console-audit"]["row"]
    assert "config_change" in audit and f"+  - id: {LINE_ID}" in audit and "建物の窓" in audit, audit
    counts = p["console-counts-ja"]
    for chart in ("counts", "queues", "speeds"):
        assert counts[chart]["canvas"] == 1 and counts[chart]["points"] >= 1, (chart, counts[chart])
        assert counts[chart]["seriesPixels"] > 50, f"{chart} chart draws no series: {counts[chart]}"
    assert LINE_ID in counts["live"] and "歩行者" in counts["live"], counts["live"]
    assert p["console-counts-en"]["lang"] == "en" and p["console-counts-en"]["counts"]["seriesPixels"] > 50
    for lang, recording in (("ja", "録画を行っています"), ("en", "Recording is in operation")):
        camera = p[f"public-camera-{lang}"]
        assert camera["lang"] == lang and recording in camera["notice"], camera
        assert not camera["paused"] and camera["playedS"] > 0, f"public player did not play: {camera}"
        assert p[f"public-map-{lang}"]["lang"] == lang and p[f"public-map-{lang}"]["markers"] == 1, p[f"public-map-{lang}"]
        assert p[f"public-map-{lang}"]["tooltips"] == ["Camera 1"], p[f"public-map-{lang}"]
    assert p["public-map-ja"]["h1"] == "地図" and p["public-map-en"]["h1"] == "Map"
