"""Done-when of issue 11 in real headless Chromium: register with document, recorder-confirmed hold,
approval, export, one-time link, offline verification, provision register, audit chain (PNG shots)."""
from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import pytest
from pydantic import SecretStr

from roadcam.common.timeutil import now_us
from roadcam.devstack.processes import free_port
from services.api.app import create_app
from services.api.auth.roles import Role
from services.api.disclosure.service import Disclosure
from services.api.parts import open_parts
from services.api.settings import Settings
from services.api.store.accounts import StoredAccount
from services.api.store.audit import AuditFilter
from tests.integration.console.test_site_browser import BROWSER_DIR, chromium_ready, serve  # noqa: F401
from tests.integration.disclosure.flow import CAMERA, deliver, record_footage
from tests.integration.recorder.support import SECRET, s3_settings
from tests.unit.api.apikit import _HASH, PASSWORD, write_config
from tests.unit.disclosure.kit import DOCUMENT_KEY, PDF, SIGNING_KEY

pytestmark = pytest.mark.slow
STEPS = ("request_registered", "request_document_stored", "hold_requested", "hold", "request_approved", "legal_hold",
         "export_created", "export_downloaded", "export_link_refused", "register_exported")


def local_text(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, ZoneInfo("Asia/Tokyo")).replace(tzinfo=None).isoformat(timespec="seconds")


def open_installation(tmp_path: Path, s3_server, footage):
    settings = Settings(config_file=write_config(tmp_path / "cameras.yaml"), jwt_secret="x" * 40, consume_bus=False,
                        database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", health_port=0,
                        document_key=DOCUMENT_KEY, export_signing_key=SIGNING_KEY, export_dir=tmp_path / "exports",
                        s3=s3_settings(s3_server), s3_secret_key=SecretStr(SECRET), recordings_bucket=footage.bucket,
                        master_key=SecretStr(footage.master))
    parts = open_parts(settings)
    later = now_us() + 86_400_000_000
    for name, role, departments in (("op-roads", Role.OPERATOR, ("roads",)), ("boss", Role.MANAGER, ("*",))):
        parts.accounts.create(StoredAccount(name, role, departments, later, "", False, _HASH, now_us()))
    return settings, parts


def relay_holds(parts, disclosure, footage, stop: threading.Event) -> None:
    """The bus between the api's hold outbox and the recorder, every 0.3 s (see flow.deliver)."""
    while not stop.is_set():
        asyncio.run(deliver(parts, disclosure, footage))
        stop.wait(0.3)


def run_browser(tmp_path: Path, port: int, footage) -> dict:
    pdf = tmp_path / "照会書.pdf"
    pdf.write_bytes(PDF)
    (tmp_path / "shots").mkdir()
    args = [f"http://127.0.0.1:{port}", str(tmp_path / "shots"), CAMERA, local_text(footage.metas[1].start_us),
            local_text(footage.metas[3].end_us + 999_999), str(pdf), "op-roads", "boss", PASSWORD,
            str(tmp_path / "download.zip")]
    (tmp_path / "home").mkdir()
    proc = subprocess.run(["node", "check_disclosure.mjs", *args], cwd=BROWSER_DIR, capture_output=True, text=True,
                          env={**os.environ, "HOME": str(tmp_path / "home")}, timeout=300)
    keep = os.environ.get("ROADCAM_KEEP_SCREENSHOTS")
    if keep:
        shutil.copytree(tmp_path / "shots", keep, dirs_exist_ok=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {"stderr": proc.stderr}


def verify_export(clip: Path, manifest: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "roadcam.cli.main", "verify-export", str(clip), str(manifest)],
                          capture_output=True, text=True, timeout=60)


def test_request_to_verified_export_in_chromium(tmp_path: Path, s3_server, videos, chromium_ready) -> None:
    footage = record_footage(s3_server, videos)
    settings, parts = open_installation(tmp_path, s3_server, footage)
    app = create_app(settings, parts)
    app.state.disclosure = disclosure = Disclosure.from_parts(parts)
    port, stop = free_port(), threading.Event()
    server = serve(app, port)
    relay = threading.Thread(target=relay_holds, args=(parts, disclosure, footage, stop), daemon=True)
    relay.start()
    try:
        result = run_browser(tmp_path, port, footage)
    finally:
        stop.set()
        relay.join(10)
        server.should_exit = True
    assert "failure" not in result and "stderr" not in result and not result["errors"], result
    assert result["registeredState"] == "received" and result["hasDocument"] == 1
    assert "media" not in result["bases"] and "criminal_procedure_197_2" in result["bases"]
    assert result["holdConfirmed"] == 1 and "確認済み（" in result["holdText"]
    assert result["operatorSeesDecision"] == 0 and result["approvedState"] == "approved"
    assert (result["firstStatus"], result["secondStatus"]) == (200, 410)
    with zipfile.ZipFile(io.BytesIO((tmp_path / "download.zip").read_bytes())) as z:
        z.extractall(tmp_path / "got")
    clip = tmp_path / "got" / f"request-{result['requestId']}-{CAMERA}.mp4"
    manifest = clip.with_name(clip.stem + ".manifest.json")
    assert verify_export(clip, manifest).returncode == 0
    segments = len(json.loads(manifest.read_text())["segments"])
    assert 3 <= segments <= 5 and f"確認済み（{segments}セグメント）" in result["holdText"]  # the held footage, all of it
    data = bytearray(clip.read_bytes())
    data[1000] ^= 0x01
    clip.write_bytes(bytes(data))
    failed = verify_export(clip, manifest)
    assert failed.returncode == 1 and "clip changed" in failed.stdout
    assert "群馬県警察 前橋警察署" in result["registerText"] and "データ提供（ネットワーク利用）" in result["registerText"]
    actions = {e.record.action for e in parts.audit.entries(AuditFilter(limit=10_000))}
    assert set(STEPS) <= actions, set(STEPS) - actions
    assert parts.audit.verify().ok
    for name in result["shots"]:
        image = cv2.imread(str(tmp_path / "shots" / f"{name}.png"))
        assert image is not None and image.std() > 10, f"{name}.png is blank"
    parts.engine.dispose()
