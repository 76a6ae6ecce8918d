"""Marking the requester in real headless Chromium (PNG shots): the still loads, the dragged box lands in
the form in the clip's pixels, and the export made from it carries that box and verifies offline."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import cv2
import pytest

from roadcam.devstack.processes import free_port
from services.api.disclosure.redacted_clip import ClipRedactor
from tests.integration.console.test_site_browser import BROWSER_DIR, chromium_ready, serve  # noqa: F401
from tests.integration.disclosure.flow import CAMERA
from tests.integration.disclosure.test_footage_flow import verify_export
from tests.integration.disclosure.test_self_disclosure import frames, world  # noqa: F401
from tests.unit.api.apikit import PASSWORD

pytestmark = pytest.mark.slow


def run_browser(tmp_path: Path, port: int, request_id: int, frame: int, box: list[int]) -> dict:
    (tmp_path / "shots").mkdir()
    (tmp_path / "home").mkdir()
    args = [f"http://127.0.0.1:{port}", str(tmp_path / "shots"), str(request_id), CAMERA, str(frame),
            *map(str, box), "op-roads", PASSWORD]
    proc = subprocess.run(["node", "check_self_disclosure.mjs", *args], cwd=BROWSER_DIR, capture_output=True,
                          text=True, env={**os.environ, "HOME": str(tmp_path / "home")}, timeout=1200)
    keep = os.environ.get("ROADCAM_KEEP_SCREENSHOTS")
    if keep:
        shutil.copytree(tmp_path / "shots", keep, dirs_exist_ok=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {"stderr": proc.stderr}


def test_the_operator_draws_the_box_and_exports_in_chromium(world, tmp_path: Path, chromium_ready) -> None:
    api, configure, req, redaction, original = world
    configure(redaction)
    source = frames(original)
    frame = 5
    person = max((b for b in ClipRedactor(redaction).detect(source[frame]) if b.kind == "person"),
                 key=lambda b: (b.x2 - b.x1) * (b.y2 - b.y1))
    box = [round(person.x1), round(person.y1), round(person.x2), round(person.y2)]
    port = free_port()
    server = serve(api.client.app, port)
    try:
        result = run_browser(tmp_path, port, req["id"], frame, box)
    finally:
        server.should_exit = True
    assert "failure" not in result and "stderr" not in result and not result["errors"], result
    assert str(len(source)) in result["countText"] and not result["error"], result
    drawn = [int(v) for v in result["box"].split(",")]
    assert max(abs(a - b) for a, b in zip(drawn, box)) <= 3, (drawn, box)  # the drag, in the clip's pixels
    assert len(result["links"]) == 1
    got = api.client.get(urlparse(result["links"][0]).path)
    assert got.status_code == 200
    with zipfile.ZipFile(io.BytesIO(got.content)) as z:
        z.extractall(tmp_path / "got")
    clip = tmp_path / "got" / f"request-{req['id']}-{CAMERA}.mp4"
    manifest = clip.with_name(clip.stem + ".manifest.json")
    doc = json.loads(manifest.read_text())
    assert doc["redaction"]["marked_frame"] == frame and doc["redaction"]["marked_box"] == drawn
    code, out = verify_export(clip, manifest)
    assert code == 0, out
    for name in result["shots"]:
        image = cv2.imread(str(tmp_path / "shots" / f"{name}.png"))
        assert image is not None and image.std() > 10, f"{name}.png is blank"
