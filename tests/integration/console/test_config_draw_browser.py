"""In real headless Chromium a manager draws a counting line and a privacy mask on the camera still,
previews the diff and saves with a reason; the version and the audit entry hold the drawn shapes."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from roadcam.devstack.processes import free_port
from services.api.app import create_app
from services.api.auth.roles import Role
from services.api.console.config_versions import ConfigVersions
from services.api.parts import open_parts
from services.api.settings import Settings
from services.api.store.accounts import StoredAccount
from tests.integration.console.test_site_browser import BROWSER_DIR, serve
from tests.unit.api.apikit import _HASH, PASSWORD, write_config

pytestmark = pytest.mark.slow


def test_manager_draws_a_line_and_a_mask_and_saves_with_a_reason(tmp_path: Path) -> None:
    if not shutil.which("chromium") or not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        pytest.skip("chromium or tests/browser/node_modules missing (bash install.sh --test)")
    settings = Settings(config_file=write_config(tmp_path / "cameras.yaml"), jwt_secret="x" * 40,
                        database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", consume_bus=False, health_port=0)
    parts = open_parts(settings)
    parts.accounts.create(StoredAccount("boss", Role.MANAGER, ("*",), None, "", False, _HASH, parts.clock.now_us()))
    port = free_port()
    server = serve(create_app(settings, parts), port)
    shots = tmp_path / "shots"
    shots.mkdir()
    (tmp_path / "home").mkdir()
    try:
        proc = subprocess.run(["node", "draw_config.mjs", f"http://127.0.0.1:{port}", str(shots),
                               str(tmp_path / "profile"), "bridge-1", "boss", PASSWORD], cwd=BROWSER_DIR,
                              env={**os.environ, "HOME": str(tmp_path / "home")}, capture_output=True, text=True,
                              timeout=180)
        if os.environ.get("ROADCAM_KEEP_SCREENSHOTS"):
            shutil.copytree(shots, os.environ["ROADCAM_KEEP_SCREENSHOTS"], dirs_exist_ok=True)
        result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {"stderr": proc.stderr}
        assert "failure" not in result and "stderr" not in result and not result["errors"], result
        assert result["snapshot"] == "missing"  # no video in this test: drawing works on the frame outline
        (line_id, start, end), = [ln for ln in result["lines"] if ln[0] == "drawn-line"]
        assert start[1] == end[1] and end[0] - start[0] > 400  # across the 640-px frame, level
        assert result["masks"] == [["民家", 4]] and "+  - id: drawn-line" in result["diff"]
        assert "バージョン 2" in result["saved"] and "停止線の手前で計測し" in result["audit"]
        stored = ConfigVersions(parts.engine).get(2)
        assert stored.actor == "boss" and "drawn-line" in stored.document and "民家" in stored.document
    finally:
        server.should_exit = True
        parts.engine.dispose()
